"""Training use cases: sessions, people, enrollments (capacity, waitlist, overlap),
attendance and exams. Routes call these inside the request's transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import utcnow
from iims_common.errors import Conflict, NotFound, RuleViolation, StateConflict
from iims_common.i18n import _
from iims_common.identity import Caller, Role
from iims_common.personal_data import PersonalDataVault, mask_id_number, mask_phone
from training.api import schemas
from training.db import repository
from training.db.tables import Attendance, Enrollment, Enterprise, Person, ProgrammeRow, Session
from training.domain import qualifications as qualification_rules
from training.domain import rules
from training.domain.enums import EnrollmentStatus
from training.domain.programmes import Module, Programme, from_record, to_record
from training.events import publish
from training.service import qualifications


async def programme_of(session: AsyncSession, code: str) -> Programme:
    row = await session.get(ProgrammeRow, code)
    if row is None:
        raise NotFound(
            _("Programme {code} not found (see GET /api/v1/programmes)", code=repr(code))
        )
    return from_record(row)


async def create_programme(session: AsyncSession, body: schemas.ProgrammeCreate) -> Programme:
    """A new programme (e.g. the next year's plan); existing programmes are never changed."""
    if await session.get(ProgrammeRow, body.code) is not None:
        raise Conflict(
            _(
                "Programme {code} exists; a changed plan is a new programme code",
                code=repr(body.code),
            )
        )
    programme = Programme(
        code=body.code,
        name=body.name,
        audience=body.audience,
        window_start=body.window_start,
        window_end=body.window_end,
        window_label=body.window_label,
        location=body.location,
        lecturers=body.lecturers,
        modules=tuple(Module(i, m.title, m.hours) for i, m in enumerate(body.modules, start=1)),
        pass_mark=body.pass_mark,
        session_days=body.session_days,
        confers=body.confers,
        source=body.source,
    )
    rules.check_programme(programme)
    session.add(ProgrammeRow(**to_record(programme)))
    await session.flush()
    return programme


async def create_session(session: AsyncSession, body: schemas.SessionCreate) -> Session:
    programme = await programme_of(session, body.programme_code)
    rules.check_session_dates(programme, body.starts_on, body.ends_on)
    row = Session(**body.model_dump())
    session.add(row)
    await session.flush()
    return row


async def register_person(
    session: AsyncSession, caller: Caller, vault: PersonalDataVault, body: schemas.PersonCreate
) -> Person:
    organization_id = body.organization_id or caller.organization_id
    if caller.role not in (Role.ministry, Role.management_org) and (
        organization_id != caller.organization_id
    ):
        raise RuleViolation(
            "person.own-organization", _("You register people of your own organization")
        )
    if organization_id is None:
        raise RuleViolation("person.organization-required", _("organization_id is required"))
    index = vault.blind_index(body.id_number)
    existing = await repository.person_by_index(session, index)
    if existing is not None:
        raise Conflict(
            _("A person with this ID number is registered"), existing_id=str(existing.id)
        )
    person = Person(
        name=body.name,
        organization_id=organization_id,
        organization_kind=body.organization_kind,
        province_code=body.province_code
        or caller.province_code
        or await _province_of_enterprise(session, organization_id),
        id_number_cipher=vault.encrypt(body.id_number),
        id_number_index=index,
        id_number_masked=mask_id_number(body.id_number),
        phone_cipher=vault.encrypt(body.phone) if body.phone else None,
        phone_masked=mask_phone(body.phone) if body.phone else None,
    )
    session.add(person)
    await session.flush()
    return person


async def _province_of_enterprise(session: AsyncSession, organization_id: uuid.UUID) -> str | None:
    """An enterprise's people belong to its province (known from enterprise-registered)."""
    enterprise = await session.get(Enterprise, organization_id)
    return enterprise.province_code if enterprise else None


async def enroll(
    session: AsyncSession, caller: Caller, session_id: uuid.UUID, body: schemas.EnrollmentCreate
) -> Enrollment:
    # Lock the session row: concurrent enrollments serialize here, so seats are exact.
    run = await repository.get_one(session, Session, session_id, for_update=True, what="Session")
    person = await repository.get_one(
        session,
        Person,
        body.person_id,
        repository.PEOPLE.condition(caller),
        for_update=True,
        what="Person",
    )
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
        return existing
    enrollment = Enrollment(
        session_id=run.id,
        person_id=person.id,
        organization_id=person.organization_id,
        province_code=person.province_code,
        status=status,
    )
    session.add(enrollment)
    await session.flush()
    return enrollment


async def cancel(session: AsyncSession, enrollment: Enrollment) -> Enrollment:
    # Same lock order as enroll (session, then enrollment), so the two never deadlock.
    await repository.get_one(
        session, Session, enrollment.session_id, for_update=True, what="Session"
    )
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
    return enrollment


async def record_attendance(
    session: AsyncSession, enrollment: Enrollment, body: schemas.AttendanceIn
) -> dict[int, Decimal]:
    if enrollment.status not in (EnrollmentStatus.enrolled, EnrollmentStatus.attended):
        raise StateConflict(
            "attendance.enrolled-only",
            _(
                "Attendance is recorded for enrolled people, not '{status}'",
                status=enrollment.status,
            ),
        )
    run = await repository.get_one(session, Session, enrollment.session_id, what="Session")
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
    session: AsyncSession, enrollment: Enrollment, body: schemas.ExamIn, valid_years: int
) -> Enrollment:
    run = await repository.get_one(session, Session, enrollment.session_id, what="Session")
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
    return enrollment
