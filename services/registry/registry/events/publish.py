"""Events the registry publishes (contracts in `iims_contracts.registry`), through the outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.events.outbox import record
from iims_contracts.registry import (
    AgencyUpdated,
    BatchUpdated,
    EnterpriseRegistered,
    PilotEnrolled,
    PilotStatusChanged,
    ProgressReported,
    ProvincePlanSubmitted,
    QuotaChange,
    RecommendationMade,
)
from registry.db.tables import (
    Agency,
    Batch,
    BatchQuotaChange,
    Enterprise,
    Pilot,
    ProgressReport,
    ProvincePlan,
    Recommendation,
)


def enterprise_registered_event(e: Enterprise | dict[str, Any]) -> EnterpriseRegistered:
    """The contract of an enterprise row (an ORM object or an imported row's dict)."""
    get = e.get if isinstance(e, dict) else lambda k: getattr(e, k)
    return EnterpriseRegistered(
        enterprise_id=get("id"),
        uscc=get("uscc"),
        name=get("name"),
        province_code=get("province_code"),
        industry_code=get("industry_code"),
        size=get("size"),
    )


async def enterprise_registered(session: AsyncSession, enterprise: Enterprise) -> None:
    await record(session, enterprise_registered_event(enterprise))


async def enterprises_registered(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Bulk variant for imports (one multi-row INSERT into the outbox)."""
    await record(session, *(enterprise_registered_event(row) for row in rows))


async def pilot_enrolled(session: AsyncSession, pilot: Pilot, batch: Batch) -> None:
    await record(
        session,
        PilotEnrolled(
            pilot_id=pilot.id,
            batch_id=batch.id,
            year=batch.year,
            enterprise_id=pilot.enterprise_id,
            province_code=pilot.province_code,
            industry_code=pilot.industry_code,
            consultancy_id=pilot.consultancy_id,
        ),
    )


async def agency_updated(session: AsyncSession, agency: Agency) -> None:
    await record(
        session,
        AgencyUpdated(
            agency_id=agency.id,
            uscc=agency.uscc,
            name=agency.name,
            kind=agency.kind,
            status=agency.status,
            province_code=agency.province_code,
        ),
    )


async def batch_updated(
    session: AsyncSession, batch: Batch, quota_change: BatchQuotaChange | None = None
) -> None:
    """`quota_change` (optional field): when and why the pilot quota changed."""
    await record(
        session,
        BatchUpdated(
            batch_id=batch.id,
            year=batch.year,
            name=batch.name,
            pilot_quota=batch.pilot_quota,
            certification_target=batch.certification_target,
            plan_deadline=batch.plan_deadline,
            quota_change=QuotaChange(
                from_quota=quota_change.from_quota,
                to_quota=quota_change.to_quota,
                changed_on=quota_change.changed_on,
                reason=quota_change.reason,
            )
            if quota_change
            else None,
        ),
    )


async def recommendation_made(session: AsyncSession, rec: Recommendation) -> None:
    await record(
        session,
        RecommendationMade(
            recommendation_id=rec.id,
            batch_id=rec.batch_id,
            enterprise_id=rec.enterprise_id,
            province_code=rec.province_code,
        ),
    )


async def pilot_status_changed(
    session: AsyncSession, pilot: Pilot, previous: str | None, reason: str | None
) -> None:
    await record(
        session,
        PilotStatusChanged(
            pilot_id=pilot.id,
            batch_id=pilot.batch_id,
            enterprise_id=pilot.enterprise_id,
            province_code=pilot.province_code,
            from_status=previous,
            status=pilot.status,
            reason=reason,
        ),
    )


async def progress_reported(
    session: AsyncSession, report: ProgressReport, enterprise_id: UUID
) -> None:
    await record(
        session,
        ProgressReported(
            report_id=report.id,
            pilot_id=report.pilot_id,
            batch_id=report.batch_id,
            enterprise_id=enterprise_id,
            province_code=report.province_code,
            period=report.period,
            percent=report.percent,
        ),
    )


async def province_plan_submitted(session: AsyncSession, plan: ProvincePlan, batch: Batch) -> None:
    submitted_on = plan.submitted_at.date()
    await record(
        session,
        ProvincePlanSubmitted(
            plan_id=plan.id,
            batch_id=batch.id,
            province_code=plan.province_code,
            submitted_on=submitted_on,
            late=bool(batch.plan_deadline and submitted_on > batch.plan_deadline),
        ),
    )
