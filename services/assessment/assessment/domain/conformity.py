"""符合性自评 over the requirement clauses 4–8 (DESIGN.md §2 assessment, from the seed), the
management level it implies, and the diagnosis across the 4 elements.

Management level cut-offs are the platform's own: conformity share (conforming 1, partial ½,
nonconforming 0; not applicable left out) < 0.4 被动, < 0.7 主动, < 0.9 融合和创新, else 卓越
(卓越 also needs no nonconforming clause).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import _
from iims_common.standard import REQUIREMENT_CLAUSES

ELEMENTS = ("数据", "技术", "业务流程", "组织结构")


class Rating(LabelledEnum):
    """A clause's self-check rating."""

    conforming = "conforming"
    partial = "partial"
    nonconforming = "nonconforming"
    not_applicable = "not_applicable"

    __labels__ = {
        conforming: _("Conforming"),
        partial: _("Partly conforming"),
        nonconforming: _("Nonconforming"),
        not_applicable: _("Not applicable"),
    }


def all_labels(locale: str | None = None) -> dict[str, dict[str, str]]:
    """The assessment service's enum labels in `locale` (default: the request's language)."""
    return served_labels([Rating], locale)


@dataclass(frozen=True)
class Clause:
    code: str
    title: str
    elements: tuple[str, ...]


ORG, PROC, TECH, DATA = "组织结构", "业务流程", "技术", "数据"
# Which of the 4 elements each clause mainly bears on (the diagnosis is ours).
_ELEMENTS: dict[str, tuple[str, ...]] = {
    "4.1": (ORG, PROC),
    "4.2": (PROC,),
    "5.1": (ORG,),
    "5.2": (ORG,),
    "5.3": (ORG, PROC),
    "5.4": (ORG,),
    "5.5": (ORG, DATA),
    "5.6": (ORG, PROC),
    "5.7": (ORG,),
    "6.1": (ORG,),
    "6.2": (ORG,),
    "6.3": (TECH,),
    "6.4": (DATA,),
    "6.5": (TECH, DATA),
    "7.1": (PROC, ORG),
    "7.2": (PROC, ORG),
    "7.3": (TECH,),
    "7.4": (PROC, TECH),
    "7.5": (TECH,),
    "7.6": (DATA,),
    "7.7": (PROC, ORG),
    "8.1": (DATA, PROC),
    "8.2": (DATA,),
    "8.3": (PROC,),
    "8.4": (ORG,),
    "8.5": (ORG,),
    "8.6": (PROC, ORG),
}
CLAUSES: tuple[Clause, ...] = tuple(
    Clause(code, title, _ELEMENTS[code]) for code, title in REQUIREMENT_CLAUSES.items()
)
LEVELS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("0.9"), "卓越"),
    (Decimal("0.7"), "融合和创新"),
    (Decimal("0.4"), "主动"),
    (Decimal(0), "被动"),
)
_VALUE = {
    Rating.conforming: Decimal(1),
    Rating.partial: Decimal("0.5"),
    Rating.nonconforming: Decimal(0),
}


def conformity_share(ratings: dict[str, Rating]) -> Decimal:
    rated = [_VALUE[r] for r in ratings.values() if r is not Rating.not_applicable]
    return sum(rated, Decimal(0)) / len(rated) if rated else Decimal(0)


def management_level(ratings: dict[str, Rating]) -> str:
    share = conformity_share(ratings)
    for cut, name in LEVELS:
        if share >= cut:
            if name == "卓越" and Rating.nonconforming in ratings.values():
                continue
            return name
    return "被动"


# Which of the 4 elements each scored dimension mostly speaks to.
DIMENSION_ELEMENTS = {
    "infrastructure": (TECH, DATA),
    "single_applications": (TECH, PROC),
    "integration": (PROC, DATA),
    "collaboration_innovation": (PROC, ORG),
    "competitiveness": (ORG, PROC),
    "benefits": (ORG,),
}
ADVICE = {
    DATA: "梳理数据资源，建立数据采集、集成与开发利用机制，使数据成为新型能力的核心要素。",
    TECH: "按新型能力要求补齐设备设施和信息系统，推进技术实现与运行维护的规范化。",
    PROC: "以新型能力为导向优化业务流程，推动跨部门、跨环节的流程集成与匹配。",
    ORG: "明确最高管理者和管理者代表职责，完善组织结构、考核与资金人才保障。",
}


@dataclass(frozen=True)
class Diagnosis:
    weakest_dimensions: tuple[str, ...]
    weak_clauses: tuple[str, ...]
    elements: dict[str, str]  # element → recommendation, for the elements that need work


def diagnose(
    dimension_scores: dict[str, Decimal], ratings: dict[str, Rating], weakest: int = 2
) -> Diagnosis:
    ordered = sorted(dimension_scores, key=lambda code: (dimension_scores[code], code))[:weakest]
    weak_clauses = tuple(
        c.code for c in CLAUSES if ratings.get(c.code) in (Rating.nonconforming, Rating.partial)
    )
    elements: list[str] = []
    for code in ordered:
        elements += DIMENSION_ELEMENTS.get(code, ())
    by_code = {c.code: c for c in CLAUSES}
    for code in weak_clauses:
        elements += by_code[code].elements
    needed = [e for e in ELEMENTS if e in elements]
    return Diagnosis(tuple(ordered), weak_clauses, {e: ADVICE[e] for e in needed})
