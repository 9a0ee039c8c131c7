"""试点企业 use cases: select a recommendation as pilot (within the quota), list, read, change
status or consultancy (If-Match), the status history, progress reports. Authorized through
`PILOT` (and `BATCH` for selection)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.http import check_if_match
from iims_common.identity import Caller
from iims_common.pagination import Page, PageParams, paginate
from registry.db.tables import Enterprise, Pilot, PilotStatusChange, ProgressReport
from registry.domain.enums import PilotStatus
from registry.service import dto, programme
from registry.service.policies import BATCH, PILOT


async def select(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID, command: dto.PilotSelect
) -> Pilot:
    """遴选: the batch row is locked, so the quota is never exceeded (publishes pilot-enrolled)."""
    BATCH.authorize(caller, "select_pilot")
    return await programme.select_pilot(session, caller, batch_id, command)


def query(
    caller: Caller,
    *,
    batch_id: uuid.UUID | None = None,
    status: PilotStatus | None = None,
    province_code: str | None = None,
    enterprise_id: uuid.UUID | None = None,
    consultancy_id: uuid.UUID | None = None,
) -> sa.Select[Pilot]:
    return PILOT.query(
        caller,
        batch_id=batch_id,
        status=status,
        province_code=province_code,
        enterprise_id=enterprise_id,
        consultancy_id=consultancy_id,
    )


async def page(
    session: AsyncSession, stmt: sa.Select[Pilot], params: PageParams
) -> Page[dto.PilotOut]:
    """One page of `query`'s pilots, each with its enterprise's name (one query)."""
    rows, cursor = await paginate(session, stmt, Pilot.id, params)
    names = dict(
        (
            await session.execute(
                sa.select(Enterprise.id, Enterprise.name).where(
                    Enterprise.id.in_({p.enterprise_id for p in rows})
                )
            )
        )
        .tuples()
        .all()
    )
    items = [
        dto.PilotOut.model_validate(p).model_copy(
            update={"enterprise_name": names.get(p.enterprise_id)}
        )
        for p in rows
    ]
    return Page[dto.PilotOut](items=items, next_cursor=cursor)


async def get(session: AsyncSession, caller: Caller, pilot_id: uuid.UUID) -> Pilot:
    return await PILOT.load(session, caller, pilot_id)


async def change(
    session: AsyncSession,
    caller: Caller,
    pilot_id: uuid.UUID,
    command: dto.PilotUpdate,
    *,
    if_match: str | None,
) -> Pilot:
    """Status (the manual lifecycle) or consultancy (the ministry). In scope first."""
    pilot = await PILOT.load(session, caller, pilot_id, for_update=True)
    PILOT.authorize(caller, "update")
    check_if_match(if_match, pilot.version)
    return await programme.update_pilot(session, caller, pilot, command)


async def status_history(
    session: AsyncSession, caller: Caller, pilot_id: uuid.UUID
) -> list[PilotStatusChange]:
    await PILOT.load(session, caller, pilot_id)
    rows = await session.scalars(
        sa.select(PilotStatusChange)
        .where(PilotStatusChange.pilot_id == pilot_id)
        .order_by(PilotStatusChange.changed_at, PilotStatusChange.id)
    )
    return list(rows)


async def report_progress(
    session: AsyncSession, caller: Caller, pilot_id: uuid.UUID, command: dto.ProgressReportCreate
) -> ProgressReport:
    """进展报告, one per period (publishes progress-reported). In scope first."""
    pilot = await PILOT.load(session, caller, pilot_id)
    PILOT.authorize(caller, "report_progress")
    return await programme.submit_progress_report(session, caller, pilot, command)


def progress_reports(
    caller: Caller,
    *,
    batch_id: uuid.UUID | None = None,
    pilot_id: uuid.UUID | None = None,
    province_code: str | None = None,
    period: str | None = None,
) -> sa.Select[ProgressReport]:
    """The progress reports of the pilots the caller sees."""
    stmt = (
        sa.select(ProgressReport)
        .join(Pilot, Pilot.id == ProgressReport.pilot_id)
        .where(PILOT.condition(caller))
    )
    for column, value in (
        (ProgressReport.batch_id, batch_id),
        (ProgressReport.pilot_id, pilot_id),
        (ProgressReport.province_code, province_code),
        (ProgressReport.period, period),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt
