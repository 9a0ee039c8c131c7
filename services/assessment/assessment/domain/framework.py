"""指标体系: a versioned framework of dimensions → indicators → scoring rules, with weights.

A framework is data (an administrator publishes a new version; published versions never
change). `framework_errors` is what publishing checks: weights that do not sum to 1, duplicate
codes, and scores that cannot be reached (an indicator whose best answer is not 100, or a ratio
rule whose bounds are reversed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from iims_common.errors import FieldError
from iims_common.i18n import _

ONE = Decimal(1)
FULL = Decimal(100)


class IndicatorKind(StrEnum):
    ordinal = "ordinal"  # A–D answers, each with a score
    ratio = "ratio"  # a number (e.g. 数控化率 %), scored linearly between floor and target


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    score: Decimal


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: Decimal  # within its dimension
    kind: IndicatorKind
    options: tuple[Option, ...] = ()
    # ratio: accepted answers lie in [valid_min, valid_max]; floor scores 0, target scores 100.
    valid_min: Decimal = Decimal(0)
    valid_max: Decimal = Decimal(100)
    floor: Decimal = Decimal(0)
    target: Decimal = Decimal(100)
    unit: str = ""


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: Decimal  # within the framework
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Framework:
    code: str
    version: int
    name: str
    industry_type: str
    dimensions: tuple[Dimension, ...] = field(default_factory=tuple)

    def indicators(self) -> dict[str, Indicator]:
        return {i.code: i for d in self.dimensions for i in d.indicators}


def framework_errors(fw: Framework) -> list[FieldError]:
    errors: list[FieldError] = []
    if not fw.dimensions:
        errors.append(FieldError("dimensions", _("a framework needs at least one dimension")))
    total = sum((d.weight for d in fw.dimensions), Decimal(0))
    if fw.dimensions and total != ONE:
        errors.append(
            FieldError("dimensions", _("dimension weights sum to {total}, not 1", total=total))
        )
    seen: set[str] = set()
    for di, d in enumerate(fw.dimensions):
        where = f"dimensions[{di}]"
        if d.code in seen:
            errors.append(
                FieldError(f"{where}.code", _("duplicate code {code}", code=repr(d.code)))
            )
        seen.add(d.code)
        if d.weight <= 0:
            errors.append(FieldError(f"{where}.weight", _("must be > 0")))
        if not d.indicators:
            errors.append(FieldError(f"{where}.indicators", _("a dimension needs indicators")))
            continue
        inner = sum((i.weight for i in d.indicators), Decimal(0))
        if inner != ONE:
            errors.append(
                FieldError(
                    f"{where}.indicators", _("indicator weights sum to {inner}, not 1", inner=inner)
                )
            )
        for ii, ind in enumerate(d.indicators):
            at = f"{where}.indicators[{ii}]"
            if ind.code in seen:
                errors.append(
                    FieldError(f"{at}.code", _("duplicate code {code}", code=repr(ind.code)))
                )
            seen.add(ind.code)
            if ind.weight <= 0:
                errors.append(FieldError(f"{at}.weight", _("must be > 0")))
            errors.extend(_rule_errors(ind, at))
    return errors


def _rule_errors(ind: Indicator, at: str) -> list[FieldError]:
    if ind.kind is IndicatorKind.ordinal:
        if not ind.options:
            return [FieldError(f"{at}.options", _("an ordinal indicator needs options"))]
        codes = [o.code for o in ind.options]
        out = []
        if len(set(codes)) != len(codes):
            out.append(FieldError(f"{at}.options", _("duplicate option codes")))
        if any(not Decimal(0) <= o.score <= FULL for o in ind.options):
            out.append(FieldError(f"{at}.options", _("option scores must lie in 0–100")))
        if max(o.score for o in ind.options) != FULL:
            out.append(
                FieldError(
                    f"{at}.options", _("no option scores 100: the full score is unreachable")
                )
            )
        return out
    out = []
    if not ind.valid_min <= ind.floor < ind.target <= ind.valid_max:
        out.append(
            FieldError(
                at,
                _(
                    "ratio bounds must satisfy valid_min ≤ floor < target ≤ valid_max (else 100 is unreachable)"
                ),
            )
        )
    return out


def to_document(fw: Framework) -> dict[str, object]:
    """The framework as JSON (decimals as strings), as stored and served."""
    return {
        "code": fw.code,
        "version": fw.version,
        "name": fw.name,
        "industry_type": fw.industry_type,
        "dimensions": [
            {
                "code": d.code,
                "name": d.name,
                "weight": str(d.weight),
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "weight": str(i.weight),
                        "kind": i.kind.value,
                        "options": [
                            {"code": o.code, "label": o.label, "score": str(o.score)}
                            for o in i.options
                        ],
                        "valid_min": str(i.valid_min),
                        "valid_max": str(i.valid_max),
                        "floor": str(i.floor),
                        "target": str(i.target),
                        "unit": i.unit,
                    }
                    for i in d.indicators
                ],
            }
            for d in fw.dimensions
        ],
    }


def from_document(doc: dict[str, Any]) -> Framework:
    return Framework(
        code=doc["code"],
        version=int(doc["version"]),
        name=doc["name"],
        industry_type=doc["industry_type"],
        dimensions=tuple(
            Dimension(
                d["code"],
                d["name"],
                Decimal(str(d["weight"])),
                tuple(
                    Indicator(
                        i["code"],
                        i["name"],
                        Decimal(str(i["weight"])),
                        IndicatorKind(i["kind"]),
                        options=tuple(
                            Option(o["code"], o["label"], Decimal(str(o["score"])))
                            for o in i.get("options", [])
                        ),
                        valid_min=Decimal(str(i.get("valid_min", 0))),
                        valid_max=Decimal(str(i.get("valid_max", 100))),
                        floor=Decimal(str(i.get("floor", 0))),
                        target=Decimal(str(i.get("target", 100))),
                        unit=i.get("unit", ""),
                    )
                    for i in d["indicators"]
                ),
            )
            for d in doc["dimensions"]
        ),
    )
