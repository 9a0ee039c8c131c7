"""企业 — enterprises: register, read, update (If-Match), list, bulk import."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from iims_common.errors import FieldError, NotFound, PayloadTooLarge, UnsupportedMediaType
from iims_common.fastread import read_one
from iims_common.http import IdempotencyKey, IfMatch, Session, check_if_match, json_response
from iims_common.idempotency import idempotent
from iims_common.identity import CurrentCaller, require_role
from iims_common.pagination import Page, Pagination, page_of
from registry.api.deps import Settings
from registry.api.schemas import (
    EnterpriseCreate,
    EnterpriseOut,
    EnterpriseUpdate,
    ImportReport,
    IndustryCode,
    ProvinceCode,
)
from registry.db import repository
from registry.db.tables import Enterprise
from registry.domain.enums import EnterpriseSize, EnterpriseStatus
from registry.service import enterprises as service

router = APIRouter(prefix="/api/v1/enterprises", tags=["enterprises 企业"])


def _out(e: Enterprise, status_code: int = 200) -> JSONResponse:
    return json_response(
        EnterpriseOut.model_validate(e),
        status_code,
        version=e.version,
        location=f"/api/v1/enterprises/{e.id}" if status_code == 201 else None,
    )


@router.post(
    "", status_code=201, response_model=EnterpriseOut, summary="Register an enterprise 企业登记"
)
async def create_enterprise(
    body: EnterpriseCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    require_role(caller, *service.CREATORS)

    async def create() -> JSONResponse:
        return _out(await service.register(session, caller, body), 201)

    return await idempotent(session, caller, key, body, create)


@router.get("", response_model=Page[EnterpriseOut], summary="List enterprises (filters, cursor)")
async def list_enterprises(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
    industry_code: Annotated[IndustryCode | None, Query()] = None,
    size: EnterpriseSize | None = None,
    status: EnterpriseStatus | None = None,
    name: Annotated[str | None, Query(min_length=1, max_length=100, description="名称包含")] = None,
) -> Page[EnterpriseOut]:
    stmt = repository.enterprise_list_query(
        caller,
        province_code=province_code,
        industry_code=industry_code,
        size=size,
        status=status,
        name=name,
    )
    return await page_of(session, stmt, Enterprise.id, page, EnterpriseOut)


@router.get("/{enterprise_id}", response_model=EnterpriseOut, summary="Read an enterprise")
async def get_enterprise(
    enterprise_id: uuid.UUID, caller: CurrentCaller, request: Request
) -> JSONResponse:
    # The hottest read of the platform: one Core statement on the driver, no ORM session
    # (iims_common.fastread; bench/README.md has the profile that led here).
    row = await read_one(request, repository.enterprise_by_id(caller, enterprise_id))
    if row is None:
        raise NotFound(f"Enterprise {enterprise_id} not found")
    return json_response(EnterpriseOut.model_validate(row), version=row["version"])


@router.patch(
    "/{enterprise_id}", response_model=EnterpriseOut, summary="Update an enterprise (If-Match)"
)
async def update_enterprise(
    enterprise_id: uuid.UUID,
    body: EnterpriseUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    scope = repository.readable_enterprises(caller)
    enterprise = await repository.get_one(
        session, Enterprise, enterprise_id, scope, for_update=True
    )
    require_role(caller, *service.EDITORS)
    check_if_match(if_match, enterprise.version)
    return _out(await service.update(session, caller, enterprise, body))


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Bulk import (CSV or JSON, UTF-8): good rows in, bad rows reported by line",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/EnterpriseCreate"},
                    }
                },
            },
        }
    },
)
async def import_enterprises(
    request: Request, caller: CurrentCaller, session: Session, settings: Settings
) -> ImportReport:
    require_role(caller, *service.IMPORTERS)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("text/csv", "application/json"):
        raise UnsupportedMediaType(
            "Send text/csv or application/json",
            errors=[FieldError("Content-Type", f"{media_type or 'missing'} is not supported")],
        )
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.import_max_bytes:
        raise PayloadTooLarge(f"At most {settings.import_max_bytes} bytes per import")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > settings.import_max_bytes:
            raise PayloadTooLarge(f"At most {settings.import_max_bytes} bytes per import")
    result = await service.import_enterprises(
        session, caller, bytes(raw), media_type, settings.import_max_rows
    )
    return result.report()
