"""Rules of sessions, enrollments, attendance and exams (plain code)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from iims_common.errors import RuleViolation, StateConflict
from iims_common.i18n import _
from training.domain.enums import EnrollmentStatus
from training.domain.programmes import Programme

MAX_EXAM_ATTEMPTS = 2  # the exam and one retake per enrollment; then enroll again


def check_session_dates(programme: Programme, starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise RuleViolation("session.dates-order", _("ends_on is before starts_on"))
    if starts_on < programme.window_start or ends_on > programme.window_end:
        raise RuleViolation(
            "session.within-window",
            _(
                "{name} runs {window_label} ({window_start}–{window_end}); the session must lie inside",
                name=programme.name,
                window_label=programme.window_label,
                window_start=programme.window_start,
                window_end=programme.window_end,
            ),
        )
    if programme.session_days and (ends_on - starts_on).days + 1 != programme.session_days:
        raise RuleViolation(
            "session.length",
            _(
                "A session of this programme lasts {session_days} day(s)",
                session_days=programme.session_days,
            ),
        )


def check_programme(programme: Programme) -> None:
    if programme.window_end < programme.window_start:
        raise RuleViolation("programme.window", _("window_end is before window_start"))
    if not programme.modules or any(m.hours <= 0 for m in programme.modules):
        raise RuleViolation(
            "programme.modules", _("A programme needs modules, each with hours > 0")
        )
    if (
        programme.session_days
        and (programme.window_end - programme.window_start).days + 1 < programme.session_days
    ):
        raise RuleViolation("programme.session-days", _("session_days does not fit in the window"))


def overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def seat_or_waitlist(seats_taken: int, capacity: int) -> EnrollmentStatus:
    return EnrollmentStatus.enrolled if seats_taken < capacity else EnrollmentStatus.waitlisted


def check_attendance(programme: Programme, module_no: int, hours: Decimal) -> Decimal:
    """The hours to record for a module: never more than the module has."""
    module = programme.module(module_no)
    if module is None:
        raise RuleViolation(
            "attendance.module",
            _("{name} has modules 1–{len}", name=programme.name, len=len(programme.modules)),
        )
    if hours < 0:
        raise RuleViolation("attendance.hours", _("hours cannot be negative"))
    return min(hours, module.hours)


def status_after_attendance(
    programme: Programme, hours_by_module: dict[int, Decimal], current: EnrollmentStatus
) -> EnrollmentStatus:
    complete = all(hours_by_module.get(m.no, Decimal(0)) >= m.hours for m in programme.modules)
    if current is EnrollmentStatus.enrolled and complete:
        return EnrollmentStatus.attended
    return current


def exam_result(
    programme: Programme, current: EnrollmentStatus, attempts: int, score: int
) -> EnrollmentStatus:
    if current not in (EnrollmentStatus.attended, EnrollmentStatus.failed):
        raise StateConflict(
            "exam.after-attendance",
            _("The exam is taken after every module's hours are complete (status attended)"),
        )
    if attempts >= MAX_EXAM_ATTEMPTS:
        raise StateConflict(
            "exam.retake-limit",
            _(
                "At most {MAX_EXAM_ATTEMPTS} exam attempts per enrollment; enroll in a new session",
                MAX_EXAM_ATTEMPTS=MAX_EXAM_ATTEMPTS,
            ),
        )
    return EnrollmentStatus.passed if score >= programme.pass_mark else EnrollmentStatus.failed
