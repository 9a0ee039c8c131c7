"""审核 use cases: plan (stage 1, stage 2, surveillance, recertification), change, complete.

Every create and change runs the whole rule check under a lock on the team's auditors, so
two requests cannot book the same person twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db import repository
from audit.db.tables import (
    Application,
    ApplicationEvent,
    Audit,
    Certificate,
    Enterprise,
    SurveillancePlan,
    TeamMember,
)
from audit.domain import team_rules as rules
from audit.domain.application_flow import Action
from audit.domain.enums import (
    ApplicationStatus,
    AuditKind,
    AuditStatus,
    CertificateStatus,
    TeamRole,
)
from audit.events import publish
from audit.service import applications as application_service
from audit.service import certificates as certificate_service
from audit.service import views
from audit.service.commands import AuditCreate, AuditPlanFields, CompletionIn, PlanCheckIn
from audit.service.policies import APPLICATION, AUDIT, CERTIFICATE
from iims_common.errors import Conflict, RuleViolation
from iims_common.i18n import _, text
from iims_common.identity import Caller
from iims_common.pagination import Page, PageParams, paginate

PLAN_ACTION = {AuditKind.stage1: Action.plan_stage1, AuditKind.stage2: Action.plan_stage2}
COMPLETE_ACTION = {
    AuditKind.stage1: Action.complete_stage1,
    AuditKind.stage2: Action.complete_stage2,
}


@dataclass(frozen=True)
class AuditPlan:
    kind: AuditKind
    span: rules.Span
    team: tuple[tuple[uuid.UUID, TeamRole], ...]
    days: int | None = None  # default: the documented minimum for the enterprise's size
    onsite_days: int | None = None  # default: all days on site (stage 1: none required)


def refuse(violations: list[rules.Violation]) -> None:
    """The first violation as a 422 naming its rule and member; all of them listed."""
    if not violations:
        return
    v = violations[0]
    raise RuleViolation(
        v.rule,
        v.detail,
        member=str(v.member) if v.member else None,
        violations=[
            {
                "rule": x.rule,
                "detail": text(x.detail),
                "member": str(x.member) if x.member else None,
            }
            for x in violations
        ],
    )


async def _enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise:
    enterprise = await session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise Conflict(_("The enterprise's facts have not arrived yet; retry shortly"))
    return enterprise


def _draft(
    plan: AuditPlan,
    body_id: uuid.UUID,
    enterprise: rules.Enterprise,
    audit_id: uuid.UUID | None = None,
) -> rules.AuditDraft:
    days = plan.days if plan.days is not None else rules.audit_days(plan.kind, enterprise.size)
    onsite = plan.onsite_days if plan.onsite_days is not None else days
    return rules.AuditDraft(
        kind=plan.kind,
        span=plan.span,
        body_id=body_id,
        enterprise=enterprise,
        team=plan.team,
        days=days,
        onsite_days=onsite,
        audit_id=audit_id,
    )


async def _violations(
    session: AsyncSession,
    draft: rules.AuditDraft,
    application_id: uuid.UUID | None,
    *,
    lock: bool = True,
) -> list[rules.Violation]:
    if lock:
        await repository.lock_auditors(session, (p for p, _ in draft.team))
    auditors = await repository.load_auditors(
        session, people=[p for p, _ in draft.team], window=draft.span
    )
    violations = rules.check_team(draft, auditors)
    if application_id is not None and draft.kind is AuditKind.stage2:
        stage1 = await repository.latest_audit(
            session, application_id, AuditKind.stage1, completed=True
        )
        done = rules.Span(stage1.starts_on, stage1.ends_on) if stage1 else None
        violations = rules.check_stage_order(draft.kind, done, draft.span) + violations
    return violations


def _audit_row(draft: rules.AuditDraft, enterprise: Enterprise, **links: object) -> Audit:
    return Audit(
        kind=draft.kind,
        status=AuditStatus.planned,
        body_id=draft.body_id,
        enterprise_id=enterprise.id,
        province_code=enterprise.province_code,
        starts_on=draft.span.start,
        ends_on=draft.span.end,
        audit_days=draft.days,
        onsite_days=draft.onsite_days,
        **links,
    )


def _team_rows(audit: Audit, team: tuple[tuple[uuid.UUID, TeamRole], ...]) -> list[TeamMember]:
    return [
        TeamMember(
            audit_id=audit.id,
            person_id=p,
            role=role,
            starts_on=audit.starts_on,
            ends_on=audit.ends_on,
        )
        for p, role in team
    ]


def _application_preconditions(application: Application, plan: AuditPlan) -> list[rules.Violation]:
    """The audit kind an application can get, and stage 2 only after stage 1 was completed."""
    if plan.kind not in PLAN_ACTION:
        return [
            rules.Violation(
                "audit.kind-for-application",
                _(
                    "An application is audited in stage 1 and stage 2; surveillance and recertification audits belong to a certificate"
                ),
            )
        ]
    if plan.kind is AuditKind.stage2 and application.status in (
        ApplicationStatus.accepted,
        ApplicationStatus.stage1_planned,
    ):
        return [rules.Violation("audit.stage1-not-completed", _("Stage 1 has not been completed"))]
    return []


async def check_plan_for_application(
    session: AsyncSession, application: Application, plan: AuditPlan
) -> tuple[rules.AuditDraft | None, list[rules.Violation]]:
    """Dry run of `plan_for_application` for the console's audit planning: the same rules
    (kind and stage order, then `team_rules.check_team` on the dates and team) evaluated
    without locking or writing anything. Returns the draft (with the effective audit days;
    None when a precondition already fails) and every violation, in the order
    `plan_for_application` would report them. An application in a state that cannot be
    planned is the same 409 as planning it."""
    pre = _application_preconditions(application, plan)
    if pre:
        return None, pre
    application_service.ensure_can(application, PLAN_ACTION[plan.kind])
    enterprise = await _enterprise(session, application.enterprise_id)
    draft = _draft(
        plan,
        application.body_id,
        repository.enterprise_facts(enterprise, application.consultancy_id),
    )
    return draft, await _violations(session, draft, application.id, lock=False)


async def plan_for_application(
    session: AsyncSession, application: Application, plan: AuditPlan, actor: str
) -> Audit:
    refuse(_application_preconditions(application, plan))
    application_service.ensure_can(application, PLAN_ACTION[plan.kind])
    enterprise = await _enterprise(session, application.enterprise_id)
    draft = _draft(
        plan,
        application.body_id,
        repository.enterprise_facts(enterprise, application.consultancy_id),
    )
    refuse(await _violations(session, draft, application.id))
    audit = _audit_row(draft, enterprise, application_id=application.id)
    session.add(audit)
    await session.flush()
    session.add_all(_team_rows(audit, draft.team))
    await application_service.transition(session, application, PLAN_ACTION[plan.kind], actor)
    await publish.audit_updated(session, audit, None)
    return audit


async def plan_for_certificate(
    session: AsyncSession, certificate: Certificate, plan: AuditPlan
) -> Audit:
    """监督审核 / 再认定审核: fills the next open slot of that kind in the certificate's cycle."""
    if plan.kind not in (AuditKind.surveillance, AuditKind.recertification):
        raise RuleViolation(
            "audit.kind-for-certificate",
            _("A certificate gets surveillance and recertification audits"),
        )
    if certificate.status not in (CertificateStatus.valid, CertificateStatus.suspended):
        raise Conflict(
            _("The certificate is {status}", status=certificate.status),
            current_state=certificate.status,
        )
    slot = (
        await session.scalars(
            sa.select(SurveillancePlan)
            .where(
                SurveillancePlan.certificate_id == certificate.id,
                SurveillancePlan.kind == plan.kind,
                SurveillancePlan.audit_id.is_(None),
            )
            .order_by(SurveillancePlan.seq)
            .limit(1)
            .with_for_update()
        )
    ).first()
    if slot is None:
        raise Conflict(
            _("Every {value} audit of this certificate's cycle is planned", value=plan.kind.value)
        )
    enterprise = await _enterprise(session, certificate.enterprise_id)
    application = await session.get(Application, certificate.application_id)
    draft = _draft(
        plan,
        certificate.body_id,
        repository.enterprise_facts(
            enterprise, application.consultancy_id if application else None
        ),
    )
    refuse(await _violations(session, draft, None))
    audit = _audit_row(draft, enterprise, certificate_id=certificate.id)
    session.add(audit)
    await session.flush()
    session.add_all(_team_rows(audit, draft.team))
    slot.audit_id = audit.id
    await session.flush()
    await publish.audit_updated(session, audit, None)
    return audit


