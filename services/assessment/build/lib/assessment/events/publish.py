"""Events the assessment service publishes (through the outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db.tables import Assessment
from assessment.settings import EVENT_SOURCE
from iims_common.events.outbox import record_event

ASSESSMENT_SCORED = "assessment-scored"


async def assessment_scored(session: AsyncSession, row: Assessment) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=ASSESSMENT_SCORED,
        key=row.enterprise_id,
        data={
            "assessment_id": row.id,
            "enterprise_id": row.enterprise_id,
            "period": row.period,
            "total_score": float(row.total_score) if row.total_score is not None else None,
            "stage": row.stage,
            "maturity_level": row.management_level,
        },
    )
