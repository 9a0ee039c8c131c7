"""不符合项 use cases: raise, corrective-action plan, accept, verify closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from audit.db.tables import Audit, Finding
from audit.domain import findings as rules
from audit.domain.enums import AuditKind, AuditStatus, FindingStatus, Severity
from iims_common.errors import Conflict, RuleViolation
from iims_common.i18n import _


async def raise_finding(
    session: AsyncSession, audit: Audit, clause: str, severity: Severity, description: str
) -> Finding:
    if audit.status == AuditStatus.cancelled:
        raise Conflict(_("The audit was cancelled"), current_state=audit.status)
    finding = Finding(
        audit_id=audit.id,
        application_id=audit.application_id,
        clause=clause,
        severity=severity,
        description=description,
        # An observation (观察项) needs no corrective action.
        status=FindingStatus.closed if severity is Severity.observation else FindingStatus.open,
    )
    session.add(finding)
    await session.flush()
    return finding


def _require(finding: Finding, *allowed: FindingStatus, action: str) -> None:
    if finding.status not in allowed:
        raise Conflict(
            _("Cannot {action} a finding that is {status}", action=action, status=finding.status),
            current_state=finding.status,
        )


async def submit_plan(
    session: AsyncSession, finding: Finding, audit: Audit, action: str, deadline: dt.date
) -> Finding:
    _require(finding, FindingStatus.open, FindingStatus.plan_submitted, action="plan")
    problem = rules.deadline_problem(Severity(finding.severity), audit.ends_on, deadline)
    if problem:
        latest = rules.latest_deadline(Severity(finding.severity), audit.ends_on)
        assert latest is not None
        raise RuleViolation(
            problem,
            _(
                "The corrective action of a {severity} finding must be due by {isoformat}",
                severity=finding.severity,
                isoformat=latest.isoformat(),
            ),
        )
    finding.corrective_action, finding.deadline = action, deadline
    finding.status = FindingStatus.plan_submitted
    await session.flush()
    return finding


async def accept_plan(session: AsyncSession, finding: Finding, today: dt.date) -> Finding:
    _require(finding, FindingStatus.plan_submitted, action="accept the plan of")
    finding.status = FindingStatus.plan_accepted
    finding.plan_accepted_on = today
    await session.flush()
    return finding


async def verify_closed(
    session: AsyncSession, finding: Finding, audit: Audit, verification: str, today: dt.date
) -> Finding:
    _require(
        finding,
        FindingStatus.open,
        FindingStatus.plan_submitted,
        FindingStatus.plan_accepted,
        action="close",
    )
    severity = Severity(finding.severity)
    if AuditKind(audit.kind) is AuditKind.stage2 and not rules.can_verify_closed(
        severity, audit.ends_on, today
    ):
        raise RuleViolation(
            "finding.major-overdue",
            _(
                "A major finding must be verified closed within {MAJOR_CLOSE_MONTHS} months of stage 2 (ended {isoformat}): a new stage 2 is required",
                MAJOR_CLOSE_MONTHS=rules.MAJOR_CLOSE_MONTHS,
                isoformat=audit.ends_on.isoformat(),
            ),
        )
    finding.status = FindingStatus.closed
    finding.verification = verification
    finding.closed_on = today
    await session.flush()
    return finding