async def _change(session: AsyncSession, audit: Audit, plan: AuditPlan) -> Audit:
    """New dates and/or team for a planned audit, re-checked against every rule."""
    if audit.status != AuditStatus.planned:
        raise Conflict(_("The audit is {status}", status=audit.status), current_state=audit.status)
    enterprise = await _enterprise(session, audit.enterprise_id)
    consultancy = enterprise.consultancy_id
    if audit.application_id is not None:
        application = await session.get(Application, audit.application_id)
        consultancy = application.consultancy_id if application else consultancy
    draft = _draft(
        plan, audit.body_id, repository.enterprise_facts(enterprise, consultancy), audit.id
    )
    refuse(await _violations(session, draft, audit.application_id))
    audit.starts_on, audit.ends_on = draft.span.start, draft.span.end
    audit.audit_days, audit.onsite_days = draft.days, draft.onsite_days
    await session.execute(sa.delete(TeamMember).where(TeamMember.audit_id == audit.id))
    session.add_all(_team_rows(audit, draft.team))
    await session.flush()
    return audit


async def _complete(
    session: AsyncSession, audit: Audit, report: str | None, actor: str, today: dt.date
) -> Audit:
    if audit.status != AuditStatus.planned:
        raise Conflict(_("The audit is {status}", status=audit.status), current_state=audit.status)
    if today < audit.ends_on:
        raise RuleViolation(
            "audit.not-yet-held",
            _("The audit runs until {isoformat}", isoformat=audit.ends_on.isoformat()),
        )
    audit.status = AuditStatus.completed
    audit.completed_on = today
    audit.report = report
    kind = AuditKind(audit.kind)
    if audit.application_id is not None and kind in COMPLETE_ACTION:
        application = await session.get(Application, audit.application_id, with_for_update=True)
        assert application is not None
        await application_service.transition(session, application, COMPLETE_ACTION[kind], actor)
    if audit.certificate_id is not None:
        await certificate_service.cycle_audit_done(session, audit, today)
    await session.flush()
    await publish.audit_updated(session, audit, AuditStatus.planned)
    return audit


