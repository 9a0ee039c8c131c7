"""不符合项 use cases: raise, corrective-action plan, accept, verify closed (the rules first,
then the one door per operation: authorize through `FINDING`/`AUDIT`, load in scope, rule,
write)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db import repository
from audit.db.tables import Audit, Finding
from audit.domain import findings as rules
from audit.domain.enums import AuditKind, AuditStatus, FindingStatus, Severity
from audit.service.commands import CorrectiveActionIn, FindingCreate, VerificationIn
from audit.service.policies import AUDIT, FINDING
from iims_common.errors import Conflict, RuleViolation
from iims_common.i18n import _
from iims_common.identity import Caller


async def _raise_finding(
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


async def _submit_plan(
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


async def _accept_plan(session: AsyncSession, finding: Finding, today: dt.date) -> Finding:
    _require(finding, FindingStatus.plan_submitted, action="accept the plan of")
    finding.status = FindingStatus.plan_accepted
    finding.plan_accepted_on = today
    await session.flush()
    return finding


async def _verify_closed(
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


# --- use cases: the one door per operation on a finding -------------------------------------


async def raise_finding(
    session: AsyncSession, caller: Caller, audit_id: uuid.UUID, command: FindingCreate
) -> Finding:
    """不符合项 raised on an audit by its certification body."""
    AUDIT.authorize(caller, "raise_finding")
    audit = await AUDIT.load(session, caller, audit_id)
    return await _raise_finding(
        session, audit, command.clause, command.severity, command.description
    )


async def of_audit(session: AsyncSession, caller: Caller, audit_id: uuid.UUID) -> list[Finding]:
    await AUDIT.load(session, caller, audit_id)
    rows = await session.scalars(
        sa.select(Finding).where(Finding.audit_id == audit_id).order_by(Finding.id)
    )
    return list(rows)


async def get(session: AsyncSession, caller: Caller, finding_id: uuid.UUID) -> Finding:
    return await FINDING.load(session, caller, finding_id)


async def _for_action(
    session: AsyncSession, caller: Caller, finding_id: uuid.UUID, action: str
) -> tuple[Finding, Audit]:
    FINDING.authorize(caller, action)
    finding = await FINDING.load(session, caller, finding_id, for_update=True)
    audit = await session.get(Audit, finding.audit_id)
    assert audit is not None
    return finding, audit


async def submit_plan(
    session: AsyncSession, caller: Caller, finding_id: uuid.UUID, command: CorrectiveActionIn
) -> Finding:
    """纠正措施 with its deadline (minor ≤ 90 days after the audit; major ≤ 6 months)."""
    finding, audit = await _for_action(session, caller, finding_id, "correct")
    return await _submit_plan(session, finding, audit, command.action, command.deadline)


async def accept_plan(session: AsyncSession, caller: Caller, finding_id: uuid.UUID) -> Finding:
    FINDING.authorize(caller, "accept")
    finding = await FINDING.load(session, caller, finding_id, for_update=True)
    return await _accept_plan(session, finding, repository.today())


async def verify_closed(
    session: AsyncSession, caller: Caller, finding_id: uuid.UUID, command: VerificationIn
) -> Finding:
    """验证关闭: a major later than 6 months after stage 2 is refused (finding.major-overdue)."""
    finding, audit = await _for_action(session, caller, finding_id, "verify")
    return await _verify_closed(session, finding, audit, command.verification, repository.today())
