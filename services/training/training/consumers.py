"""Events the training service consumes: `enterprise-registered` (the facts it needs) and
`pilot-enrolled` (invite the enterprise to the next phase-1 session with free seats, once)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.db import utcnow
from iims_common.events.consumer import EventConsumer, route
from iims_common.events.envelope import CloudEvent
from iims_common.settings import ServiceSettings
from iims_contracts.registry import EnterpriseRegistered, PilotEnrolled
from training.db.tables import Enrollment, Enterprise, Invitation, Session
from training.domain.enums import SEAT_HOLDING

PHASE_1 = "enterprise-phase-1"


async def on_enterprise_registered(
    session: AsyncSession, event: CloudEvent, data: EnterpriseRegistered
) -> None:
    row = await session.get(Enterprise, data.enterprise_id)
    if row is None:
        session.add(
            Enterprise(
                id=data.enterprise_id,
                name=data.name,
                province_code=data.province_code,
                industry_code=data.industry_code,
            )
        )
    else:
        row.name, row.province_code, row.industry_code = (
            data.name,
            data.province_code,
            data.industry_code,
        )


async def next_phase_1_session(session: AsyncSession, on_or_after: object) -> Session | None:
    taken = (
        sa.select(sa.func.count())
        .where(Enrollment.session_id == Session.id, Enrollment.status.in_(list(SEAT_HOLDING)))
        .scalar_subquery()
    )
    stmt = (
        sa.select(Session)
        .where(
            Session.programme_code == PHASE_1,
            Session.starts_on >= on_or_after,
            taken < Session.capacity,
        )
        .order_by(Session.starts_on, Session.id)
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def on_pilot_enrolled(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
    # The inbox makes a redelivered event a no-op; the unique pilot_id makes a second event
    # about the same pilot (a replay with a new id) one too.
    exists = await session.scalar(
        sa.select(Invitation.id).where(Invitation.pilot_id == data.pilot_id)
    )
    if exists is not None:
        return
    when = (event.time or utcnow()).date()
    run = await next_phase_1_session(session, when)
    session.add(
        Invitation(
            pilot_id=data.pilot_id,
            enterprise_id=data.enterprise_id,
            province_code=data.province_code,
            session_id=run.id if run else None,
            status="invited" if run else "no_session",
        )
    )


def training_consumers(
    settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[EventConsumer]:
    return [
        EventConsumer(
            "training",
            settings,
            sessionmaker,
            [
                route(EnterpriseRegistered, on_enterprise_registered),
                route(PilotEnrolled, on_pilot_enrolled),
            ],
        )
    ]
