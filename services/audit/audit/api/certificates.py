"""认定证书 — certificates, their surveillance cycle, suspension, restoration, withdrawal;
public verification and public notices (公示)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from audit.api import schemas as s
from audit.db.tables import Certificate
from audit.domain.enums import CertificateStatus
from audit.service import applications as application_service
from audit.service import certificates as service
from iims_common.http import Session
from iims_common.identifiers import ProvinceLevelCode
from iims_common.identity import CurrentCaller
from iims_common.pagination import Page, Pagination, page_of
from iims_common.ratelimit import RateLimit

router = APIRouter(prefix="/api/v1", tags=["certificates 认定证书"])
public_router = APIRouter(prefix="/api/v1/public", tags=["public 公开查询与公示"])


@router.get("/certificates", response_model=Page[s.CertificateOut])
async def list_certificates(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    status: CertificateStatus | None = None,
    enterprise_id: uuid.UUID | None = None,
) -> Page[s.CertificateOut]:
    stmt = service.query(caller, status=status, enterprise_id=enterprise_id)
    return await page_of(session, stmt, Certificate.id, page, s.CertificateOut)


@router.get("/certificates/{number}", response_model=s.CertificateOut)
async def get_certificate(number: str, caller: CurrentCaller, session: Session) -> s.CertificateOut:
    return s.CertificateOut.model_validate(await service.load(session, caller, number))


@router.get("/certificates/{number}/cycle", response_model=list[s.PlannedAuditOut])
async def get_certificate_cycle(
    number: str, caller: CurrentCaller, session: Session
) -> list[s.PlannedAuditOut]:
    """The surveillance audits and the recertification the certificate's cycle needs."""
    rows = await service.cycle(session, caller, number)
    return [s.PlannedAuditOut.model_validate(r) for r in rows]


@router.post("/certificates/{number}/suspension", response_model=s.CertificateOut)
async def suspend_certificate(
    number: str, body: s.StatusChangeIn, caller: CurrentCaller, session: Session
) -> s.CertificateOut:
    certificate = await service.change_status(session, caller, number, "suspend", body)
    return s.CertificateOut.model_validate(certificate)


@router.post("/certificates/{number}/restoration", response_model=s.CertificateOut)
async def restore_certificate(
    number: str, body: s.StatusChangeIn, caller: CurrentCaller, session: Session
) -> s.CertificateOut:
    certificate = await service.change_status(session, caller, number, "restore", body)
    return s.CertificateOut.model_validate(certificate)


@router.post("/certificates/{number}/withdrawal", response_model=s.CertificateOut)
async def withdraw_certificate(
    number: str, body: s.StatusChangeIn, caller: CurrentCaller, session: Session
) -> s.CertificateOut:
    certificate = await service.change_status(session, caller, number, "withdraw", body)
    return s.CertificateOut.model_validate(certificate)


async def _limit(request: Request, scope: str) -> None:
    limiter: RateLimit = request.app.state.verification_limit
    await limiter.check(request, scope)


@public_router.get("/certificates/{number}", response_model=s.PublicCertificate)
async def verify_certificate(number: str, request: Request) -> s.PublicCertificate:
    """Verify a certificate by its number (no login; rate limited). A miss is a plain 404."""
    await _limit(request, "verify-certificate")
    return s.PublicCertificate.model_validate(await service.verify(request, number))


@public_router.get("/notices", response_model=Page[s.PublicNotice])
async def list_public_notices(session: Session, page: Pagination) -> Page[s.PublicNotice]:
    """公示: applications the management organization approved, open for objections."""
    return await application_service.notices_page(session, page)


@public_router.get("/notices/{application_id}", response_model=s.PublicNotice)
async def get_public_notice(application_id: uuid.UUID, session: Session) -> s.PublicNotice:
    """One 公示 (what the list shows), for the notice's own page where objections are
    lodged; an application not in public notice is a 404."""
    return await application_service.notice(session, application_id)


@public_router.get("/certified-enterprises", response_model=Page[s.PublicCertificate])
async def list_certified_enterprises(
    session: Session,
    page: Pagination,
    province_code: Annotated[ProvinceLevelCode | None, Query()] = None,
) -> Page[s.PublicCertificate]:
    """获证企业名录: the enterprises holding a valid certificate, each with only what its
    certificate shows (as public verification shows it); no login."""
    stmt = service.certified(province_code)
    return await page_of(session, stmt, Certificate.id, page, s.PublicCertificate)


@public_router.post(
    "/notices/{application_id}/objections", status_code=201, response_model=s.ObjectionOut
)
async def lodge_objection(
    application_id: uuid.UUID, body: s.ObjectionIn, request: Request, session: Session
) -> s.ObjectionOut:
    """异议: anyone may object to an application during its public notice (rate limited)."""
    await _limit(request, "objection")
    objection = await application_service.lodge_objection(session, application_id, body)
    return s.ObjectionOut.model_validate(objection)
