"""符合性自评 over the requirement clauses 4–8 (DESIGN.md §2 assessment, from the seed), the
management level it implies, and the diagnosis across the 4 elements.

Management level cut-offs are the platform's own: conformity share (conforming 1, partial ½,
nonconforming 0; not applicable left out) < 0.4 被动, < 0.7 主动, < 0.9 融合和创新, else 卓越
(卓越 also needs no nonconforming clause).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ELEMENTS = ("数据", "技术", "业务流程", "组织结构")


class Rating(StrEnum):
    conforming = "conforming"
    partial = "partial"
    nonconforming = "nonconforming"
    not_applicable = "not_applicable"


@dataclass(frozen=True)
class Clause:
    code: str
    title: str
    elements: tuple[str, ...]


def _clauses(section: int, titles: list[tuple[str, tuple[str, ...]]]) -> list[Clause]:
    return [Clause(f"{section}.{i}", t, e) for i, (t, e) in enumerate(titles, start=1)]


ORG, PROC, TECH, DATA = "组织结构", "业务流程", "技术", "数据"
CLAUSES: tuple[Clause, ...] = tuple(
    _clauses(4, [("总要求", (ORG, PROC)), ("文件要求", (PROC,))])
    + _clauses(
        5,
        [
            ("最高管理者", (ORG,)),
            ("管理者代表", (ORG,)),
            ("关注焦点", (ORG, PROC)),
            ("方针", (ORG,)),
            ("目标", (ORG, DATA)),
            ("管理体系策划", (ORG, PROC)),
            ("职责与协调沟通", (ORG,)),
        ],
    )
    + _clauses(
        6,
        [
            ("资金投入", (ORG,)),
            ("人才保障", (ORG,)),
            ("设备设施", (TECH,)),
            ("信息资源", (DATA,)),
            ("信息安全", (TECH, DATA)),
        ],
    )
    + _clauses(
        7,
        [
            ("策划", (PROC, ORG)),
            ("业务流程与组织结构优化", (PROC, ORG)),
            ("技术实现", (TECH,)),
            ("匹配与规范", (PROC, TECH)),
            ("运行维护", (TECH,)),
            ("数据开发利用", (DATA,)),
            ("动态调整", (PROC, ORG)),
        ],
    )
    + _clauses(
        8,
        [
            ("评估与诊断", (DATA, PROC)),
            ("监视与测量", (DATA,)),
            ("内部审核", (PROC,)),
            ("考核", (ORG,)),
            ("管理评审", (ORG,)),
            ("改进", (PROC, ORG)),
        ],
    )
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
