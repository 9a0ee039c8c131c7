"""认定申请 flow: which explicit action moves an application from which states to which.

受理 → 文件审核 (stage 1) → 现场审核 (stage 2) → 不符合项验证 → 审核结论 (`audit-passed`) →
合规性审查 → 公示 → 认定决定 and certificate. Anything else is an illegal transition: the API
answers 409 naming the current state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from audit.domain.enums import ApplicationStatus as S
from iims_common.i18n import Message, _


class Action(StrEnum):
    plan_stage1 = "plan_stage1"
    complete_stage1 = "complete_stage1"
    plan_stage2 = "plan_stage2"
    complete_stage2 = "complete_stage2"
    require_new_stage2 = "require_new_stage2"
    conclude_passed = "conclude_passed"
    open_review = "open_review"  # on `audit-passed` (the certification step's inbox)
    approve_review = "approve_review"
    reject_review = "reject_review"
    uphold_objection = "uphold_objection"
    decide = "decide"
    withdraw = "withdraw"


OPEN = (
    S.accepted,
    S.stage1_planned,
    S.stage1_completed,
    S.stage2_planned,
    S.stage2_completed,
    S.stage2_required,
)
TRANSITIONS: dict[Action, tuple[tuple[S, ...], S]] = {
    Action.plan_stage1: ((S.accepted,), S.stage1_planned),
    Action.complete_stage1: ((S.stage1_planned,), S.stage1_completed),
    Action.plan_stage2: ((S.stage1_completed, S.stage2_required), S.stage2_planned),
    Action.complete_stage2: ((S.stage2_planned,), S.stage2_completed),
    Action.require_new_stage2: ((S.stage2_completed,), S.stage2_required),
    Action.conclude_passed: ((S.stage2_completed,), S.audit_passed),
    Action.open_review: ((S.audit_passed,), S.under_review),
    Action.approve_review: ((S.under_review,), S.in_notice),
    Action.reject_review: ((S.under_review,), S.rejected),
    Action.uphold_objection: ((S.in_notice,), S.rejected),
    Action.decide: ((S.in_notice,), S.certified),
    Action.withdraw: (OPEN, S.withdrawn),
}
# Statuses in which an application waits for its next audit, and which audit that is.
AWAITING_AUDIT = {S.accepted: "stage1", S.stage1_completed: "stage2", S.stage2_required: "stage2"}
ACTIVE = frozenset(S) - {S.rejected, S.withdrawn, S.certified}


class IllegalTransition(Exception):
    def __init__(self, action: Action, current: S) -> None:
        allowed = ", ".join(s.value for s in TRANSITIONS[action][0])
        self.message = _(
            "Cannot {action} an application that is {current} (needs: {allowed})",
            action=action.value,
            current=current.value,
            allowed=allowed,
        )
        super().__init__(self.message.render("en"))
        self.action, self.current = action, current


def next_status(current: S, action: Action) -> S:
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise IllegalTransition(action, current)
    return target


@dataclass(frozen=True)
class Readiness:
    """What the enterprise states when it applies (评定申请的前提条件)."""

    system_running_since: dt.date
    internal_audit_done: bool
    management_review_done: bool


MIN_RUNNING_MONTHS = 3


def months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def readiness_problems(r: Readiness, today: dt.date) -> list[tuple[str, Message]]:
    """(rule, reason) for each precondition the application does not meet."""
    problems: list[tuple[str, Message]] = []
    if r.system_running_since > months_before(today, MIN_RUNNING_MONTHS):
        problems.append(
            (
                "application.system-running-3-months",
                _(
                    "the management system must have run at least {months} months "
                    "(running since {since})",
                    months=MIN_RUNNING_MONTHS,
                    since=r.system_running_since.isoformat(),
                ),
            )
        )
    if not r.internal_audit_done:
        problems.append(
            (
                "application.internal-audit-done",
                _("an internal audit (内部审核) must have been done"),
            )
        )
    if not r.management_review_done:
        problems.append(
            (
                "application.management-review-done",
                _("a management review (管理评审) must have been done"),
            )
        )
    return problems
