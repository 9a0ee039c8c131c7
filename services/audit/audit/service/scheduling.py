"""自动排期 use cases: propose (solver over the waiting audits and the auditor pool) and
confirm (each placement planned through the same rule check as a hand-made audit)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db import repository
from audit.db.tables import Application, Certificate, Enterprise, ScheduleProposal, SurveillancePlan
from audit.domain import scheduler
from audit.domain import team_rules as rules
from audit.domain.application_flow import AWAITING_AUDIT
from audit.domain.enums import ApplicationStatus, AuditKind, CertificateStatus, TeamRole
from audit.service import audits as audit_service
from audit.service.commands import ProposalCreate
from audit.service.policies import APPLICATION, CERTIFICATE, PROPOSAL
from iims_common.errors import Conflict, ProblemError
from iims_common.i18n import _, text
from iims_common.identity import Caller, Role

MAX_REQUESTS = 5000
SCHEDULER_RUNS = Counter("iims_scheduler_runs_total", "Scheduler runs", ["optimal"])
SCHEDULER_SECONDS = Histogram(
    "iims_scheduler_seconds", "Scheduler wall time", buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120)
)
SCHEDULER_AUDITS = Counter(
    "iims_scheduler_audits_total", "Audits the scheduler was asked to place", ["outcome"]
)


async def _application_requests(
    session: AsyncSession, caller: Caller, ids: list[uuid.UUID] | None, window: rules.Span
) -> tuple[list[scheduler.AuditRequest], list[dict[str, Any]]]:
    stmt = sa.select(Application).where(
        repository.APPLICATIONS.condition(caller),
        Application.status.in_([s.value for s in AWAITING_AUDIT]),
    )
    if ids is not None:
        stmt = stmt.where(Application.id.in_(ids))
    apps = list((await session.scalars(stmt.order_by(Application.id).limit(MAX_REQUESTS))).all())
    missing = [
        {
            "application_id": str(i),
            "rule": "schedule.not-awaiting-audit",
            "reason": text(_("not found, or not waiting for an audit")),
        }
        for i in sorted(set(ids or ()) - {a.id for a in apps})
    ]
    enterprises = {
        e.id: e
        for e in await session.scalars(
            sa.select(Enterprise).where(Enterprise.id.in_({a.enterprise_id for a in apps}))
        )
    }
    requests = []
    for a in apps:
        kind = AuditKind(AWAITING_AUDIT[ApplicationStatus(a.status)])
        earliest = window.start
        if kind is AuditKind.stage2:
            stage1 = await repository.latest_audit(session, a.id, AuditKind.stage1, completed=True)
            if stage1 is not None:
                earliest = max(earliest, stage1.ends_on + dt.timedelta(days=1))
        enterprise = enterprises.get(a.enterprise_id)
        if enterprise is None:
            missing.append(
                {
                    "application_id": str(a.id),
                    "rule": "schedule.enterprise-facts-missing",
                    "reason": text(_("the enterprise's facts have not arrived yet")),
                }
            )
            continue
        facts = repository.enterprise_facts(enterprise, a.consultancy_id)
        requests.append(
            scheduler.AuditRequest(
                ref=a.id,
                kind=kind,
                body_id=a.body_id,
                enterprise=facts,
                days=rules.audit_days(kind, facts.size),
                earliest=earliest,
            )
        )
    return requests, missing


async def _certificate_requests(
    session: AsyncSession, caller: Caller, ids: list[uuid.UUID], window: rules.Span
) -> tuple[list[scheduler.AuditRequest], list[dict[str, Any]]]:
    """The next unplanned surveillance/recertification audit of each certificate."""
    certificates = list(
        (
            await session.scalars(
                sa.select(Certificate).where(
                    repository.CERTIFICATES.condition(caller),
                    Certificate.id.in_(ids),
                    Certificate.status.in_([CertificateStatus.valid, CertificateStatus.suspended]),
                )
            )
        ).all()
    )
    missing = [
        {
            "certificate_id": str(i),
            "rule": "schedule.not-awaiting-audit",
            "reason": text(_("not found, or not valid/suspended")),
        }
        for i in sorted(set(ids) - {c.id for c in certificates})
    ]
    requests = []
    for c in certificates:
        slot = (
            await session.scalars(
                sa.select(SurveillancePlan)
                .where(SurveillancePlan.certificate_id == c.id, SurveillancePlan.audit_id.is_(None))
                .order_by(SurveillancePlan.seq)
                .limit(1)
            )
        ).first()
        enterprise = await session.get(Enterprise, c.enterprise_id)
        application = await session.get(Application, c.application_id)
        if slot is None or enterprise is None:
            missing.append(
                {
                    "certificate_id": str(c.id),
                    "rule": "schedule.not-awaiting-audit",
                    "reason": text(_("every audit of the cycle is planned")),
                }
            )
            continue
        facts = repository.enterprise_facts(
            enterprise, application.consultancy_id if application else None
        )
        kind = AuditKind(slot.kind)
        requests.append(
            scheduler.AuditRequest(
                ref=c.id,
                kind=kind,
                body_id=c.body_id,
                enterprise=facts,
                days=rules.audit_days(kind, facts.size),
                earliest=window.start,
                latest=slot.due_by,
            )
        )
    return requests, missing


def _placement_json(p: scheduler.Placement, for_certificate: bool) -> dict[str, Any]:
    return {
        ("certificate_id" if for_certificate else "application_id"): str(p.ref),
        "kind": p.kind.value,
        "starts_on": p.span.start.isoformat(),
        "ends_on": p.span.end.isoformat(),
        "audit_days": p.days,
        "onsite_days": p.onsite_days,
        "team": [{"person_id": str(person), "role": role.value} for person, role in p.team],
    }


async def _propose(
    session: AsyncSession,
    caller: Caller,
    *,
    application_ids: list[uuid.UUID] | None,
    certificate_ids: list[uuid.UUID],
    window: rules.Span,
    team_size: int,
    time_limit_s: float,
    workers: int,
) -> ScheduleProposal:
    app_requests, missing = await _application_requests(session, caller, application_ids, window)
    cert_requests, missing_certs = await _certificate_requests(
        session, caller, certificate_ids, window
    )
    requests = app_requests + cert_requests
    for_certificate = {r.ref for r in cert_requests}
    auditors = await repository.load_auditors(
        session, bodies={r.body_id for r in requests}, window=window
    )
    # CPU-bound: off the event loop, so the service keeps answering meanwhile.
    result = await asyncio.to_thread(
        scheduler.schedule,
        requests,
        list(auditors.values()),
        window,
        team_size=team_size,
        time_limit_s=time_limit_s,
        workers=workers,
    )
    SCHEDULER_RUNS.labels(str(result.optimal).lower()).inc()
    SCHEDULER_SECONDS.observe(result.seconds)
    SCHEDULER_AUDITS.labels("placed").inc(len(result.placements))
    SCHEDULER_AUDITS.labels("unplaced").inc(len(result.unplaced))
    proposal = ScheduleProposal(
        created_by=caller.client_key,
        body_id=caller.organization_id if caller.role is Role.certification_body else None,
        window_start=window.start,
        window_end=window.end,
        team_size=team_size,
        placements=[_placement_json(p, p.ref in for_certificate) for p in result.placements],
        unplaced=missing
        + missing_certs
        + [
            {
                ("certificate_id" if u.ref in for_certificate else "application_id"): str(u.ref),
                "rule": u.rule,
                "reason": text(u.reason),
            }
            for u in result.unplaced
        ],
        seconds=round(result.seconds, 3),
        optimal=result.optimal,
    )
    session.add(proposal)
    await session.flush()
    return proposal


async def _confirm(
    session: AsyncSession, caller: Caller, proposal: ScheduleProposal, actor: str
) -> ScheduleProposal:
    """Plan every placement, each re-checked now; one that no longer holds is reported."""
    if proposal.status != "proposed":
        raise Conflict(
            _("The proposal is {status}", status=proposal.status), current_state=proposal.status
        )
    results: list[dict[str, Any]] = []
    for p in proposal.placements:
        plan = audit_service.AuditPlan(
            kind=AuditKind(p["kind"]),
            span=rules.Span(
                dt.date.fromisoformat(p["starts_on"]), dt.date.fromisoformat(p["ends_on"])
            ),
            team=tuple((uuid.UUID(m["person_id"]), TeamRole(m["role"])) for m in p["team"]),
            days=p["audit_days"],
            onsite_days=p["onsite_days"],
        )
        ref: dict[str, Any] = {k: p[k] for k in ("application_id", "certificate_id") if k in p}
        try:
            async with session.begin_nested():
                audit_id = await _plan(session, caller, p, plan, actor)
            results.append({**ref, "audit_id": str(audit_id)})
        except ProblemError as e:
            results.append({**ref, "rule": getattr(e, "rule", e.slug), "reason": text(e.detail)})
    proposal.status = "confirmed"
    proposal.results = results
    proposal.confirmed_at = dt.datetime.now(dt.UTC)
    await session.flush()
    return proposal


async def _plan(
    session: AsyncSession,
    caller: Caller,
    p: dict[str, Any],
    plan: audit_service.AuditPlan,
    actor: str,
) -> uuid.UUID:
    if "certificate_id" in p:
        certificate = await CERTIFICATE.load(
            session, caller, uuid.UUID(p["certificate_id"]), by="id", for_update=True
        )
        return (await audit_service.plan_for_certificate(session, certificate, plan)).id
    application = await APPLICATION.load(
        session, caller, uuid.UUID(p["application_id"]), for_update=True
    )
    return (await audit_service.plan_for_application(session, application, plan, actor)).id


# --- use cases: the one door per operation on a schedule proposal ---------------------------


async def propose(
    session: AsyncSession,
    caller: Caller,
    command: ProposalCreate,
    *,
    time_limit_s: float,
    workers: int,
) -> ScheduleProposal:
    """Teams and dates for the waiting audits in a date window (OR-Tools CP-SAT, at most
    `time_limit_s` seconds on `workers` threads). Nothing is booked until confirmed."""
    PROPOSAL.authorize(caller, "propose")
    return await _propose(
        session,
        caller,
        application_ids=command.application_ids,
        certificate_ids=command.certificate_ids,
        window=rules.Span(command.window_start, command.window_end),
        team_size=command.team_size,
        time_limit_s=time_limit_s,
        workers=workers,
    )


async def get(session: AsyncSession, caller: Caller, proposal_id: uuid.UUID) -> ScheduleProposal:
    return await PROPOSAL.load(session, caller, proposal_id)


async def confirm(
    session: AsyncSession, caller: Caller, proposal_id: uuid.UUID
) -> ScheduleProposal:
    """Plan every placement now, each re-checked against the rules."""
    PROPOSAL.authorize(caller, "confirm")
    proposal = await PROPOSAL.load(session, caller, proposal_id, for_update=True)
    return await _confirm(session, caller, proposal, caller.client_key)
