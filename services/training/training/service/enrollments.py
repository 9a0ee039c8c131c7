"""报名 use cases: enroll (a seat if one is free, else the waitlist; no overlapping dates),
cancel (the freed seat goes to the waitlist), attendance per module, the exam (a pass grants
the programme's qualification); invitations from pilot-enrolled are read here too.

Every use case is `(session, caller, enrollment_id | session_id, command)`: authorize through
`ENROLLMENT`, load in scope, the rule (`training.domain.rules`), write, record the event.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import utcnow
from iims_common.errors import Conflict, StateConflict
from iims_common.events import CloudEvent
from iims_common.i18n import _
from iims_common.identity import Caller
from iims_common.pagination import Page, PageParams, paginate
from iims_contracts.registry import PilotEnrolled
from training.db import repository
from training.db.tables import Attendance, Enrollment, Invitation, Person, Session
from training.domain import qualifications as qualification_rules
from training.domain import rules
from training.domain.enums import SEAT_HOLDING, EnrollmentStatus
from training.events import publish
from training.service import commands, qualifications
from training.service.policies import ENROLLMENT, INVITATION, PERSON, SESSION
from training.service.programmes import programme_of
from training.service.views import EnrollmentOut


def query(
    caller: Caller,
    *,
    session_id: uuid.UUID | None = None,
    status: EnrollmentStatus | None = None,
    person_id: uuid.UUID | None = None,
) -> sa.Select[Enrollment]:
    return ENROLLMENT.query(caller, session_id=session_id, status=status, person_id=person_id)


async def get(session: AsyncSession, caller: Caller, enrollment_id: uuid.UUID) -> EnrollmentOut:
    return await view(session, await ENROLLMENT.load(session, caller, enrollment_id))


async def page(
    session: AsyncSession, stmt: sa.Select[Enrollment], params: PageParams
) -> Page[EnrollmentOut]:
    """One page of `query`'s enrollments, each with its 候补顺位."""
    rows, cursor = await paginate(session, stmt, Enrollment.id, params)
    return Page(items=await views(session, rows), next_cursor=cursor)


async def views(session: AsyncSession, rows: Sequence[Enrollment]) -> list[EnrollmentOut]:
    """Enrollments as read, each waitlisted one with its computed 候补顺位."""
    positions = await repository.waitlist_positions(session, rows)
    return [
        EnrollmentOut.model_validate(e).model_copy(
            update={"waitlist_position": positions.get(e.id)}
        )
        for e in rows
    ]


async def view(session: AsyncSession, enrollment: Enrollment) -> EnrollmentOut:
    return (await views(session, [enrollment]))[0]


def invitations(caller: Caller) -> sa.Select[Invitation]:
    """Phase-1 invitations of pilot enterprises (one per pilot, from `pilot-enrolled`)."""
    return INVITATION.select(caller)


async def enroll(
    session: AsyncSession, caller: Caller, session_id: uuid.UUID, command: commands.EnrollmentCreate
) -> EnrollmentOut:
    """A seat if one is free, else the waitlist; the same person twice or on overlapping
    dates is refused."""
    ENROLLMENT.authorize(caller, "enroll")
    body = command
    # Lock the session row: concurrent enrollments serialize here, so seats are exact.
    run = await SESSION.load(session, caller, session_id, for_update=True)
    person = await PERSON.load(session, caller, body.person_id, for_update=True)
    existing = await repository.enrollment_of(session, run.id, person.id)
    if existing is not None and existing.status != EnrollmentStatus.cancelled:
        raise Conflict(
            _("This person is already enrolled in this session"), existing_id=str(existing.id)
        )
    clash = await repository.overlapping_enrollment(
        session, person.id, run.starts_on, run.ends_on, exclude=run.id
    )
    if clash is not None:
        raise StateConflict(
            "enrollment.overlap",
            _("The person already holds a session on overlapping dates"),
            conflicting_enrollment_id=str(clash.id),
        )
    taken, _waitlisted = await repository.seat_counts(session, run.id)
    status = rules.seat_or_waitlist(taken, run.capacity)
    if existing is not None:  # re-enrolling after a cancellation
        existing.status = status
        await session.flush()
        return await view(session, existing)
    enrollment = Enrollment(
        session_id=run.id,
        person_id=person.id,
        organization_id=person.organization_id,
        province_code=person.province_code,
        status=status,
    )
    session.add(enrollment)
    await session.flush()
    return await view(session, enrollment)


