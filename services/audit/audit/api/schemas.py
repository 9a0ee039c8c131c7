"""Request and response bodies of the audit API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import ConfigDict, Field, computed_field, model_validator

from audit.domain.enums import (
    ApplicationStatus,
    AuditKind,
    AuditStatus,
    CertificateStatus,
    FindingStatus,
    Severity,
    TeamRole,
)
from iims_common.i18n import Message, _
from iims_common.identifiers import FOLD, pattern
from iims_common.schemas import Input, Output, checked
from iims_common.standard import CLAUSE_NUMBERING_BASIS, REQUIREMENT_CLAUSES

INDUSTRY = r"^[A-T]([0-9]{2})?$"  # GB/T 4754-2017 门类 letter, optionally 大类


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
        raise ValueError(f"{field} must not be before the start date")


# --- applications ------------------------------------------------------------------------


class ApplicationCreate(Input):
    enterprise_id: uuid.UUID
    certification_body_id: uuid.UUID
    scope: Annotated[str, Field(min_length=2, max_length=1000, description="认定范围")]
    site: Annotated[str, Field(min_length=2, max_length=300, description="认定场所 (地址)")]
    system_running_since: dt.date = Field(description="管理体系开始运行日期 (≥ 3 months ago)")
    internal_audit_done: bool = Field(description="已完成内部审核")
    management_review_done: bool = Field(description="已完成管理评审")


class ApplicationOut(Output):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    certification_body_id: uuid.UUID = Field(validation_alias="body_id")
    province_code: str | None
    consultancy_id: uuid.UUID | None
    scope: str
    site: str
    system_running_since: dt.date
    internal_audit_done: bool
    management_review_done: bool
    status: ApplicationStatus
    review_comment: str | None
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label


class HistoryOut(Output):
    action: str
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    at: dt.datetime


class ConclusionOut(Output):
    application_id: uuid.UUID
    outcome: str
    rule: str | None
    detail: str
    status: ApplicationStatus


class ReviewIn(Input):
    approved: bool = Field(description="合规性审查结论")
    comment: Annotated[str, Field(max_length=2000)] | None = None


class ObjectionIn(Input):
    text: Text
    contact: Annotated[str, Field(min_length=2, max_length=200)]


class ObjectionOut(Output):
    id: uuid.UUID
    application_id: uuid.UUID
    lodged_by: str
    text: str
    status: str
    resolution: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class ObjectionResolution(Input):
    upheld: bool
    resolution: Text


class DecisionIn(Input):
    effective_on: dt.date | None = Field(None, description="生效日期 (not before the decision)")


class WithdrawIn(Input):
    reason: ShortText | None = None


class PublicNotice(Output):
    application_id: uuid.UUID
    enterprise_name: str | None
    certification_body_name: str | None
    scope: str
    site: str
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None


# --- audits ------------------------------------------------------------------------------


class TeamMemberIn(Input):
    person_id: uuid.UUID
    role: TeamRole


class AuditPlanFields(Input):
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
            raise ValueError("an audit lasts at most 61 days")
        return self


class AuditCreate(AuditPlanFields):
    """Exactly one of `application_id` (stage 1/2) and `certificate_id` (surveillance,
    recertification): stated as `oneOf` in the schema, checked by `_one_parent`."""

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
    """A planned stage 1 / stage 2 audit of an application, checked without being saved."""

    kind: AuditKind
    application_id: uuid.UUID


class ViolationOut(Output):
    rule: str = Field(description="the rule's name, e.g. team.double-booked")
    detail: str
    member: uuid.UUID | None = Field(None, description="the auditor the rule is about")


class PlanCheckOut(Output):
    """Every rule the plan breaks (empty when `POST /audits` would accept it)."""

    ok: bool
    audit_days: int | None = Field(None, description="审核人日 the plan would get")
    onsite_days: int | None = None
    violations: list[ViolationOut]


class TeamMemberOut(Output):
    person_id: uuid.UUID
    role: TeamRole


class AuditOut(Output):
    id: uuid.UUID
    application_id: uuid.UUID | None
    certificate_id: uuid.UUID | None
    kind: AuditKind
    status: AuditStatus
    certification_body_id: uuid.UUID = Field(validation_alias="body_id")
    enterprise_id: uuid.UUID
    province_code: str | None
    starts_on: dt.date
    ends_on: dt.date
    audit_days: int
    onsite_days: int
    completed_on: dt.date | None
    report: str | None
    team: list[TeamMemberOut] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label


class CompletionIn(Input):
    report: Annotated[str, Field(max_length=4000)] | None = None


# --- findings ----------------------------------------------------------------------------


class FindingCreate(Input):
    clause: Clause
    severity: Severity
    description: Text


class FindingOut(Output):
    id: uuid.UUID
    audit_id: uuid.UUID
    application_id: uuid.UUID | None
    clause: Annotated[str, Field(json_schema_extra={"enum": list(REQUIREMENT_CLAUSES)})]
    severity: Severity
    description: str
    status: FindingStatus
    corrective_action: str | None
    deadline: dt.date | None
    plan_accepted_on: dt.date | None
    closed_on: dt.date | None
    verification: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def clause_title(self) -> str:
        return REQUIREMENT_CLAUSES.get(self.clause, "")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def clause_numbering_basis(self) -> str:
        """`platform`: the part after the dot is the topic's position in the seed's list, not
        the standard's own sub-clause number (the seed does not give those)."""
        return CLAUSE_NUMBERING_BASIS

    @computed_field  # type: ignore[prop-decorator]
    @property
    def severity_label(self) -> str:
        return self.severity.label


