"""All training queries, with the caller's scope applied to every read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Role
from iims_common.scoping import (  # noqa: F401 - get_one is part of this module's API
    Scope,
    everything,
    get_one,
    same_organization,
    same_province,
)
from training.db.tables import (
    Attendance,
    Enrollment,
    Invitation,
    Person,
    Qualification,
    Session,
)
from training.domain.enums import SEAT_HOLDING, EnrollmentStatus

NATIONAL = {Role.ministry: everything, Role.management_org: everything}
# Agencies and enterprises see only their own people; provinces read their province's.
PEOPLE = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Person.province_code),
        Role.enterprise: same_organization(Person.organization_id),
        Role.consultancy: same_organization(Person.organization_id),
        Role.certification_body: same_organization(Person.organization_id),
    }
)
ENROLLMENTS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Enrollment.province_code),
        Role.enterprise: same_organization(Enrollment.organization_id),
        Role.consultancy: same_organization(Enrollment.organization_id),
        Role.certification_body: same_organization(Enrollment.organization_id),
    }
)


QUALIFICATIONS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Qualification.province_code),
        Role.enterprise: same_organization(Qualification.organization_id),
        Role.consultancy: same_organization(Qualification.organization_id),
        Role.certification_body: same_organization(Qualification.organization_id),
    }
)


INVITATIONS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Invitation.province_code),
        Role.enterprise: same_organization(Invitation.enterprise_id),
    }
)


async def person_by_index(session: AsyncSession, index: str) -> Person | None:
    return (await session.scalars(sa.select(Person).where(Person.id_number_index == index))).first()


async def seat_counts(session: AsyncSession, session_id: uuid.UUID) -> tuple[int, int]:
    """(seats taken, waitlisted) of a session."""
    rows = await session.execute(
        sa.select(Enrollment.status, sa.func.count())
        .where(Enrollment.session_id == session_id)
        .group_by(Enrollment.status)
    )
    counts = {s: int(n) for s, n in rows}
    taken = sum(n for s, n in counts.items() if s in SEAT_HOLDING)
    return taken, counts.get(EnrollmentStatus.waitlisted, 0)


async def enrollment_of(
    session: AsyncSession, session_id: uuid.UUID, person_id: uuid.UUID
) -> Enrollment | None:
    stmt = sa.select(Enrollment).where(
        Enrollment.session_id == session_id, Enrollment.person_id == person_id
    )
    return (await session.scalars(stmt)).first()


async def overlapping_enrollment(
    session: AsyncSession,
    person_id: uuid.UUID,
    starts_on: dt.date,
    ends_on: dt.date,
    exclude: uuid.UUID,
) -> Enrollment | None:
    stmt = (
        sa.select(Enrollment)
        .join(Session, Session.id == Enrollment.session_id)
        .where(
            Enrollment.person_id == person_id,
            Enrollment.session_id != exclude,
            Enrollment.status.in_([EnrollmentStatus.enrolled, EnrollmentStatus.waitlisted]),
            Session.starts_on <= ends_on,
            starts_on <= Session.ends_on,
        )
    )
    return (await session.scalars(stmt)).first()


async def waitlist_positions(
    session: AsyncSession, enrollments: Sequence[Enrollment]
) -> dict[uuid.UUID, int]:
    """候补顺位 of the waitlisted ones among `enrollments`: {enrollment id: 1-based position}
    in their session's waitlist, in the order `first_waitlisted` gives seats (enrollment id,
    a UUIDv7, i.e. time of enrolling). One query for all the sessions involved."""
    sessions = {e.session_id for e in enrollments if e.status == EnrollmentStatus.waitlisted}
    if not sessions:
        return {}
    rows = await session.execute(
        sa.select(Enrollment.session_id, Enrollment.id)
        .where(
            Enrollment.session_id.in_(sessions), Enrollment.status == EnrollmentStatus.waitlisted
        )
        .order_by(Enrollment.session_id, Enrollment.id)
    )
    positions: dict[uuid.UUID, int] = {}
    counter: dict[uuid.UUID, int] = {}
    for session_id, enrollment_id in rows:
        counter[session_id] = counter.get(session_id, 0) + 1
        positions[enrollment_id] = counter[session_id]
    return positions


async def first_waitlisted(session: AsyncSession, session_id: uuid.UUID) -> Enrollment | None:
    stmt = (
        sa.select(Enrollment)
        .where(
            Enrollment.session_id == session_id, Enrollment.status == EnrollmentStatus.waitlisted
        )
        .order_by(Enrollment.id)
        .limit(1)
        .with_for_update()
    )
    return (await session.scalars(stmt)).first()


async def hours_by_module(session: AsyncSession, enrollment_id: uuid.UUID) -> dict[int, Any]:
    rows = await session.execute(
        sa.select(Attendance.module_no, Attendance.hours).where(
            Attendance.enrollment_id == enrollment_id
        )
    )
    return {int(m): h for m, h in rows}


async def attendance_row(
    session: AsyncSession, enrollment_id: uuid.UUID, module_no: int
) -> Attendance | None:
    stmt = sa.select(Attendance).where(
        Attendance.enrollment_id == enrollment_id, Attendance.module_no == module_no
    )
    return (await session.scalars(stmt)).first()
