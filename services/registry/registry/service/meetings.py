"""会议 use cases: create and change (national meetings the ministry's, a province its own:
`MEETING`'s "organize" rule), list, read, register (one per organization, capacity
exact), the registrations (the organizer all, others their own) and attendance. Authorized
through `MEETING`."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import NotFound
from iims_common.i18n import _
from iims_common.identity import Caller
from registry.db.work import Meeting, MeetingRegistration
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import MEETING


async def create(session: AsyncSession, caller: Caller, command: w.MeetingCreate) -> Meeting:
    return await work.create_meeting(session, caller, command)


def query(
    caller: Caller,
    *,
    year: int | None = None,
    kind: w.MeetingKind | None = None,
    status: w.MeetingStatus | None = None,
    province_code: str | None = None,
) -> sa.Select[Meeting]:
    return MEETING.query(caller, year=year, kind=kind, status=status, province_code=province_code)


async def get(session: AsyncSession, caller: Caller, meeting_id: uuid.UUID) -> Meeting:
    return await MEETING.load(session, caller, meeting_id)


async def change(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    command: w.MeetingUpdate,
    *,
    if_match: str | None,
) -> Meeting:
    """Schedule (dates, place, 现场会 host pilot), hold or cancel (If-Match)."""
    meeting = await MEETING.load(session, caller, meeting_id, for_update=True, if_match=if_match)
    return await work.update_meeting(session, caller, meeting, command)


async def register(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, command: w.RegistrationCreate
) -> MeetingRegistration:
    """报名 (the meeting row is locked there: capacity is never exceeded)."""
    return await work.register(session, caller, meeting_id, command)


async def registrations(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID
) -> sa.Select[MeetingRegistration]:
    """The organizer sees every registration; others see their own."""
    meeting = await MEETING.load(session, caller, meeting_id)
    stmt = sa.select(MeetingRegistration).where(MeetingRegistration.meeting_id == meeting.id)
    if not MEETING.may(caller, "see_registrations", meeting):
        stmt = stmt.where(MeetingRegistration.registrant == work.acting_party(caller))
    return stmt


async def record_attendance(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    registration_id: uuid.UUID,
    command: w.AttendanceUpdate,
    *,
    if_match: str | None,
) -> MeetingRegistration:
    """出席, recorded by the organizer once the meeting is held (If-Match: the meeting's)."""
    meeting = await MEETING.load(session, caller, meeting_id, for_update=True, if_match=if_match)
    reg = await session.get(MeetingRegistration, registration_id)
    if reg is None or reg.meeting_id != meeting.id:
        raise NotFound(
            _("Registration {registration_id} not found", registration_id=registration_id)
        )
    return await work.record_attendance(session, caller, meeting, reg, command.attended)
