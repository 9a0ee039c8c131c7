"""Request and response bodies of the audit API: the commands (`audit.service.commands`,
re-exported here) and the answers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import Field, computed_field

from audit.domain.enums import (
    ApplicationStatus,
    AuditKind,
    CertificateStatus,
    FindingStatus,
    ObjectionStatus,
    Severity,
)
from audit.service.commands import (
    INDUSTRY,
    ApplicationCreate,
    AuditCreate,
    AuditPlanFields,
    Clause,
    CompetencesIn,
    CompletionIn,
    CorrectiveActionIn,
    DecisionIn,
    FindingCreate,
    ObjectionIn,
    ObjectionResolution,
    PlanCheckIn,
    ProposalCreate,
    ReviewIn,
    ShortText,
    StatusChangeIn,
    TeamMemberIn,
    Text,
    UnavailabilityIn,
    VerificationIn,
    WithdrawIn,
)
from audit.service.views import (
    AuditorOut,
    AuditOut,
    PublicNotice,
    QualificationOut,
    TeamMemberOut,
    UnavailabilityOut,
)
from iims_common.schemas import Output
from iims_common.standard import CLAUSE_NUMBERING_BASIS, REQUIREMENT_CLAUSES


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
        return self.status.label_in()


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


class ObjectionOut(Output):
    id: uuid.UUID
    application_id: uuid.UUID
    lodged_by: str
    text: str
    status: ObjectionStatus
    resolution: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None


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
        return self.severity.label_in()


class CertificationBodyOut(Output):
    id: uuid.UUID
    name: str
    status: str
    province_code: str | None


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
        return self.status.label_in()


class PlannedAuditOut(Output):
    seq: int
    kind: AuditKind
    due_by: dt.date
    audit_id: uuid.UUID | None
    done_on: dt.date | None


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
        return self.status.label_in()


__all__ = [
    "INDUSTRY",
    "ApplicationCreate",
    "ApplicationOut",
    "AuditCreate",
    "AuditOut",
    "AuditPlanFields",
    "AuditorOut",
    "CertificateOut",
    "CertificationBodyOut",
    "Clause",
    "CompetencesIn",
    "CompletionIn",
    "ConclusionOut",
    "CorrectiveActionIn",
    "DecisionIn",
    "FindingCreate",
    "FindingOut",
    "HistoryOut",
    "ObjectionIn",
    "ObjectionOut",
    "ObjectionResolution",
    "PlanCheckIn",
    "PlanCheckOut",
    "PlannedAuditOut",
    "ProposalCreate",
    "ProposalOut",
    "PublicCertificate",
    "PublicNotice",
    "QualificationOut",
    "ReviewIn",
    "ShortText",
    "StatusChangeIn",
    "TeamMemberIn",
    "TeamMemberOut",
    "Text",
    "UnavailabilityIn",
    "UnavailabilityOut",
    "VerificationIn",
    "ViolationOut",
    "WithdrawIn",
]
