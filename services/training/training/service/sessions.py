"""班次 use cases: open a session of a programme (dates inside its window), list, read.

Sessions are reference data every signed-in caller reads (`SESSION`'s scope)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller
from training.db import repository
from training.db.tables import Session
from training.domain import rules
from training.service.commands import SessionCreate
from training.service.policies import SESSION
from training.service.programmes import programme_of


async def create(session: AsyncSession, caller: Caller, command: SessionCreate) -> Session:
    SESSION.authorize(caller, "create")
    programme = await programme_of(session, command.programme_code)
    rules.check_session_dates(programme, command.starts_on, command.ends_on)
    row = Session(**command.model_dump())
    session.add(row)
    await session.flush()
    return row


def query(caller: Caller, *, programme_code: str | None = None) -> sa.Select[Session]:
    """The sessions the caller may see, of one programme when given (its code as typed: any
    width or case, as `programmes.get` reads it)."""
    if programme_code is not None:
        programme_code = fold_identifier(programme_code).lower()
    return SESSION.query(caller, programme_code=programme_code)


async def get(
    session: AsyncSession, caller: Caller, session_id: uuid.UUID
) -> tuple[Session, int, int]:
    """The session with its seats taken and its waitlist length."""
    run = await SESSION.load(session, caller, session_id)
    taken, waitlisted = await repository.seat_counts(session, run.id)
    return run, taken, waitlisted
