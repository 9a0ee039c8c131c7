"""企业 — enterprises: register, read, update (If-Match), list, bulk import."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse

from iims_common.errors import NotFound
from iims_common.exports import XLSX_MEDIA_TYPE
from iims_common.fastread import read_one
from iims_common.fastroute import fast_get
from iims_common.http import IfMatch, Session, json_response
from iims_common.i18n import _
from iims_common.idempotency import Idempotent
from iims_common.identity import Caller, CurrentCaller
from iims_common.imports import load_refused, read_upload
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
from registry.db.tables import Enterprise, import_reports
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
    body: EnterpriseCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    return await idem.remember(_out(await service.create(session, caller, body), 201))


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
    stmt = service.query(
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
    return await read_enterprise(request, caller, enterprise_id)


async def read_enterprise(
    request: Request, caller: Caller, enterprise_id: uuid.UUID
) -> JSONResponse:
    """The hottest read of the platform: one Core statement on the driver, no ORM session
    (iims_common.fastread), and in the plain case no FastAPI request handling either
    (`fast_routes`, iims_common.fastroute; bench/README.md has the profiles)."""
    stmt = repository.enterprise_by_id(caller)
    row = await read_one(request, stmt, {"enterprise_id": enterprise_id})
    if row is None:
        raise NotFound(_("Enterprise {enterprise_id} not found", enterprise_id=enterprise_id))
    return json_response(EnterpriseOut.model_validate(row), version=row["version"])


async def _read_enterprise_fast(
    request: Request, caller: Caller, params: dict[str, uuid.UUID]
) -> JSONResponse:
    return await read_enterprise(request, caller, params["enterprise_id"])


def fast_routes(app: FastAPI) -> None:
    """`GET /api/v1/enterprises/{enterprise_id}`'s plain case without FastAPI's dependency
    solving; the documented route above answers everything else."""
    fast_get(app, router, "/api/v1/enterprises/{enterprise_id}", _read_enterprise_fast)


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
    enterprise = await service.change(session, caller, enterprise_id, body, if_match=if_match)
    return _out(enterprise)


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Bulk import (CSV in UTF-8/GB18030/UTF-16, .xlsx, or JSON): good rows in, "
    "bad rows reported by line and downloadable as .xlsx",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
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
    """统一社会信用代码, 企业名称, 所在省份, 行业门类, 企业规模 (+ 地址, 联系人, 联系电话,
    电子邮箱) — headers in Chinese or English, values as `/labels`, `/provinces` and
    `/industries` list them (中型 or medium, 浙江/浙江省 or 330000, 制造业 or C)."""
    result, report_id = await service.import_file(
        session,
        caller,
        lambda: read_upload(request, settings.import_max_bytes),
        request.headers.get("content-type", ""),
        settings.import_max_rows,
    )
    url = None if report_id is None else f"/api/v1/enterprises/imports/{report_id}/refused-rows"
    return result.report(url)


@router.get(
    "/imports/{import_id}/refused-rows",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "未导入的行 (Excel)"}},
    summary="The refused rows of an import as .xlsx (原文件行号, the file's columns, 拒绝原因)",
)
async def download_refused_enterprise_rows(
    import_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> Response:
    content = await load_refused(session, import_reports, caller, service.IMPORT_KIND, import_id)
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="refused-rows-{import_id}.xlsx"'},
    )
