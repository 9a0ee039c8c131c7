"""Training rules as plain code: the seed's hours, ID check digits, windows, attendance, exams."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iims_common.errors import RuleViolation, StateConflict
from training.domain import rules
from training.domain.enums import EnrollmentStatus
from training.domain.id_number import check_character, id_number_error, phone_error
from training.domain.programmes import PROGRAMMES


def test_seeded_programmes_match_the_training_plan() -> None:
    expected = {
        "agency-professionals": (8, Decimal(40)),
        "officials": (6, Decimal(8)),
        "enterprise-phase-1": (7, Decimal(16)),
        "enterprise-phase-2": (5, Decimal(24)),
    }
    for code, (modules, hours) in expected.items():
        p = PROGRAMMES[code]
        assert (len(p.modules), p.total_hours) == (modules, hours), code
        assert p.location == "北京"
    assert PROGRAMMES["agency-professionals"].module(4).hours == 24  # type: ignore[union-attr]
    assert PROGRAMMES["officials"].session_days == 1
    assert PROGRAMMES["certification-auditors"].window_label == "10月"


def test_id_number_check_digit() -> None:
    assert check_character("11010519491231002") == "X"
    assert id_number_error("11010519491231002X") is None
    assert str(id_number_error("110105194912310021")) == "第18位（校验码）不正确，应为“X”"
    assert "出生日期" in str(id_number_error("110105194913310028") or "")
    assert id_number_error("1101051949123100") is not None
    assert phone_error("13812345678") is None and phone_error("010-66668888") is None
    assert phone_error("12345") is not None


def test_session_window_and_length() -> None:
    p = PROGRAMMES["enterprise-phase-1"]
    rules.check_session_dates(p, dt.date(2014, 6, 16), dt.date(2014, 6, 18))
    with pytest.raises(RuleViolation) as e:
        rules.check_session_dates(p, dt.date(2014, 6, 10), dt.date(2014, 6, 18))
    assert e.value.rule == "session.within-window"
    with pytest.raises(RuleViolation) as e:
        rules.check_session_dates(PROGRAMMES["officials"], dt.date(2014, 6, 5), dt.date(2014, 6, 6))
    assert e.value.rule == "session.length"


def test_attendance_is_capped_and_completes() -> None:
    p = PROGRAMMES["enterprise-phase-2"]
    assert rules.check_attendance(p, 1, Decimal(12)) == Decimal(8)
    with pytest.raises(RuleViolation):
        rules.check_attendance(p, 9, Decimal(1))
    full = {m.no: m.hours for m in p.modules}
    assert (
        rules.status_after_attendance(p, full, EnrollmentStatus.enrolled)
        is EnrollmentStatus.attended
    )
    partial = {**full, 5: Decimal(7)}
    assert (
        rules.status_after_attendance(p, partial, EnrollmentStatus.enrolled)
        is EnrollmentStatus.enrolled
    )


def test_exam_pass_mark_and_retake_limit() -> None:
    p = PROGRAMMES["agency-professionals"]  # pass mark 70
    assert rules.exam_result(p, EnrollmentStatus.attended, 0, 70) is EnrollmentStatus.passed
    assert rules.exam_result(p, EnrollmentStatus.attended, 0, 69) is EnrollmentStatus.failed
    assert rules.exam_result(p, EnrollmentStatus.failed, 1, 80) is EnrollmentStatus.passed
    with pytest.raises(StateConflict) as e:
        rules.exam_result(p, EnrollmentStatus.failed, 2, 80)
    assert e.value.rule == "exam.retake-limit"
    with pytest.raises(StateConflict):
        rules.exam_result(p, EnrollmentStatus.enrolled, 0, 90)
