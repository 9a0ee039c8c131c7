"""Commands of the audit use cases: what each one is asked to do (the API's request bodies
are these — `audit.api.schemas` re-exports them — so the service layer never imports the API)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from audit.domain.enums import AuditKind, Severity, TeamRole
from iims_common.i18n import Message, _
from iims_common.identifiers import FOLD, pattern
from iims_common.industries import INDUSTRY_PATTERN
from iims_common.schemas import Input, checked
from iims_common.standard import REQUIREMENT_CLAUSES

INDUSTRY = INDUSTRY_PATTERN  # GB/T 4754-2017 门类 letter, optionally one of its 大类


def _clause_error(code: str) -> Message | None:
    if code in REQUIREMENT_CLAUSES:
        return None
    return _(
        "not a clause of the standard (4.1 … 8.6): {clauses}",
        clauses=", ".join(REQUIREMENT_CLAUSES),
    )


Clause = Annotated[
    str,
    Field(max_length=5, json_schema_extra={"enum": list(REQUIREMENT_CLAUSES)}),
    checked(_clause_error),
]


Text = Annotated[str, Field(min_length=1, max_length=4000)]


ShortText = Annotated[str, Field(min_length=1, max_length=1000)]


def _span_order(start: dt.date | None, end: dt.date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(_("{field} must not be before the start date", field=field))


class ApplicationCreate(Input):
    enterprise_id: uuid.UUID
    certification_body_id: uuid.UUID
    scope: Annotated[str, Field(min_length=2, max_length=1000, description="认定范围")]
    site: Annotated[str, Field(min_length=2, max_length=300, description="认定场所 (地址)")]
    system_running_since: dt.date = Field(description="管理体系开始运行日期 (≥ 3 months ago)")
    internal_audit_done: bool = Field(description="已完成内部审核")
    management_review_done: bool = Field(description="已完成管理评审")


class ReviewIn(Input):
    approved: bool = Field(description="合规性审查结论")
    comment: Annotated[str, Field(max_length=2000)] | None = None


class ObjectionIn(Input):
    text: Text
    contact: Annotated[str, Field(min_length=2, max_length=200)]


class ObjectionResolution(Input):
    upheld: bool
    resolution: Text


class DecisionIn(Input):
    effective_on: dt.date | None = Field(None, description="生效日期 (not before the decision)")


class WithdrawIn(Input):
    reason: ShortText | None = None


class TeamMemberIn(Input):
    person_id: uuid.UUID
    role: TeamRole


class AuditPlanFields(Input):
    """An audit's dates and team. `ends_on` is not before `starts_on` and an audit lasts at
    most 61 days (a 422 naming `body`: JSON Schema cannot compare two fields)."""

    starts_on: dt.date
    ends_on: dt.date
    team: Annotated[list[TeamMemberIn], Field(min_length=1, max_length=12)]
    audit_days: Annotated[int, Field(ge=1, le=200)] | None = Field(
        None, description="审核人日; default: the documented minimum for the enterprise's size"
    )
    onsite_days: Annotated[int, Field(ge=0, le=200)] | None = Field(
        None, description="现场审核人日; default: all of them"
    )

    @model_validator(mode="after")
    def _dates(self) -> AuditPlanFields:
        _span_order(self.starts_on, self.ends_on, "ends_on")
        if (self.ends_on - self.starts_on).days > 60:
            raise ValueError(_("an audit lasts at most 61 days"))
        return self


class AuditCreate(AuditPlanFields):
    """Exactly one of `application_id` (stage 1/2) and `certificate_id` (surveillance,
    recertification): stated as `oneOf` in the schema, checked by `_one_parent`. `ends_on`
    is not before `starts_on`, at most 61 days (a 422 naming `body`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": [field],
                    "properties": {field: {"type": "string", "format": "uuid"}},
                }
                for field in ("application_id", "certificate_id")
            ]
        }
    )

    kind: AuditKind
    application_id: uuid.UUID | None = None
    certificate_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_parent(self) -> AuditCreate:
        if (self.application_id is None) == (self.certificate_id is None):
            raise ValueError(_("give exactly one of application_id and certificate_id"))
        return self


class PlanCheckIn(AuditPlanFields):
    """A planned stage 1 / stage 2 audit of an application, checked without being saved.
    `ends_on` is not before `starts_on`, at most 61 days (a 422 naming `body`)."""

    kind: AuditKind
    application_id: uuid.UUID


class CompletionIn(Input):
    report: Annotated[str, Field(max_length=4000)] | None = None


class FindingCreate(Input):
    clause: Clause
    severity: Severity
    description: Text


class CorrectiveActionIn(Input):
    action: Text
    deadline: dt.date


class VerificationIn(Input):
    verification: Text


class UnavailabilityIn(Input):
    """Days an auditor cannot audit, both included: `ends_on` is not before `starts_on` (a
    422 naming `body`: JSON Schema cannot compare two fields)."""

    starts_on: dt.date
    ends_on: dt.date
    reason: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _dates(self) -> UnavailabilityIn:
        _span_order(self.starts_on, self.ends_on, "ends_on")
        return self


class CompetencesIn(Input):
    industries: Annotated[list[Annotated[str, pattern(INDUSTRY), FOLD]], Field(max_length=30)] = (
        Field(description="GB/T 4754-2017 门类 letters or 大类 codes (e.g. C, C26)")
    )


class ProposalCreate(Input):
    """The date window to schedule in: `window_end` is not before `window_start` and the
    window spans at most a year (a 422 naming `body`: JSON Schema cannot compare two
    fields)."""

    window_start: dt.date
    window_end: dt.date
    application_ids: Annotated[list[uuid.UUID], Field(max_length=5000)] | None = Field(
        None, description="default: every application in your scope waiting for an audit"
    )
    certificate_ids: Annotated[list[uuid.UUID], Field(max_length=5000)] = Field(
        default_factory=list, description="certificates whose next surveillance to plan"
    )
    team_size: Annotated[int, Field(ge=1, le=5)] = 2

    @model_validator(mode="after")
    def _window(self) -> ProposalCreate:
        _span_order(self.window_start, self.window_end, "window_end")
        if (self.window_end - self.window_start).days > 366:
            raise ValueError(_("the window spans at most a year"))
        return self


class StatusChangeIn(Input):
    reason: ShortText
