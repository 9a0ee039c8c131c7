"""不符合项 rules and the audit conclusion they lead to.

Majors must be verified closed within 6 months of the last day of stage 2, or a new stage 2
is required; minors may close on an accepted corrective-action plan whose deadline is at
most 90 days after the audit; observations need nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from audit.domain.application_flow import months_after
from audit.domain.enums import FindingStatus, Severity
from iims_common.i18n import Message, _

MINOR_DEADLINE_DAYS = 90
MAJOR_CLOSE_MONTHS = 6


def latest_deadline(severity: Severity, audit_end: dt.date) -> dt.date | None:
    if severity is Severity.minor:
        return audit_end + dt.timedelta(days=MINOR_DEADLINE_DAYS)
    if severity is Severity.major:
        return months_after(audit_end, MAJOR_CLOSE_MONTHS)
    return None


def deadline_problem(severity: Severity, audit_end: dt.date, deadline: dt.date) -> str | None:
    """The rule a corrective-action deadline breaks, or None."""
    latest = latest_deadline(severity, audit_end)
    if latest is None or deadline <= latest:
        return None
    return "finding.minor-deadline" if severity is Severity.minor else "finding.major-deadline"


def can_verify_closed(severity: Severity, audit_end: dt.date, today: dt.date) -> bool:
    """A major closed after its 6 months no longer counts: a new stage 2 is required."""
    return severity is not Severity.major or today <= months_after(audit_end, MAJOR_CLOSE_MONTHS)


@dataclass(frozen=True)
class FindingState:
    severity: Severity
    status: FindingStatus


class Outcome(StrEnum):
    passed = "passed"
    new_stage2_required = "new_stage2_required"
    not_yet = "not_yet"


@dataclass(frozen=True)
class Conclusion:
    outcome: Outcome
    rule: str | None = None
    detail: Message | None = None


def conclude(findings: list[FindingState], stage2_end: dt.date, today: dt.date) -> Conclusion:
    """审核结论 after stage 2: passed, not yet (with the rule), or a new stage 2 required."""
    open_majors = [
        f for f in findings if f.severity is Severity.major and f.status != FindingStatus.closed
    ]
    if open_majors:
        if today > months_after(stage2_end, MAJOR_CLOSE_MONTHS):
            return Conclusion(
                Outcome.new_stage2_required,
                "finding.major-overdue",
                _(
                    "{open_majors} major finding(s) not closed within {months} months of stage 2: a new stage 2 is required",
                    open_majors=len(open_majors),
                    months=MAJOR_CLOSE_MONTHS,
                ),
            )
        return Conclusion(
            Outcome.not_yet,
            "conclusion.open-major-finding",
            _(
                "{open_majors} major finding(s) not yet verified closed",
                open_majors=len(open_majors),
            ),
        )
    unplanned = [
        f
        for f in findings
        if f.severity is Severity.minor
        and f.status not in (FindingStatus.plan_accepted, FindingStatus.closed)
    ]
    if unplanned:
        return Conclusion(
            Outcome.not_yet,
            "conclusion.minor-without-accepted-plan",
            _(
                "{unplanned} minor finding(s) without an accepted corrective-action plan",
                unplanned=len(unplanned),
            ),
        )
    return Conclusion(Outcome.passed)