async def cancel(session: AsyncSession, caller: Caller, enrollment_id: uuid.UUID) -> EnrollmentOut:
    """Cancel an enrollment or a waitlist place; a freed seat goes to the earliest waitlisted."""
    # In scope first (another organization's enrollment is "not found"), then the role.
    enrollment = await ENROLLMENT.load(session, caller, enrollment_id)
    ENROLLMENT.authorize(caller, "cancel")
    # Same lock order as enroll (session, then enrollment), so the two never deadlock.
    await SESSION.load(session, None, enrollment.session_id, for_update=True)
    await session.refresh(enrollment, with_for_update=True)
    if enrollment.status not in (EnrollmentStatus.enrolled, EnrollmentStatus.waitlisted):
        raise StateConflict(
            "enrollment.cancel",
            _("An enrollment that is '{status}' cannot be cancelled", status=enrollment.status),
        )
    freed_seat = enrollment.status == EnrollmentStatus.enrolled
    enrollment.status = EnrollmentStatus.cancelled
    await session.flush()
    if freed_seat:
        # The freed seat goes to the earliest waitlisted enrollment (waitlist order).
        nxt = await repository.first_waitlisted(session, enrollment.session_id)
        if nxt is not None:
            nxt.status = EnrollmentStatus.enrolled
            await session.flush()
    return await view(session, enrollment)


async def record_attendance(
    session: AsyncSession, caller: Caller, enrollment_id: uuid.UUID, body: commands.AttendanceIn
) -> dict[int, Decimal]:
    """A module's hours (capped at the module's hours); all modules done → attended, which
    publishes training-completed."""
    ENROLLMENT.authorize(caller, "attendance")
    enrollment = await ENROLLMENT.load(session, caller, enrollment_id, for_update=True)
    if enrollment.status not in (EnrollmentStatus.enrolled, EnrollmentStatus.attended):
        raise StateConflict(
            "attendance.enrolled-only",
            _(
                "Attendance is recorded for enrolled people, not '{status}'",
                status=enrollment.status,
            ),
        )
    run = await SESSION.load(session, None, enrollment.session_id)
    programme = await programme_of(session, run.programme_code)
    hours = rules.check_attendance(programme, body.module_no, body.hours)
    row = await repository.attendance_row(session, enrollment.id, body.module_no)
    if row is None:
        session.add(Attendance(enrollment_id=enrollment.id, module_no=body.module_no, hours=hours))
    else:
        row.hours = hours
    await session.flush()
    by_module = await repository.hours_by_module(session, enrollment.id)
    before = EnrollmentStatus(enrollment.status)
    enrollment.status = rules.status_after_attendance(programme, by_module, before)
    await session.flush()
    if before is not EnrollmentStatus.attended and enrollment.status == EnrollmentStatus.attended:
        person = await session.get(Person, enrollment.person_id)
        await publish.training_completed(session, enrollment, run, person)
    return by_module


async def record_exam(
    session: AsyncSession,
    caller: Caller,
    enrollment_id: uuid.UUID,
    body: commands.ExamIn,
    *,
    valid_years: int,
) -> EnrollmentOut:
    """The exam score; a pass grants the programme's qualification, valid `valid_years`."""
    ENROLLMENT.authorize(caller, "exam")
    enrollment = await ENROLLMENT.load(session, caller, enrollment_id, for_update=True)
    run = await SESSION.load(session, None, enrollment.session_id)
    programme = await programme_of(session, run.programme_code)
    today = utcnow().date()
    taken_on = body.taken_on or today
    qualification_rules.check_dated(taken_on, run.starts_on, today, "exam")
    enrollment.status = rules.exam_result(
        programme, EnrollmentStatus(enrollment.status), enrollment.exam_attempts, body.score
    )
    enrollment.exam_attempts += 1
    enrollment.exam_score = body.score
    await session.flush()
    if enrollment.status == EnrollmentStatus.passed:
        await qualifications.grant_for_passed_exam(
            session, enrollment, programme, taken_on, valid_years
        )
    return await view(session, enrollment)


PHASE_1 = "enterprise-phase-1"


async def next_phase_1_session(session: AsyncSession, on_or_after: object) -> Session | None:
    """The first phase-1 session starting on or after the date with a free seat."""
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


async def invite_pilot(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
    """A pilot enrolled: invite the enterprise to the next phase-1 session with free seats
    (`no_session` when there is none), once per pilot."""
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