class CorrectiveActionIn(Input):
    action: Text
    deadline: dt.date


class VerificationIn(Input):
    verification: Text


# --- auditors ----------------------------------------------------------------------------


class QualificationOut(Output):
    number: str
    kind: str
    organization_id: uuid.UUID | None
    granted_on: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None


class UnavailabilityIn(Input):
    starts_on: dt.date
    ends_on: dt.date
    reason: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _dates(self) -> UnavailabilityIn:
        _span_order(self.starts_on, self.ends_on, "ends_on")
        return self


class UnavailabilityOut(Output):
    id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None


class CompetencesIn(Input):
    industries: Annotated[list[Annotated[str, pattern(INDUSTRY), FOLD]], Field(max_length=30)] = (
        Field(description="GB/T 4754-2017 门类 letters or 大类 codes (e.g. C, C26)")
    )


class AuditorOut(Output):
    person_id: uuid.UUID
    name: str
    certification_body_id: uuid.UUID | None = Field(validation_alias="body_id")
    competences: list[str]
    qualifications: list[QualificationOut] = []
    unavailability: list[UnavailabilityOut] = []


class CertificationBodyOut(Output):
    id: uuid.UUID
    name: str
    status: str
    province_code: str | None


# --- scheduling --------------------------------------------------------------------------


class ProposalCreate(Input):
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
            raise ValueError("the window spans at most a year")
        return self


class ProposalOut(Output):
    id: uuid.UUID
    status: str
    window_start: dt.date
    window_end: dt.date
    team_size: int
    placements: list[dict[str, Any]]
    unplaced: list[dict[str, Any]]
    results: list[dict[str, Any]] | None
    seconds: float
    optimal: bool
    created_at: dt.datetime
    confirmed_at: dt.datetime | None


# --- certificates ------------------------------------------------------------------------


class CertificateOut(Output):
    id: uuid.UUID
    number: str
    application_id: uuid.UUID
    enterprise_id: uuid.UUID
    enterprise_name: str
    province_code: str | None
    site: str
    scope: str
    standard: str
    edition: str
    certification_body_id: uuid.UUID = Field(validation_alias="body_id")
    certification_body_name: str = Field(validation_alias="body_name")
    decision_on: dt.date
    effective_on: dt.date
    valid_until: dt.date
    status: CertificateStatus
    status_reason: str | None
    suspended_on: dt.date | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label


class PlannedAuditOut(Output):
    seq: int
    kind: AuditKind
    due_by: dt.date
    audit_id: uuid.UUID | None
    done_on: dt.date | None


class StatusChangeIn(Input):
    reason: ShortText


class PublicCertificate(Output):
    """Only what the certificate itself shows, and its status."""

    number: str
    enterprise_name: str
    site: str
    scope: str
    standard: str
    edition: str
    certification_body_name: str = Field(validation_alias="body_name")
    effective_on: dt.date
    valid_until: dt.date
    status: CertificateStatus

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label
