"""What the gateway consumes: every fact its dashboards count, and every event a province may
subscribe to by webhook. Both effects happen in the inbox transaction (idempotent)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import DashEnterprise
from gateway.domain.dashboard import ALL, Delta
from gateway.domain.webhooks import audience_province
from gateway.service import dashboard, webhooks
from iims_common.events import Route, consumers
from iims_common.events.envelope import CloudEvent
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

Apply = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


async def _enterprise_registered(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await dashboard.enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    e.province_code = data.get("province_code") or e.province_code


async def _recommendation_made(session: AsyncSession, data: dict[str, Any]) -> None:
    await dashboard.add(
        session, data.get("province_code"), [Delta(str(data["batch_id"]), "recommended")]
    )


async def _training_completed(session: AsyncSession, data: dict[str, Any]) -> None:
    await dashboard.add(session, data.get("province_code"), [Delta(ALL, "trained")])


async def _qualification_granted(session: AsyncSession, data: dict[str, Any]) -> None:
    await dashboard.add(
        session, data.get("province_code"), [Delta(ALL, f"qualified.{data['kind']}")]
    )


async def _nothing(session: AsyncSession, data: dict[str, Any]) -> None:
    return None


READ_MODEL: dict[type[EventContract], Apply] = {
    EnterpriseRegistered: _enterprise_registered,
    BatchUpdated: dashboard.batch_updated,
    RecommendationMade: _recommendation_made,
    PilotEnrolled: dashboard.pilot_enrolled,
    PilotStatusChanged: dashboard.pilot_status_changed,
    AssessmentScored: dashboard.assessment_scored,
    TrainingCompleted: _training_completed,
    QualificationGranted: _qualification_granted,
    AuditUpdated: dashboard.audit_updated,
    AuditPassed: _nothing,
    CertificateIssued: dashboard.certificate_issued,
    CertificateStatusChanged: _nothing,
    ProgressReported: dashboard.progress_reported,
    ProvincePlanSubmitted: dashboard.province_plan_submitted,
    # the programme's own work (registry): tasks late, 报送, meetings, funds
    ProgrammeTaskUpdated: dashboard.task_updated,
    TaskSubmissionReceived: dashboard.submission_received,
    MeetingUpdated: dashboard.meeting_updated,
    FundAllocated: dashboard.fund_allocated,
    FundDisbursed: dashboard.fund_disbursed,
    NoticeIssued: _nothing,
    AgencyListPublished: _nothing,
}


async def _province_of(session: AsyncSession, event: CloudEvent) -> str | None:
    data = event.data if isinstance(event.data, dict) else {}
    known = audience_province(data)
    if known is not None:
        return known
    if data.get("enterprise_id"):
        row = await session.get(DashEnterprise, uuid.UUID(str(data["enterprise_id"])))
        return row.province_code if row else None
    return None


def handler(contract: type[EventContract], apply: Apply) -> Route[EventContract]:
    """The read model's effect on the parsed (validated) data, then the webhook deliveries
    (which carry the event's data as received)."""

    async def handle(session: AsyncSession, event: CloudEvent, data: EventContract) -> None:
        await apply(session, data.payload())
        await webhooks.enqueue(session, event, contract.topic, await _province_of(session, event))

    return Route(contract, handle)


gateway_consumers = consumers(
    "gateway", *(handler(contract, apply) for contract, apply in READ_MODEL.items())
)
