"""认定申请 use cases: apply, each explicit transition, conclusion, review, notice, decision."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db import repository
from audit.db.tables import Agency, Application, ApplicationEvent, Audit, Enterprise, Finding
from audit.db.tables import Objection as ObjectionRow
from audit.domain import findings as finding_rules
from audit.domain.application_flow import (
    ACTIVE,
    Action,
    IllegalTransition,
    Readiness,
    next_status,
    readiness_problems,
)
from audit.domain.enums import ApplicationStatus, AuditKind, FindingStatus, Severity
from audit.events import publish
from audit.service import views
from audit.service.commands import (
    ApplicationCreate,
    ObjectionIn,
    ObjectionResolution,
    ReviewIn,
    WithdrawIn,
)
from audit.service.policies import APPLICATION
from iims_common.db import utcnow
from iims_common.errors import Conflict, NotFound, RuleViolation
from iims_common.events import CloudEvent
from iims_common.i18n import _, join, text
from iims_common.identity import Caller, Role
from iims_common.pagination import Page, PageParams, paginate
from iims_contracts import AuditPassed

CERTIFICATION_BODY = "certification_body"
AUTHORIZED = "authorized"


def ensure_can(application: Application, action: Action) -> ApplicationStatus:
    """The status `action` leads to, or a 409 naming the current state."""
    current = ApplicationStatus(application.status)
    try:
        return next_status(current, action)
    except IllegalTransition as e:
        raise Conflict(e.message, current_state=current.value, action=action.value) from e


async def transition(
    session: AsyncSession,
    application: Application,
    action: Action,
    actor: str,
    note: str | None = None,
) -> Application:
    current = ApplicationStatus(application.status)
    target = ensure_can(application, action)
    application.status = target
    session.add(history(application.id, action, current, target, actor, note))
    await session.flush()
    return application


def history(
    application_id: uuid.UUID,
    action: str,
    previous: str | None,
    target: str,
    actor: str,
    note: str | None = None,
) -> ApplicationEvent:
    return ApplicationEvent(
        application_id=application_id,
        action=action,
        from_status=previous,
        to_status=target,
        actor=actor,
        note=note,
    )


async def apply(
    session: AsyncSession,
    caller: Caller,
    *,
    enterprise_id: uuid.UUID,
    body_id: uuid.UUID,
    scope: str,
    site: str,
    readiness: Readiness,
    today: dt.date,
) -> Application:
    """评定申请: accepted (受理) only for a known enterprise, an authorized certification body
    and a management system that has run 3 months with an internal audit and a review."""
    enterprise = await session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise RuleViolation(
            "application.enterprise-unknown",
            _(
                "Enterprise {enterprise_id} is not registered on the platform (yet)",
                enterprise_id=enterprise_id,
            ),
        )
    body = await session.get(Agency, body_id)
    if body is None or body.kind != CERTIFICATION_BODY or body.status != AUTHORIZED:
        raise RuleViolation(
            "application.body-not-authorized",
            _(
                "{body_id} is not a certification body authorized by the management organization",
                body_id=body_id,
            ),
        )
    problems = readiness_problems(readiness, today)
    if problems:
        raise RuleViolation(
            problems[0][0],
            _(
                "The application cannot be accepted: {reasons}",
                reasons=join([reason for _rule, reason in problems]),
            ),
            rules=[rule for rule, _reason in problems],
        )
    open_one = await session.scalar(
        sa.select(Application.id).where(
            Application.enterprise_id == enterprise_id,
            Application.status.in_([s.value for s in ACTIVE]),
        )
    )
    if open_one is not None:
        raise Conflict(
            _("The enterprise already has an application in progress"),
            existing_id=str(open_one),
        )
    application = Application(
        enterprise_id=enterprise_id,
        body_id=body_id,
        province_code=enterprise.province_code,
        consultancy_id=enterprise.consultancy_id,
        scope=scope,
        site=site,
        system_running_since=readiness.system_running_since,
        internal_audit_done=readiness.internal_audit_done,
        management_review_done=readiness.management_review_done,
        status=ApplicationStatus.accepted,
    )
    session.add(application)
    await session.flush()
    session.add(
        history(application.id, "apply", None, ApplicationStatus.accepted, caller.client_key)
    )
    await session.flush()
    return application


async def findings_for_conclusion(
    session: AsyncSession, application: Application
) -> tuple[Audit, list[Finding]]:
    stage2 = await repository.latest_audit(
        session, application.id, AuditKind.stage2, completed=True
    )
    if stage2 is None:  # status says stage2_completed, so this is a broken invariant
        raise Conflict(_("No completed stage 2 audit"), current_state=application.status)
    stage1 = await repository.latest_audit(
        session, application.id, AuditKind.stage1, completed=True
    )
    audits = [stage2.id] + ([stage1.id] if stage1 else [])
    rows = await session.scalars(sa.select(Finding).where(Finding.audit_id.in_(audits)))
    return stage2, list(rows)


async def _conclude(
    session: AsyncSession, application: Application, actor: str, today: dt.date
) -> finding_rules.Conclusion:
    """审核结论: `audit-passed` through the outbox, or a new stage 2, or a 422 naming the rule."""
    ensure_can(application, Action.conclude_passed)
    stage2, findings = await findings_for_conclusion(session, application)
    result = finding_rules.conclude(
        [
            finding_rules.FindingState(Severity(f.severity), FindingStatus(f.status))
            for f in findings
        ],
        stage2.ends_on,
        today,
    )
    if result.outcome is finding_rules.Outcome.not_yet:
        assert result.rule is not None and result.detail is not None
        raise RuleViolation(result.rule, result.detail)
    if result.outcome is finding_rules.Outcome.new_stage2_required:
        await transition(
            session, application, Action.require_new_stage2, actor, text(result.detail or "")
        )
        return result
    await transition(session, application, Action.conclude_passed, actor)
    await publish.audit_passed(session, application, stage2)
    return result


async def open_review(session: AsyncSession, event: CloudEvent, data: AuditPassed) -> None:
    """On `audit-passed`: the application enters the management organization's 合规性审查."""
    application = await session.get(Application, data.application_id, with_for_update=True)
    if application is not None and application.status == ApplicationStatus.audit_passed:
        await transition(session, application, Action.open_review, f"event:{AuditPassed.topic}")


