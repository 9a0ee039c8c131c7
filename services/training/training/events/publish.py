"""Events the training service publishes (contracts in `iims_contracts.training`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.events.outbox import record
from iims_contracts.training import QualificationGranted, QualificationRevoked, TrainingCompleted
from training.db.tables import Enrollment, Person, Qualification, Session


async def qualification_granted(session: AsyncSession, q: Qualification) -> None:
    await record(
        session,
        QualificationGranted(
            qualification_no=q.number,
            person_id=q.person_id,
            person_name=q.holder_name,
            kind=q.kind,
            organization_id=q.organization_id,
            province_code=q.province_code,
            granted_on=q.granted_on,
            valid_until=q.valid_until,
        ),
    )


async def qualification_revoked(session: AsyncSession, q: Qualification) -> None:
    await record(
        session,
        QualificationRevoked(
            qualification_no=q.number, person_id=q.person_id, reason=q.revoked_reason
        ),
    )


async def training_completed(
    session: AsyncSession, enrollment: Enrollment, run: Session, person: Person | None
) -> None:
    """Every module's hours done (已完成学时): what the dashboards count as trained."""
    await record(
        session,
        TrainingCompleted(
            enrollment_id=enrollment.id,
            person_id=enrollment.person_id,
            programme_code=run.programme_code,
            session_id=run.id,
            organization_id=person.organization_id if person else None,
            province_code=person.province_code if person else None,
        ),
    )
