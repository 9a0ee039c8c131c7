"""认定申请 — applications, their transitions, conclusion, review, notice and decision."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from audit.api import schemas as s
from audit.db.tables import Application
from audit.domain.enums import ApplicationStatus
from audit.service import applications as service
from audit.service import certificates as certificate_service
from iims_common.http import Session, json_response
from iims_common.i18n import text
from iims_common.idempotency import Idempotent
from iims_common.identity import CurrentCaller
from iims_common.pagination import Page, Pagination, page_of

router = APIRouter(prefix="/api/v1", tags=["applications 认定申请"])


@router.post("/applications", status_code=201, response_model=s.ApplicationOut)
async def create_application(
    body: s.ApplicationCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """评定申请: an enterprise (or the consultancy serving it) applies to a certification body."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    row = await service.create(session, caller, body)
    return await idem.remember(
        json_response(
            s.ApplicationOut.model_validate(row),
            201,
            version=row.version,
            location=f"/api/v1/applications/{row.id}",
        )
    )


@router.get("/applications", response_model=Page[s.ApplicationOut])
async def list_applications(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    status: ApplicationStatus | None = None,
    enterprise_id: uuid.UUID | None = None,
    certification_body_id: uuid.UUID | None = None,
) -> Page[s.ApplicationOut]:
    stmt = service.query(
        caller,
        status=status,
        enterprise_id=enterprise_id,
        certification_body_id=certification_body_id,
    )
    return await page_of(session, stmt, Application.id, page, s.ApplicationOut)


@router.get("/applications/{application_id}", response_model=s.ApplicationOut)
async def get_application(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    row = await service.get(session, caller, application_id)
    return json_response(s.ApplicationOut.model_validate(row), version=row.version)


@router.get("/applications/{application_id}/history", response_model=list[s.HistoryOut])
async def list_application_history(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.HistoryOut]:
    rows = await service.history_of(session, caller, application_id)
    return [s.HistoryOut.model_validate(r) for r in rows]


@router.post("/applications/{application_id}/withdrawal", response_model=s.ApplicationOut)
async def withdraw_application(
    application_id: uuid.UUID, body: s.WithdrawIn, caller: CurrentCaller, session: Session
) -> s.ApplicationOut:
    """The enterprise withdraws its application before the audit conclusion."""
    row = await service.withdraw(session, caller, application_id, body)
    return s.ApplicationOut.model_validate(row)


@router.post("/applications/{application_id}/conclusion", response_model=s.ConclusionOut)
async def conclude_application(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.ConclusionOut:
    """审核结论 by the certification body after stage 2 and the verification of findings:
    passed (publishes `audit-passed`) or a new stage 2 required; otherwise a 422 naming the
    rule (an open major finding, a minor without an accepted plan)."""
    row, result = await service.conclude(session, caller, application_id)
    return s.ConclusionOut(
        application_id=row.id,
        outcome=result.outcome.value,
        rule=result.rule,
        detail=text(result.detail) if result.detail else "",
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
    notice_days = request.app.state.settings.notice_period_days
    row = await service.review(session, caller, application_id, body, notice_days=notice_days)
    return s.ApplicationOut.model_validate(row)


@router.get("/applications/{application_id}/objections", response_model=list[s.ObjectionOut])
async def list_objections(
    application_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.ObjectionOut]:
    rows = await service.objections_of(session, caller, application_id)
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
    objection = await service.resolve_objection(session, caller, application_id, objection_id, body)
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
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
    request: Request,
) -> JSONResponse:
    """认定决定 after the notice: issues the certificate and publishes `certificate-issued`."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    certificate = await certificate_service.decide(
        session,
        caller,
        application_id,
        body,
        valid_years=request.app.state.settings.certificate_valid_years,
    )
    return await idem.remember(
        json_response(
            s.CertificateOut.model_validate(certificate),
            201,
            version=certificate.version,
            location=f"/api/v1/certificates/{certificate.number}",
        )
    )