async def _review(
    session: AsyncSession,
    application: Application,
    *,
    approved: bool,
    comment: str | None,
    actor: str,
    today: dt.date,
    notice_days: int,
) -> Application:
    """合规性审查: approval opens the 公示 (notice) period; rejection ends the application."""
    application.review_comment = comment
    if not approved:
        return await transition(session, application, Action.reject_review, actor, comment)
    await transition(session, application, Action.approve_review, actor, comment)
    application.notice_starts_on = today
    application.notice_ends_on = today + dt.timedelta(days=notice_days)
    return application


async def _lodge_objection(
    session: AsyncSession, application: Application, lodged_by: str, text: str
) -> ObjectionRow:
    if application.status != ApplicationStatus.in_notice:
        raise Conflict(
            _("Objections can be lodged only while the application is in public notice (公示)"),
            current_state=application.status,
        )
    objection = ObjectionRow(application_id=application.id, lodged_by=lodged_by, text=text)
    session.add(objection)
    await session.flush()
    return objection


async def _resolve_objection(
    session: AsyncSession,
    application: Application,
    objection: ObjectionRow,
    *,
    upheld: bool,
    resolution: str,
    actor: str,
    now: dt.datetime,
) -> ObjectionRow:
    if objection.status != "open":
        raise Conflict(
            _("The objection is already {status}", status=objection.status),
            current_state=objection.status,
        )
    objection.status = "upheld" if upheld else "dismissed"
    objection.resolution = resolution
    objection.resolved_at = now
    if upheld:
        await transition(session, application, Action.uphold_objection, actor, resolution)
    await session.flush()
    return objection


async def check_decidable(session: AsyncSession, application: Application, today: dt.date) -> None:
    """The decision waits for the end of the notice and for every objection to be resolved."""
    ensure_can(application, Action.decide)
    assert application.notice_ends_on is not None
    if today <= application.notice_ends_on:
        raise RuleViolation(
            "decision.notice-period-running",
            _(
                "The public notice runs until {isoformat}",
                isoformat=application.notice_ends_on.isoformat(),
            ),
        )
    open_objections = await session.scalar(
        sa.select(sa.func.count())
        .select_from(ObjectionRow)
        .where(ObjectionRow.application_id == application.id, ObjectionRow.status == "open")
    )
    if open_objections:
        raise RuleViolation(
            "decision.open-objection",
            _(
                "{open_objections} objection(s) lodged during the notice are not resolved",
                open_objections=open_objections,
            ),
        )


# --- use cases: the one door per operation on an application -------------------------------
# `(session, caller[, application_id], command)` → the result; in order: authorize through
# `APPLICATION`, load in scope, the rule above, write, record the event.


async def create(session: AsyncSession, caller: Caller, command: ApplicationCreate) -> Application:
    """评定申请: an enterprise (or the consultancy serving it) applies to a certification body;
    another enterprise, or one the consultancy does not serve, is "not found"."""
    APPLICATION.authorize(caller, "apply")
    if caller.role is Role.enterprise and caller.organization_id != command.enterprise_id:
        raise NotFound(
            _("Enterprise {enterprise_id} not found", enterprise_id=command.enterprise_id)
        )
    if caller.role is Role.consultancy:
        served = await session.scalar(
            sa.select(Enterprise.id).where(
                Enterprise.id == command.enterprise_id,
                Enterprise.consultancy_id == caller.organization_id,
            )
        )
        if served is None:
            raise NotFound(
                _("Enterprise {enterprise_id} not found", enterprise_id=command.enterprise_id)
            )
    return await apply(
        session,
        caller,
        enterprise_id=command.enterprise_id,
        body_id=command.certification_body_id,
        scope=command.scope,
        site=command.site,
        readiness=Readiness(
            command.system_running_since,
            command.internal_audit_done,
            command.management_review_done,
        ),
        today=repository.today(),
    )


