"""审核 — audits (stage 1, stage 2, surveillance, recertification) and their findings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from audit.api import schemas as s
from audit.domain.enums import AuditKind, AuditStatus
from audit.service import audits as service
from audit.service import findings as finding_service
from audit.service import views
from iims_common.http import IfMatch, Session, json_response
from iims_common.i18n import text
from iims_common.idempotency import Idempotent
from iims_common.identity import CurrentCaller
from iims_common.pagination import Page, Pagination

router = APIRouter(prefix="/api/v1", tags=["audits 审核"])


@router.post("/audits", status_code=201, response_model=s.AuditOut)
async def create_audit(
    body: s.AuditCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """Plan an audit with dates and a team. `ends_on` before `starts_on`, or more than 61
    days, is a 422 naming `body`. Every other rule is checked; a refusal is a 422 whose
    `rule` names it (and `member` the auditor): team.member-qualified, team.lead-qualified,
    team.double-booked, team.unavailable, team.impartiality, team.industry-competence,
    team.member-of-body, team.one-lead, audit.stage1-not-completed, audit.days-below-minimum,
    audit.onsite-share, audit.team-too-small-for-days."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    row = await service.plan(session, caller, body)
    out = await views.audit(session, row)
    return await idem.remember(
        json_response(out, 201, version=row.version, location=f"/api/v1/audits/{row.id}")
    )


@router.post("/audits/plan-check", response_model=s.PlanCheckOut)
async def check_audit_plan(
    body: s.PlanCheckIn, caller: CurrentCaller, session: Session
) -> s.PlanCheckOut:
    """Dry run of `POST /audits` for an application: every rule the dates and team break
    (qualification valid on the dates, double-booking, unavailability, impartiality, industry
    competence, stage order, audit days), each with its `rule` name and `member`, so the
    console shows them before saving. Nothing is written and nothing is locked; saving still
    re-checks under locks. `ends_on` before `starts_on`, or more than 61 days, is a 422
    naming `body`, as for `POST /audits`."""
    draft, violations = await service.check_plan(session, caller, body)
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
    stmt = service.query(
        caller,
        kind=kind,
        status=status,
        application_id=application_id,
        certificate_id=certificate_id,
    )
    return await service.page(session, stmt, page)


@router.get("/audits/{audit_id}", response_model=s.AuditOut)
async def get_audit(audit_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    row = await service.get(session, caller, audit_id)
    return json_response(await views.audit(session, row), version=row.version)


@router.put("/audits/{audit_id}/plan", response_model=s.AuditOut)
async def change_audit(
    audit_id: uuid.UUID,
    body: s.AuditPlanFields,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Replace the dates and team of a planned audit (If-Match), re-checked against every rule
    (`ends_on` before `starts_on`, or more than 61 days: a 422 naming `body`)."""
    row = await service.change_plan(session, caller, audit_id, body, if_match=if_match)
    return json_response(await views.audit(session, row), version=row.version)


@router.post("/audits/{audit_id}/completion", response_model=s.AuditOut)
async def complete_audit(
    audit_id: uuid.UUID, body: s.CompletionIn, caller: CurrentCaller, session: Session
) -> s.AuditOut:
    return await service.complete(session, caller, audit_id, body)


@router.post("/audits/{audit_id}/cancellation", response_model=s.AuditOut)
async def cancel_audit(audit_id: uuid.UUID, caller: CurrentCaller, session: Session) -> s.AuditOut:
    return await service.cancel(session, caller, audit_id)


@router.post(
    "/audits/{audit_id}/findings",
    status_code=201,
    response_model=s.FindingOut,
    tags=["findings 不符合项"],
)
async def raise_finding(
    audit_id: uuid.UUID, body: s.FindingCreate, caller: CurrentCaller, session: Session
) -> JSONResponse:
    finding = await finding_service.raise_finding(session, caller, audit_id, body)
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
    rows = await finding_service.of_audit(session, caller, audit_id)
    return [s.FindingOut.model_validate(r) for r in rows]
