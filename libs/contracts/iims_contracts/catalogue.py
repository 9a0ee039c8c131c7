"""The catalogue: every contract, and lookups by topic and CloudEvents type. The only list of
topics in the code base — the topics CLI, consumer routing, the gateway's webhook event types
and the AsyncAPI document all derive from it."""

from __future__ import annotations

from iims_contracts.assessment import AssessmentScored
from iims_contracts.audit import (
    AuditPassed,
    AuditUpdated,
    CertificateIssued,
    CertificateStatusChanged,
)
from iims_contracts.base import EventContract
from iims_contracts.registry import (
    AgencyUpdated,
    BatchUpdated,
    EnterpriseRegistered,
    PilotEnrolled,
    PilotStatusChanged,
    ProgressReported,
    ProvincePlanSubmitted,
    RecommendationMade,
)
from iims_contracts.training import QualificationGranted, QualificationRevoked, TrainingCompleted
from iims_contracts.work import (
    AgencyListPublished,
    DocumentPublished,
    FundAllocated,
    FundDisbursed,
    MeetingUpdated,
    NoticeIssued,
    ProgrammeTaskUpdated,
    TaskSubmissionReceived,
)

CONTRACTS: tuple[type[EventContract], ...] = (
    # DESIGN.md §1 event catalogue
    EnterpriseRegistered,
    PilotEnrolled,
    AgencyUpdated,
    AssessmentScored,
    QualificationGranted,
    QualificationRevoked,
    AuditPassed,
    CertificateIssued,
    CertificateStatusChanged,
    # added since, for the gateway's dashboards
    BatchUpdated,
    RecommendationMade,
    PilotStatusChanged,
    ProgressReported,
    ProvincePlanSubmitted,
    TrainingCompleted,
    AuditUpdated,
    # the programme's own work (registry)
    ProgrammeTaskUpdated,
    TaskSubmissionReceived,
    MeetingUpdated,
    NoticeIssued,
    DocumentPublished,
    FundAllocated,
    FundDisbursed,
    AgencyListPublished,
)

BY_TYPE: dict[str, type[EventContract]] = {c.event_type(): c for c in CONTRACTS}


def topics() -> list[str]:
    """Every topic, in catalogue order, each once (a topic may carry several versions)."""
    return list(dict.fromkeys(c.topic for c in CONTRACTS))


def contracts_for(topic: str) -> list[type[EventContract]]:
    """The contracts (versions) a topic carries; empty if the topic is not in the catalogue."""
    return [c for c in CONTRACTS if c.topic == topic]


def contract_for_type(event_type: str) -> type[EventContract] | None:
    """The contract of a CloudEvents `type` (`cn.iims.pilot-enrolled.v1`), or None."""
    return BY_TYPE.get(event_type)


def webhook_event_types() -> tuple[str, ...]:
    """The topics a province may subscribe to by webhook (Standard Webhooks deliveries)."""
    return tuple(dict.fromkeys(c.topic for c in CONTRACTS if c.webhook))


def _check_unique() -> None:
    if len(BY_TYPE) != len(CONTRACTS):
        raise RuntimeError("two contracts declare the same CloudEvents type")


_check_unique()