def query(
    caller: Caller,
    *,
    status: ApplicationStatus | None = None,
    enterprise_id: uuid.UUID | None = None,
    certification_body_id: uuid.UUID | None = None,
) -> sa.Select[Application]:
    """The caller's applications, filtered by what is given."""
    return APPLICATION.query(
        caller, status=status, enterprise_id=enterprise_id, body_id=certification_body_id
    )


async def get(session: AsyncSession, caller: Caller, application_id: uuid.UUID) -> Application:
    return await APPLICATION.load(session, caller, application_id)


async def history_of(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID
) -> list[ApplicationEvent]:
    """Every transition of the application, oldest first."""
    await APPLICATION.load(session, caller, application_id)
    rows = await session.scalars(
        sa.select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id)
    )
    return list(rows)


async def withdraw(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, command: WithdrawIn
) -> Application:
    """The enterprise withdraws its application before the audit conclusion."""
    APPLICATION.authorize(caller, "withdraw")
    row = await APPLICATION.load(session, caller, application_id, for_update=True)
    return await transition(session, row, Action.withdraw, caller.client_key, command.reason)


async def conclude(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID
) -> tuple[Application, finding_rules.Conclusion]:
    """审核结论 by the certification body (see `_conclude`)."""
    APPLICATION.authorize(caller, "conclude")
    row = await APPLICATION.load(session, caller, application_id, for_update=True)
    return row, await _conclude(session, row, caller.client_key, repository.today())


async def review(
    session: AsyncSession,
    caller: Caller,
    application_id: uuid.UUID,
    command: ReviewIn,
    *,
    notice_days: int,
) -> Application:
    """合规性审查 by the management organization: approval opens the 公示 of `notice_days`."""
    APPLICATION.authorize(caller, "review")
    row = await APPLICATION.load(session, caller, application_id, for_update=True)
    return await _review(
        session,
        row,
        approved=command.approved,
        comment=command.comment,
        actor=caller.client_key,
        today=repository.today(),
        notice_days=notice_days,
    )


async def objections_of(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID
) -> list[ObjectionRow]:
    APPLICATION.authorize(caller, "read_objections")
    await APPLICATION.load(session, caller, application_id)
    rows = await session.scalars(
        sa.select(ObjectionRow)
        .where(ObjectionRow.application_id == application_id)
        .order_by(ObjectionRow.id)
    )
    return list(rows)


async def resolve_objection(
    session: AsyncSession,
    caller: Caller,
    application_id: uuid.UUID,
    objection_id: uuid.UUID,
    command: ObjectionResolution,
) -> ObjectionRow:
    """The management organization upholds (the application is rejected) or dismisses it."""
    APPLICATION.authorize(caller, "resolve_objection")
    row = await APPLICATION.load(session, caller, application_id, for_update=True)
    objection = await session.get(ObjectionRow, objection_id, with_for_update=True)
    if objection is None or objection.application_id != row.id:
        raise NotFound(_("Objection {objection_id} not found", objection_id=objection_id))
    return await _resolve_objection(
        session,
        row,
        objection,
        upheld=command.upheld,
        resolution=command.resolution,
        actor=caller.client_key,
        now=utcnow(),
    )


# --- public (no caller): 公示 and 异议 ----------------------------------------------------------


def public_notices() -> sa.Select[Application]:
    """公示: applications the management organization approved, open for objections."""
    return sa.select(Application).where(Application.status == ApplicationStatus.in_notice)


async def public_notice(
    session: AsyncSession, application_id: uuid.UUID, *, for_update: bool = False
) -> Application:
    """One application in public notice; any other is a 404."""
    application = await session.get(Application, application_id, with_for_update=for_update)
    if application is None or application.status != ApplicationStatus.in_notice:
        raise NotFound(_("No application in public notice with this id"))
    return application


async def notices_page(session: AsyncSession, params: PageParams) -> Page[views.PublicNotice]:
    """One page of 公示 (`public_notices`), as the public sees them."""
    rows, cursor = await paginate(session, public_notices(), Application.id, params)
    return Page[views.PublicNotice](items=await views.notices(session, rows), next_cursor=cursor)


async def notice(session: AsyncSession, application_id: uuid.UUID) -> views.PublicNotice:
    """One 公示 (what the list shows); an application not in public notice is a 404."""
    return (await views.notices(session, [await public_notice(session, application_id)]))[0]


async def lodge_objection(
    session: AsyncSession, application_id: uuid.UUID, command: ObjectionIn
) -> ObjectionRow:
    """异议: anyone may object to an application during its public notice."""
    application = await public_notice(session, application_id, for_update=True)
    return await _lodge_objection(session, application, command.contact, command.text)