async def _cancel(session: AsyncSession, audit: Audit, actor: str) -> Audit:
    """Cancel a planned audit: the team is free again and the application waits for it."""
    if audit.status != AuditStatus.planned:
        raise Conflict(_("The audit is {status}", status=audit.status), current_state=audit.status)
    audit.status = AuditStatus.cancelled
    await session.execute(
        sa.update(TeamMember).where(TeamMember.audit_id == audit.id).values(active=False)
    )
    if audit.application_id is not None:
        application = await session.get(Application, audit.application_id, with_for_update=True)
        assert application is not None
        # Back to the status it had before this audit was planned.
        planned = await session.scalar(
            sa.select(ApplicationEvent.from_status)
            .where(
                ApplicationEvent.application_id == application.id,
                ApplicationEvent.action == PLAN_ACTION[AuditKind(audit.kind)],
            )
            .order_by(ApplicationEvent.id.desc())
            .limit(1)
        )
        back = planned or ApplicationStatus.accepted
        previous = application.status
        application.status = back
        session.add(
            application_service.history(application.id, "cancel_audit", previous, back, actor)
        )
    if audit.certificate_id is not None:
        await session.execute(
            sa.update(SurveillancePlan)
            .where(SurveillancePlan.audit_id == audit.id)
            .values(audit_id=None)
        )
    await session.flush()
    await publish.audit_updated(session, audit, AuditStatus.planned)
    return audit


