"""What the gateway consumes — an entry point beside the routes: every fact its dashboards
count, and every event a province may subscribe to by webhook, each contract mapped to its
`dashboard` use case; `read_model.counted_and_delivered` applies it and queues the webhook
deliveries, in the inbox transaction (idempotent)."""

from __future__ import annotations

from gateway.service import dashboard, read_model
from iims_common.events import consumers
from iims_contracts import (
    AgencyListPublished,
    AssessmentScored,
    AuditPassed,
    AuditUpdated,
    BatchUpdated,
    CertificateIssued,
    CertificateStatusChanged,
    EnterpriseRegistered,
    EventContract,
    FundAllocated,
    FundDisbursed,
    MeetingUpdated,
    NoticeIssued,
    PilotEnrolled,
    PilotStatusChanged,
    ProgrammeTaskUpdated,
    ProgressReported,
    ProvincePlanSubmitted,
    QualificationGranted,
    RecommendationMade,
    TaskSubmissionReceived,
    TrainingCompleted,
)

READ_MODEL: dict[type[EventContract], read_model.Apply] = {
    EnterpriseRegistered: dashboard.enterprise_registered,
    BatchUpdated: dashboard.batch_updated,
    RecommendationMade: dashboard.recommendation_made,
    PilotEnrolled: dashboard.pilot_enrolled,
    PilotStatusChanged: dashboard.pilot_status_changed,
    AssessmentScored: dashboard.assessment_scored,
    TrainingCompleted: dashboard.training_completed,
    QualificationGranted: dashboard.qualification_granted,
    AuditUpdated: dashboard.audit_updated,
    AuditPassed: dashboard.not_counted,
    CertificateIssued: dashboard.certificate_issued,
    CertificateStatusChanged: dashboard.not_counted,
    ProgressReported: dashboard.progress_reported,
    ProvincePlanSubmitted: dashboard.province_plan_submitted,
    # the programme's own work (registry): tasks late, 报送, meetings, funds
    ProgrammeTaskUpdated: dashboard.task_updated,
    TaskSubmissionReceived: dashboard.submission_received,
    MeetingUpdated: dashboard.meeting_updated,
    FundAllocated: dashboard.fund_allocated,
    FundDisbursed: dashboard.fund_disbursed,
    NoticeIssued: dashboard.not_counted,
    AgencyListPublished: dashboard.not_counted,
}


gateway_consumers = consumers(
    "gateway",
    *(read_model.counted_and_delivered(c, apply) for c, apply in READ_MODEL.items()),
)
