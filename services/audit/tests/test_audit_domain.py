"""Pure domain rules: no HTTP, no database."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from audit.domain.application_flow import (
    Action,
    IllegalTransition,
    Readiness,
    months_after,
    next_status,
    readiness_problems,
)
from audit.domain.certificates import cycle, lifecycle_change, new_number, valid_until
from audit.domain.enums import (
    ApplicationStatus,
    AuditKind,
    CertificateStatus,
    FindingStatus,
    QualificationKind,
    Severity,
)
from audit.domain.findings import FindingState, Outcome, conclude, deadline_problem
from audit.domain.team_rules import Auditor, Enterprise, Qualification, Span, audit_days
from iims_common.i18n import _

D = dt.date


def test_flow_is_explicit() -> None:
    s = ApplicationStatus.accepted
    for action in (
        Action.plan_stage1,
        Action.complete_stage1,
        Action.plan_stage2,
        Action.complete_stage2,
        Action.conclude_passed,
        Action.open_review,
        Action.approve_review,
        Action.decide,
    ):
        s = next_status(s, action)
    assert s is ApplicationStatus.certified
    with pytest.raises(IllegalTransition, match="accepted"):
        next_status(ApplicationStatus.accepted, Action.decide)
    assert (
        next_status(ApplicationStatus.stage2_required, Action.plan_stage2)
        is ApplicationStatus.stage2_planned
    )


def test_readiness_three_months() -> None:
    today = D(2014, 11, 30)
    ok = Readiness(D(2014, 8, 30), True, True)
    assert readiness_problems(ok, today) == []
    late = readiness_problems(Readiness(D(2014, 8, 31), False, False), today)
    assert [r for r, _ in late] == [
        "application.system-running-3-months",
        "application.internal-audit-done",
        "application.management-review-done",
    ]
    assert months_after(D(2014, 8, 31), 6) == D(2015, 2, 28)


def test_audit_days_table() -> None:
    assert audit_days(AuditKind.stage2, "large") == 8
    assert audit_days(AuditKind.surveillance, "large") == 4  # ⌈10/3⌉
    assert audit_days(AuditKind.recertification, "micro") == 3  # ⌈2·4/3⌉


def test_finding_deadlines_and_conclusion() -> None:
    end = D(2014, 12, 10)
    assert deadline_problem(Severity.minor, end, D(2015, 3, 10)) is None
    assert deadline_problem(Severity.minor, end, D(2015, 3, 11)) == "finding.minor-deadline"
    assert deadline_problem(Severity.major, end, D(2015, 6, 11)) == "finding.major-deadline"
    major_open = [FindingState(Severity.major, FindingStatus.open)]
    assert conclude(major_open, end, D(2015, 6, 10)).rule == "conclusion.open-major-finding"
    assert conclude(major_open, end, D(2015, 6, 11)).outcome is Outcome.new_stage2_required
    minor = [FindingState(Severity.minor, FindingStatus.plan_submitted)]
    assert conclude(minor, end, end).rule == "conclusion.minor-without-accepted-plan"
    accepted = [
        FindingState(Severity.minor, FindingStatus.plan_accepted),
        FindingState(Severity.observation, FindingStatus.closed),
        FindingState(Severity.major, FindingStatus.closed),
    ]
    assert conclude(accepted, end, end).outcome is Outcome.passed


def test_certificate_cycle_and_lifecycle() -> None:
    decision = D(2014, 12, 15)
    until = valid_until(decision, 3)
    assert until == D(2017, 12, 14)
    plans = cycle(decision, until)
    assert [(p.kind, p.due_by) for p in plans] == [
        (AuditKind.surveillance, D(2015, 12, 15)),
        (AuditKind.surveillance, D(2016, 12, 31)),
        (AuditKind.recertification, D(2017, 12, 14)),
    ]
    valid, suspended = CertificateStatus.valid, CertificateStatus.suspended
    assert lifecycle_change(valid, until, None, plans[:1], D(2015, 12, 15)) is None
    change = lifecycle_change(valid, until, None, plans[:1], D(2015, 12, 16))
    assert change is not None and change.status is suspended
    assert lifecycle_change(suspended, until, D(2015, 12, 16), [], D(2016, 6, 16)) is None
    change = lifecycle_change(suspended, until, D(2015, 12, 16), [], D(2016, 6, 17))
    assert change is not None and change.status is CertificateStatus.withdrawn
    change = lifecycle_change(valid, until, None, [], D(2017, 12, 15))
    assert change is not None and change.status is CertificateStatus.expired
    numbers = {new_number(2014) for _ in range(1000)}
    assert len(numbers) == 1000 and all(len(n) == len("IIMS-RZ-2014-") + 10 for n in numbers)


def test_impartiality_window_is_two_years() -> None:
    consultancy, enterprise = uuid.uuid4(), uuid.uuid4()
    job = Qualification(
        "C1", QualificationKind.consultant, consultancy, D(2010, 1, 1), D(2012, 11, 30)
    )
    a = Auditor(uuid.uuid4(), "王", uuid.uuid4(), (job,))
    target = Enterprise(enterprise, "C26", "large", consultancy)
    assert a.conflicted_with(target, Span(D(2014, 11, 30), D(2014, 12, 1)))
    assert a.conflicted_with(target, Span(D(2014, 12, 1), D(2014, 12, 2))) is None
    own = Qualification("E1", QualificationKind.auditor, enterprise, D(2014, 1, 1), D(2016, 1, 1))
    assert Auditor(uuid.uuid4(), "李", None, (own,)).conflicted_with(
        target, Span(D(2014, 12, 1), D(2014, 12, 1))
    ) == _("works for the enterprise")