# --- use cases: the one door per operation on an audit --------------------------------------


def plan_of(kind: AuditKind, fields: AuditPlanFields) -> AuditPlan:
    """The domain's plan from the command's dates, team and days."""
    return AuditPlan(
        kind=kind,
        span=rules.Span(fields.starts_on, fields.ends_on),
        team=tuple((m.person_id, m.role) for m in fields.team),
        days=fields.audit_days,
        onsite_days=fields.onsite_days,
    )


async def plan(session: AsyncSession, caller: Caller, command: AuditCreate) -> Audit:
    """Plan an audit of an application (stage 1/2) or of a certificate's cycle (surveillance,
    recertification); every rule checked (see `refuse`)."""
    AUDIT.authorize(caller, "plan")
    draft = plan_of(command.kind, command)
    if command.application_id is not None:
        application = await APPLICATION.load(
            session, caller, command.application_id, for_update=True
        )
        return await plan_for_application(session, application, draft, caller.client_key)
    assert command.certificate_id is not None
    certificate = await CERTIFICATE.load(
        session, caller, command.certificate_id, by="id", for_update=True
    )
    return await plan_for_certificate(session, certificate, draft)


async def check_plan(
    session: AsyncSession, caller: Caller, command: PlanCheckIn
) -> tuple[rules.AuditDraft | None, list[rules.Violation]]:
    """Dry run of `plan` for an application: nothing written, nothing locked."""
    AUDIT.authorize(caller, "check_plan")
    application = await APPLICATION.load(session, caller, command.application_id)
    return await check_plan_for_application(session, application, plan_of(command.kind, command))


def query(
    caller: Caller,
    *,
    kind: AuditKind | None = None,
    status: AuditStatus | None = None,
    application_id: uuid.UUID | None = None,
    certificate_id: uuid.UUID | None = None,
) -> sa.Select[Audit]:
    return AUDIT.query(
        caller,
        kind=kind,
        status=status,
        application_id=application_id,
        certificate_id=certificate_id,
    )


async def page(
    session: AsyncSession, stmt: sa.Select[Audit], params: PageParams
) -> Page[views.AuditOut]:
    """One page of `query`'s audits, each with its team."""
    rows, cursor = await paginate(session, stmt, Audit.id, params)
    return Page[views.AuditOut](items=await views.audits(session, rows), next_cursor=cursor)


async def get(session: AsyncSession, caller: Caller, audit_id: uuid.UUID) -> Audit:
    return await AUDIT.load(session, caller, audit_id)


async def change_plan(
    session: AsyncSession,
    caller: Caller,
    audit_id: uuid.UUID,
    command: AuditPlanFields,
    *,
    if_match: str | None,
) -> Audit:
    """Replace the dates and team of a planned audit (If-Match), re-checked against every rule."""
    AUDIT.authorize(caller, "change")
    row = await AUDIT.load(session, caller, audit_id, for_update=True, if_match=if_match)
    return await _change(session, row, plan_of(AuditKind(row.kind), command))


async def complete(
    session: AsyncSession, caller: Caller, audit_id: uuid.UUID, command: CompletionIn
) -> views.AuditOut:
    AUDIT.authorize(caller, "complete")
    row = await AUDIT.load(session, caller, audit_id, for_update=True)
    done = await _complete(session, row, command.report, caller.client_key, repository.today())
    return await views.audit(session, done)


async def cancel(session: AsyncSession, caller: Caller, audit_id: uuid.UUID) -> views.AuditOut:
    AUDIT.authorize(caller, "cancel")
    row = await AUDIT.load(session, caller, audit_id, for_update=True)
    return await views.audit(session, await _cancel(session, row, caller.client_key))
