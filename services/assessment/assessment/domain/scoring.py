"""Scoring: a pure, deterministic function of a framework and answers (no I/O).

Indicator score 0–100: an ordinal answer scores its option's score; a ratio scores linearly
from `floor` (0) to `target` (100), clamped. Dimension score = Σ weight × indicator score;
total index = Σ dimension weight × dimension score, rounded half-up to 0.01.

Stages (GB/T 23020 发展阶段) by the platform's documented cut-offs on the total index:
起步建设 < 40 ≤ 单项覆盖 < 60 ≤ 集成提升 < 80 ≤ 创新突破.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from assessment.domain.framework import FULL, Framework, Indicator, IndicatorKind
from iims_common.errors import FieldError
from iims_common.i18n import Message, _

Answer = str | int | float | Decimal
STAGES: tuple[tuple[Decimal, str], ...] = (
    (Decimal(80), "创新突破"),
    (Decimal(60), "集成提升"),
    (Decimal(40), "单项覆盖"),
    (Decimal(0), "起步建设"),
)
CENT = Decimal("0.01")
# Whose rule each computed result follows (served as `basis` with every assessment): the
# stage names are GB/T 23020's and the four management levels the seed's (被动/主动/融合和创新/
# 卓越), but the cut-offs (40/60/80), the mapping of conformity to a level and the seeded
# framework's weights are the platform's own — the seed and DESIGN give none.
SCORING_BASIS: dict[str, str] = {
    "stage_names": "seed",
    "stage_cutoffs": "platform",
    "management_level_names": "seed",
    "management_level_mapping": "platform",
    "weights": "platform",
}


@dataclass(frozen=True)
class ScoreResult:
    total: Decimal
    dimensions: dict[str, Decimal]
    indicators: dict[str, Decimal]
    stage: str


def stage_for(total: Decimal) -> str:
    return next(name for cut, name in STAGES if total >= cut)


def answer_errors(fw: Framework, answers: dict[str, Answer]) -> list[FieldError]:
    """Every missing, unknown or out-of-range answer, named, for one 422."""
    errors = []
    indicators = fw.indicators()
    for code in answers:
        if code not in indicators:
            errors.append(FieldError(f"answers.{code}", _("not an indicator of this framework")))
    for code, ind in indicators.items():
        if code not in answers or answers[code] is None:
            errors.append(
                FieldError(f"answers.{code}", _("missing answer to {name}", name=ind.name))
            )
            continue
        problem = _answer_problem(ind, answers[code])
        if problem:
            errors.append(FieldError(f"answers.{code}", problem))
    return errors


def _answer_problem(ind: Indicator, value: Answer) -> Message | None:
    if ind.kind is IndicatorKind.ordinal:
        codes = [o.code for o in ind.options]
        return None if value in codes else _("must be one of {codes}", codes=", ".join(codes))
    number = _decimal(value)
    if number is None:
        return _("must be a number")
    if not ind.valid_min <= number <= ind.valid_max:
        return _(
            "must lie in {valid_min}–{valid_max}{unit}",
            valid_min=ind.valid_min,
            valid_max=ind.valid_max,
            unit=ind.unit,
        )
    return None


def _decimal(value: Answer) -> Decimal | None:
    if isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def indicator_score(ind: Indicator, value: Answer) -> Decimal:
    if ind.kind is IndicatorKind.ordinal:
        return next(o.score for o in ind.options if o.code == value)
    number = _decimal(value)
    assert number is not None
    share = (number - ind.floor) / (ind.target - ind.floor)
    return min(FULL, max(Decimal(0), share * FULL))


def score(fw: Framework, answers: dict[str, Answer]) -> ScoreResult:
    """Score complete, valid answers (check `answer_errors` first; this raises otherwise)."""
    errors = answer_errors(fw, answers)
    if errors:
        raise ValueError(
            f"answers are incomplete or invalid: {errors[0].field}: {errors[0].message}"
        )
    per_indicator = {
        i.code: indicator_score(i, answers[i.code]) for d in fw.dimensions for i in d.indicators
    }
    per_dimension = {
        d.code: sum((i.weight * per_indicator[i.code] for i in d.indicators), Decimal(0))
        for d in fw.dimensions
    }
    total = sum((d.weight * per_dimension[d.code] for d in fw.dimensions), Decimal(0))
    total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    return ScoreResult(
        total=total,
        dimensions={k: v.quantize(CENT, rounding=ROUND_HALF_UP) for k, v in per_dimension.items()},
        indicators={k: v.quantize(CENT, rounding=ROUND_HALF_UP) for k, v in per_indicator.items()},
        stage=stage_for(total),
    )
