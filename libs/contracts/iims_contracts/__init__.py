"""IIMS event contracts: one typed model per event type and version (`EventContract`
subclasses), the topic and CloudEvents type named once beside each, the catalogue, and the
AsyncAPI 3.0 document generated from them (`iims_contracts.asyncapi`).

Producers build a contract and hand it to `iims_common.events.record_event`; consumers
register handlers per contract class and receive the parsed model.
"""

from iims_contracts.assessment import AssessmentScored
from iims_contracts.audit import (
    AuditPassed,
    AuditUpdated,
    CertificateIssued,
    CertificateStatusChanged,
)
from iims_contracts.base import EventContract
from iims_contracts.catalogue import (
    CONTRACTS,
    contract_for_type,
    contracts_for,
    topics,
    webhook_event_types,
)
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

__all__ = [
    "CONTRACTS",
    "AgencyListPublished",
    "AgencyUpdated",
    "AssessmentScored",
    "AuditPassed",
    "AuditUpdated",
    "BatchUpdated",
    "CertificateIssued",
    "CertificateStatusChanged",
    "DocumentPublished",
    "EnterpriseRegistered",
    "EventContract",
    "FundAllocated",
    "FundDisbursed",
    "MeetingUpdated",
    "NoticeIssued",
    "PilotEnrolled",
    "PilotStatusChanged",
    "ProgrammeTaskUpdated",
    "ProgressReported",
    "ProvincePlanSubmitted",
    "QualificationGranted",
    "QualificationRevoked",
    "RecommendationMade",
    "TaskSubmissionReceived",
    "TrainingCompleted",
    "contract_for_type",
    "contracts_for",
    "topics",
    "webhook_event_types",
]
