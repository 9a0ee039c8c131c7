"""What the gateway consumes: every fact its dashboards count, and every event a province may
subscribe to by webhook. Both effects happen in the inbox transaction (idempotent)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.tables import DashEnterprise
from gateway.domain.dashboard import ALL, Delta
from gateway.service import dashboard, webhooks
from iims_common.events.consumer import EventConsumer
from iims_common.events.envelope import CloudEvent
from iims_common.settings import ServiceSettings

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


READ_MODEL: dict[str, Apply] = {
    "enterprise-registered": _enterprise_registered,
    "batch-updated": dashboard.batch_updated,
    "recommendation-made": _recommendation_made,
    "pilot-enrolled": dashboard.pilot_enrolled,
    "pilot-status-changed": dashboard.pilot_status_changed,
    "assessment-scored": dashboard.assessment_scored,
    "training-completed": _training_completed,
    "qualification-granted": _qualification_granted,
    "audit-updated": dashboard.audit_updated,
    "audit-passed": _nothing,
    "certificate-issued": dashboard.certificate_issued,
    "certificate-status-changed": _nothing,
    "progress-reported": dashboard.progress_reported,
    "province-plan-submitted": dashboard.province_plan_submitted,
    # the programme's own work (registry): tasks late, 报送, meetings, funds
    "programme-task-updated": dashboard.task_updated,
    "task-submission-received": dashboard.submission_received,
    "meeting-updated": dashboard.meeting_updated,
    "fund-allocated": dashboard.fund_allocated,
    "fund-disbursed": dashboard.fund_disbursed,
    "notice-issued": _nothing,
    "agency-list-published": _nothing,
}


async def _province_of(session: AsyncSession, event: CloudEvent) -> str | None:
    data = event.data if isinstance(event.data, dict) else {}
    if data.get("province_code"):
        return str(data["province_code"])
    if data.get("enterprise_id"):
        row = await session.get(DashEnterprise, uuid.UUID(str(data["enterprise_id"])))
        return row.province_code if row else None
    return None


def handler(topic: str, apply: Apply) -> Callable[[AsyncSession, CloudEvent], Awaitable[None]]:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        await apply(session, data)
        await webhooks.enqueue(session, event, topic, await _province_of(session, event))

    return handle


def gateway_consumers(
    settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[EventConsumer]:
    return [
        EventConsumer(
            "gateway",
            settings,
            sessionmaker,
            {topic: handler(topic, apply) for topic, apply in READ_MODEL.items()},
        )
    ]
