"""Commands and results of the assessment use cases (the API's bodies are these: `api/schemas`
re-exports them, so the service layer never imports the API)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from assessment.domain.conformity import Rating
from assessment.domain.scoring import SCORING_BASIS
from iims_common.identifiers import FOLD, FOLD_LOWER, pattern
from iims_common.schemas import Input, JsonNumber

PERIOD = r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$"
Period = Annotated[str, pattern(PERIOD), FOLD]


class FrameworkSummary(BaseModel):
    id: uuid.UUID
    code: str
    version: int
    name: str
    industry_type: str
    status: str


class FrameworkOut(FrameworkSummary):
    document: dict[str, Any]


class AssessmentCreate(Input):
    enterprise_id: uuid.UUID
    framework_code: str = Field(min_length=1, max_length=60)
    period: Period = Field(description="YYYY or YYYY-MM")


class ClauseAssessment(Input):
    """符合性自评 of one clause: the rating and the evidence behind it."""

    rating: Rating
    evidence: str | None = Field(None, max_length=4000, description="证据说明")


class AssessmentAnswers(Input):
    """Partial saves while draft: given answers and clause ratings replace the stored ones."""

    answers: dict[str, str | Decimal] = Field(default_factory=dict, max_length=500)
    conformity: dict[str, ClauseAssessment | Rating] = Field(
        default_factory=dict,
        max_length=100,
        description="Per clause 4.1–8.6: a rating, or {rating, evidence} with the evidence note",
    )


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    enterprise_id: uuid.UUID
    province_code: str
    industry_code: str
    framework_code: str
    framework_id: uuid.UUID
    period: str
    kind: str
    status: str
    answers: dict[str, Any]
    conformity: dict[str, dict[str, str | None]]
    total_score: Decimal | None
    dimension_scores: dict[str, str] | None
    stage: str | None
    management_level: str | None
    diagnosis: dict[str, Any] | None
    scored_at: dt.datetime | None
    version: int
    basis: dict[str, str] = Field(
        default_factory=lambda: dict(SCORING_BASIS),
        description="Whose rule each result follows: seed (GB/T 23020 stage names, the seed's "
        "four levels) or platform (stage cut-offs 40/60/80, conformity → level mapping, weights)",
    )


class OptionIn(Input):
    code: str = Field(min_length=1, max_length=10)
    label: str = Field(min_length=1, max_length=200)
    score: Annotated[Decimal, Field(ge=0, le=100), JsonNumber()]


class IndicatorIn(Input):
    code: Annotated[str, FOLD_LOWER] = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    weight: Annotated[Decimal, Field(gt=0, le=1), JsonNumber()]
    kind: str = Field(pattern=r"^(ordinal|ratio)$")
    options: list[OptionIn] = Field(default_factory=list, max_length=10)
    valid_min: Annotated[Decimal, JsonNumber()] = Field(
        Decimal(0), json_schema_extra={"default": 0}
    )
    valid_max: Annotated[Decimal, JsonNumber()] = Field(
        Decimal(100), json_schema_extra={"default": 100}
    )
    floor: Annotated[Decimal, JsonNumber()] = Field(Decimal(0), json_schema_extra={"default": 0})
    target: Annotated[Decimal, JsonNumber()] = Field(
        Decimal(100), json_schema_extra={"default": 100}
    )
    unit: str = Field("", max_length=20)


class DimensionIn(Input):
    code: Annotated[str, FOLD_LOWER] = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    weight: Annotated[Decimal, Field(gt=0, le=1), JsonNumber()]
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=100)


class FrameworkCreate(Input):
    """A new framework version (draft until published; published versions never change)."""

    code: Annotated[str, FOLD_LOWER] = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)
    industry_type: str = Field(min_length=1, max_length=40)
    dimensions: list[DimensionIn] = Field(min_length=1, max_length=20)


class BenchmarkOut(BaseModel):
    """对标: aggregates only — never another enterprise's answers."""

    industry_section: str
    province_code: str | None
    period: str
    count: int
    average: Decimal | None
    median: Decimal | None
    top_decile: Decimal | None = Field(description="标杆: the score at the 90th percentile")
    assessment_id: uuid.UUID | None = None
    score: Decimal | None = None
    percentile: Decimal | None = None
