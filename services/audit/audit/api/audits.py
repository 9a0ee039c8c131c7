"""审核 — audits (stage 1, stage 2, surveillance, recertification) and their findings."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from audit.api import deps
from audit.api import schemas as s
from audit.db import repository
from audit.db.tables import Audit, Certificate, Finding
from audit.domain.enums import AuditKind, AuditStatus
from audit.domain.team_rules import Span
from audit.service import audits as service
from audit.service import findings as finding_service
from iims_common.http import IdempotencyKey, IfMatch, Session, check_if_match, json_response
from iims_common.i18n import text
from iims_common.idempotency import idempotent
from iims_common.identity import CurrentCaller, Role, require_role
from iims_common.pagination import Page, Pagination, paginate, where_given

router = APIRouter(prefix="/api/v1", tags=["audits 审核"])


def _plan(kind: AuditKind, body: s.AuditPlanFields) -> service.AuditPlan:
    return service.AuditPlan(
        kind=kind,
        span=Span(body.starts_on, body.ends_on),
        team=tuple((m.person_id, m.role) for m in body.team),
        days=body.audit_days,
        onsite_days=body.onsite_days,
    )


@router.post("/audits", status_code=201, response_model=s.AuditOut)
async def create_audit(
    body: s.AuditCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    """Plan an audit with dates and a team. Every rule is checked; a refusal is a 422 whose
    `rule` names it (and `member` the auditor): team.member-qualified, team.lead-qualified,
    team.double-booked, team.unavailable, team.impartiality, team.industry-competence,
    team.member-of-body, team.one-lead, audit.stage1-not-completed, audit.days-below-minimum,
    audit.onsite-share, audit.team-too-small-for-days."""
    require_role(caller, Role.certification_body)

    async def create() -> JSONResponse:
        plan = _plan(body.kind, body)
        if body.application_id is not None:
            application = await deps.application(
                session, caller, body.application_id, for_update=True
            )
            row = await service.plan_for_application(session, application, plan, caller.client_key)
        else:
            assert body.certificate_id is not None
            certificate = await repository.get_one(
                session,
                Certificate,
                body.certificate_id,
                repository.CERTIFICATES.condition(caller),
                for_update=True,
                what="Certificate",
            )
            row = await service.plan_for_certificate(session, certificate, plan)
        return json_response(
            await deps.audit_out(session, row),
            201,
            version=row.version,
            location=f"/api/v1/audits/{row.id}",
        )

    return await idempotent(session, caller, key, body, create)


@router.post("/audits/plan-check", response_model=s.PlanCheckOut)
async def check_audit_plan(
    body: s.PlanCheckIn, caller: CurrentCaller, session: Session
) -> s.PlanCheckOut:
    """Dry run of `POST /audits` for an application: every rule the dates and team break
    (qualification valid on the dates, double-booking, unavailability, impartiality, industry
    competence, stage order, audit days), each with its `rule` name and `member`, so the
    console shows them before saving. Nothing is written and nothing is locked; saving still
    re-checks under locks."""
    require_role(caller, Role.certification_body)
    application = await deps.application(session, caller, body.application_id)
    draft, violations = await service.check_plan_for_application(
        session, application, _plan(body.kind, body)
    )
    return s.PlanCheckOut(
        ok=not violations,
        audit_days=draft.days if draft else None,
        onsite_days=draft.onsite_days if draft else None,
        violations=[
            s.ViolationOut(rule=v.rule, detail=text(v.detail), member=v.member) for v in violations
        ],
    )


@router.get("/audits", response_model=Page[s.AuditOut])
async def list_audits(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    kind: AuditKind | None = None,
    status: AuditStatus | None = None,
    application_id: uuid.UUID | None = None,
    certificate_id: uuid.UUID | None = None,
) -> Page[s.AuditOut]:
    stmt = where_given(
        sa.select(Audit).where(repository.AUDITS.condition(caller)),
        (Audit.kind, kind),
        (Audit.status, status),
        (Audit.application_id, application_id),
        (Audit.certificate_id, certificate_id),
    )
    rows, cursor = await paginate(session, stmt, Audit.id, page)
    return Page[s.AuditOut](items=await deps.audits_out(session, rows), next_cursor=cursor)


@router.get("/audits/{audit_id}", response_model=s.AuditOut)
async def get_audit(audit_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    row = await deps.audit(session, caller, audit_id)
    return json_response(await deps.audit_out(session, row), version=row.version)


@router.put("/audits/{audit_id}/plan", response_model=s.AuditOut)
async def change_audit(
    audit_id: uuid.UUID,
    body: s.AuditPlanFields,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Replace the dates and team of a planned audit (If-Match), re-checked against every rule."""
    require_role(caller, Role.certification_body)
    row = await deps.audit(session, caller, audit_id, for_update=True)
    check_if_match(if_match, row.version)
    await service.change(session, row, _plan(AuditKind(row.kind), body))
    return json_response(await deps.audit_out(session, row), version=row.version)


@router.post("/audits/{audit_id}/completion", response_model=s.AuditOut)
async def complete_audit(
    audit_id: uuid.UUID, body: s.CompletionIn, caller: CurrentCaller, session: Session
) -> s.AuditOut:
    require_role(caller, Role.certification_body)
    row = await deps.audit(session, caller, audit_id, for_update=True)
    await service.complete(session, row, body.report, caller.client_key, repository.today())
    return await deps.audit_out(session, row)


@router.post("/audits/{audit_id}/cancellation", response_model=s.AuditOut)
async def cancel_audit(audit_id: uuid.UUID, caller: CurrentCaller, session: Session) -> s.AuditOut:
    require_role(caller, Role.certification_body)
    row = await deps.audit(session, caller, audit_id, for_update=True)
    await service.cancel(session, row, caller.client_key)
    return await deps.audit_out(session, row)


@router.post(
    "/audits/{audit_id}/findings",
    status_code=201,
    response_model=s.FindingOut,
    tags=["findings 不符合项"],
)
async def raise_finding(
    audit_id: uuid.UUID, body: s.FindingCreate, caller: CurrentCaller, session: Session
) -> JSONResponse:
    require_role(caller, Role.certification_body)
    row = await deps.audit(session, caller, audit_id)
    finding = await finding_service.raise_finding(
        session, row, body.clause, body.severity, body.description
    )
    return json_response(
        s.FindingOut.model_validate(finding),
        201,
        version=finding.version,
        location=f"/api/v1/findings/{finding.id}",
    )


@router.get(
    "/audits/{audit_id}/findings", response_model=list[s.FindingOut], tags=["findings 不符合项"]
)
async def list_findings(
    audit_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.FindingOut]:
    await deps.audit(session, caller, audit_id)
    rows = await session.scalars(
        sa.select(Finding).where(Finding.audit_id == audit_id).order_by(Finding.id)
    )
    return [s.FindingOut.model_validate(r) for r in rows]
