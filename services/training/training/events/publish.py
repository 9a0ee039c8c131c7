"""Events the training service publishes (DESIGN.md catalogue), through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.events.outbox import record_event
from training.db.tables import Qualification
from training.settings import EVENT_SOURCE

QUALIFICATION_GRANTED = "qualification-granted"
QUALIFICATION_REVOKED = "qualification-revoked"


async def qualification_granted(session: AsyncSession, q: Qualification) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=QUALIFICATION_GRANTED,
        key=q.person_id,
        data={
            "qualification_no": q.number,
            "person_id": q.person_id,
            "person_name": q.holder_name,
            "kind": q.kind,
            "organization_id": q.organization_id,
            "granted_on": q.granted_on,
            "valid_until": q.valid_until,
        },
    )


async def qualification_revoked(session: AsyncSession, q: Qualification) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=QUALIFICATION_REVOKED,
        key=q.person_id,
        data={"qualification_no": q.number, "person_id": q.person_id, "reason": q.revoked_reason},
    )
