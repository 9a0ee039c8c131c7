"""认定申请 — applications, their transitions, conclusion, review, notice and decision."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from audit.api import deps
from audit.api import schemas as s
from audit.db import repository
from audit.db.tables import Application, ApplicationEvent, Enterprise, Objection
from audit.domain.application_flow import Action, Readiness
from audit.domain.enums import ApplicationStatus
from audit.service import applications as service
from audit.service import certificates as certificate_service
from iims_common.db import utcnow
from iims_common.errors import NotFound
from iims_common.http import IdempotencyKey, Session, json_response
from iims_common.i18n import _
from iims_common.idempotency import idempotent
from iims_common.identity import CurrentCaller, Role, require_role
from iims_common.pagination import Page, Pagination, page_of, where_given

router = APIRouter(prefix="/api/v1", tags=["applications 认定申请"])


@router.post("/applications", status_code=201, response_model=s.ApplicationOut)
async def create_application(
    body: s.ApplicationCreate,
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """评定申请: an enterprise (or the consultancy serving it) applies to a certification body."""
    require_role(caller, Role.enterprise, Role.consultancy)
    if caller.role is Role.enterprise and caller.organization_id != body.enterprise_id:
        raise NotFound(_("Enterprise {enterprise_id} not found", enterprise_id=body.enterprise_id))

    async def create() -> JSONResponse:
        if caller.role is Role.consultancy:
            await _served_by_caller(session, caller.organization_id, body.enterprise_id)
        row = await service.apply(
            session,
            caller,
            enterprise_id=body.enterprise_id,
            body_id=body.certification_body_id,
            scope=body.scope,
            site=body.site,
            readiness=Readiness(
                body.system_running_since,
                body.internal_audit_done,
                body.management_review_done,
            ),
            today=repository.today(),
        )
        return json_response(
            s.ApplicationOut.model_validate(row),
            201,
            version=row.version,
            location=f"/api/v1/applications/{row.id}",
        )

    return await idempotent(session, caller, key, body, create)


async def _served_by_caller(
    session: Session, consultancy_id: uuid.UUID | None, enterprise_id: uuid.UUID
) -> None:
    served = await session.scalar(
        sa.select(Enterprise.id).where(
            Enterprise.id == enterprise_id, Enterprise.consultancy_id == consultancy_id
        )
    )
    if served is None:
        raise NotFound(_("Enterprise {enterprise_id} not found", enterprise_id=enterprise_id))


@router.get("/applications", response_model=Page[s.ApplicationOut])
async def list_applications(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    status: ApplicationStatus | None = None,
    enterprise_id: uuid.UUID | None = None,
    certification_body_id: uuid.UUID | None = None,
) -> Page[s.ApplicationOut]:
    stmt = where_given(
        sa.select(Application).where(repository.APPLICATIONS.condition(caller)),
        (Application.status, status),
        (Application.enterprise_id, enterprise_id),
        (Application.body_id, certification_body_id),
    )
    return await page_of(session, stmt, Application.id, page, s.ApplicationOut)


@router.get("/applications/{application_id}", response_model=s.ApplicationOut)
async def get_application(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    row = await deps.application(session, caller, application_id)
    return json_response(s.ApplicationOut.model_validate(row), version=row.version)


@router.get("/applications/{application_id}/history", response_model=list[s.HistoryOut])
async def application_history(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.HistoryOut]:
    await deps.application(session, caller, application_id)
    rows = await session.scalars(
        sa.select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id)
    )
    return [s.HistoryOut.model_validate(r) for r in rows]


@router.post("/applications/{application_id}/withdrawal", response_model=s.ApplicationOut)
async def withdraw_application(
    application_id: uuid.UUID, body: s.WithdrawIn, caller: CurrentCaller, session: Session
) -> s.ApplicationOut:
    """The enterprise withdraws its application before the audit conclusion."""
    require_role(caller, Role.enterprise)
    row = await deps.application(session, caller, application_id, for_update=True)
    await service.transition(session, row, Action.withdraw, caller.client_key, body.reason)
    return s.ApplicationOut.model_validate(row)


@router.post("/applications/{application_id}/conclusion", response_model=s.ConclusionOut)
async def conclude_application(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.ConclusionOut:
    """审核结论 by the certification body after stage 2 and the verification of findings:
    passed (publishes `audit-passed`) or a new stage 2 required; otherwise a 422 naming the
    rule (an open major finding, a minor without an accepted plan)."""
    require_role(caller, Role.certification_body)
    row = await deps.application(session, caller, application_id, for_update=True)
    result = await service.conclude(session, row, caller.client_key, repository.today())
    return s.ConclusionOut(
        application_id=row.id,
        outcome=result.outcome.value,
        rule=result.rule,
        detail=result.detail,
        status=ApplicationStatus(row.status),
    )


@router.post("/applications/{application_id}/review", response_model=s.ApplicationOut)
async def review_application(
    application_id: uuid.UUID,
    body: s.ReviewIn,
    caller: CurrentCaller,
    session: Session,
    request: Request,
) -> s.ApplicationOut:
    """合规性审查 by the management organization: approval opens the public notice (公示)."""
    require_role(caller, Role.management_org)
    row = await deps.application(session, caller, application_id, for_update=True)
    await service.review(
        session,
        row,
        approved=body.approved,
        comment=body.comment,
        actor=caller.client_key,
        today=repository.today(),
        notice_days=request.app.state.settings.notice_period_days,
    )
    return s.ApplicationOut.model_validate(row)


@router.get("/applications/{application_id}/objections", response_model=list[s.ObjectionOut])
async def list_objections(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.ObjectionOut]:
    require_role(caller, Role.management_org, Role.ministry, Role.certification_body)
    await deps.application(session, caller, application_id)
    rows = await session.scalars(
        sa.select(Objection)
        .where(Objection.application_id == application_id)
        .order_by(Objection.id)
    )
    return [s.ObjectionOut.model_validate(r) for r in rows]


@router.post(
    "/applications/{application_id}/objections/{objection_id}/resolution",
    response_model=s.ObjectionOut,
)
async def resolve_objection(
    application_id: uuid.UUID,
    objection_id: uuid.UUID,
    body: s.ObjectionResolution,
    caller: CurrentCaller,
    session: Session,
) -> s.ObjectionOut:
    """The management organization upholds (the application is rejected) or dismisses it."""
    require_role(caller, Role.management_org)
    row = await deps.application(session, caller, application_id, for_update=True)
    objection = await session.get(Objection, objection_id, with_for_update=True)
    if objection is None or objection.application_id != row.id:
        raise NotFound(_("Objection {objection_id} not found", objection_id=objection_id))
    await service.resolve_objection(
        session,
        row,
        objection,
        upheld=body.upheld,
        resolution=body.resolution,
        actor=caller.client_key,
        now=utcnow(),
    )
    return s.ObjectionOut.model_validate(objection)


@router.post(
    "/applications/{application_id}/decision",
    status_code=201,
    response_model=s.CertificateOut,
    tags=["certificates 认定证书"],
)
async def decide_application(
    application_id: uuid.UUID,
    body: s.DecisionIn,
    caller: CurrentCaller,
    session: Session,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """认定决定 after the notice: issues the certificate and publishes `certificate-issued`."""
    require_role(caller, Role.management_org)

    async def create() -> JSONResponse:
        row = await deps.application(session, caller, application_id, for_update=True)
        certificate = await certificate_service.decide(
            session,
            row,
            today=repository.today(),
            effective_on=body.effective_on,
            valid_years=request.app.state.settings.certificate_valid_years,
            actor=caller.client_key,
        )
        return json_response(
            s.CertificateOut.model_validate(certificate),
            201,
            version=certificate.version,
            location=f"/api/v1/certificates/{certificate.number}",
        )

    return await idempotent(session, caller, key, body, create)
