"""Events the assessment service publishes (contracts in `iims_contracts.assessment`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db.tables import Assessment
from iims_common.events.outbox import record
from iims_contracts.assessment import AssessmentScored


async def assessment_scored(session: AsyncSession, row: Assessment) -> None:
    if row.total_score is None or row.stage is None:
        raise ValueError(f"assessment {row.id} is not scored")
    await record(
        session,
        AssessmentScored(
            assessment_id=row.id,
            enterprise_id=row.enterprise_id,
            period=row.period,
            total_score=float(row.total_score),
            stage=row.stage,
            maturity_level=row.management_level,
        ),
    )
