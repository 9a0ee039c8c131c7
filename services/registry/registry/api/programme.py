"""贯标试点 — the pilot programme: recommending units, agencies, batches, recommendations,
pilot selection and lifecycle, progress reports, province plans and stats.

Routes only translate: parse, call the aggregate's use case (`registry.service.units`,
`agencies`, `batches`, `recommendations`, `pilots`, `province_plans`), render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from iims_common.exports import XLSX_MEDIA_TYPE
from iims_common.http import IfMatch, Session, json_response
from iims_common.idempotency import Idempotent
from iims_common.identity import CurrentCaller
from iims_common.imports import read_upload
from iims_common.pagination import Page, Pagination, page_of
from registry.api import schemas as s
from registry.api.deps import Settings
from registry.api.schemas import ProvinceCode
from registry.db.tables import (
    Agency,
    Batch,
    ProgressReport,
    RecommendingUnit,
)
from registry.domain.enums import AgencyKind, AgencyStatus, PilotStatus, RecommendingUnitKind
from registry.service import (
    agencies,
    batches,
    pilots,
    province_plans,
    recommendations,
    units,
)

router = APIRouter(prefix="/api/v1")


def _created(
    out: BaseModel, path: str, object_id: uuid.UUID, version: int | None = None
) -> JSONResponse:
    return json_response(out, 201, version=version, location=f"/api/v1/{path}/{object_id}")


# --- recommending units (推荐单位) ---------------------------------------------------------


@router.post(
    "/recommending-units",
    status_code=201,
    response_model=s.RecommendingUnitOut,
    tags=["recommending units 推荐单位"],
)
async def create_recommending_unit(
    body: s.RecommendingUnitCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    unit = await units.create(session, caller, body)
    out = s.RecommendingUnitOut.model_validate(unit)
    return await idem.remember(_created(out, "recommending-units", unit.id))


@router.get(
    "/recommending-units",
    response_model=Page[s.RecommendingUnitOut],
    tags=["recommending units 推荐单位"],
)
async def list_recommending_units(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    kind: RecommendingUnitKind | None = None,
) -> Page[s.RecommendingUnitOut]:
    stmt = units.query(caller, kind=kind)
    return await page_of(session, stmt, RecommendingUnit.id, page, s.RecommendingUnitOut)


@router.get(
    "/recommending-units/{unit_id}",
    response_model=s.RecommendingUnitOut,
    tags=["recommending units 推荐单位"],
)
async def get_recommending_unit(
    unit_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.RecommendingUnitOut:
    return s.RecommendingUnitOut.model_validate(await units.get(session, caller, unit_id))


# --- agencies (服务机构) ------------------------------------------------------------------


@router.post("/agencies", status_code=201, response_model=s.AgencyOut, tags=["agencies 服务机构"])
async def create_agency(
    body: s.AgencyCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    agency = await agencies.create(session, caller, body)
    out = s.AgencyOut.model_validate(agency)
    return await idem.remember(_created(out, "agencies", agency.id, agency.version))


@router.get("/agencies", response_model=Page[s.AgencyOut], tags=["agencies 服务机构"])
async def list_agencies(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    kind: AgencyKind | None = None,
    status: AgencyStatus | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
) -> Page[s.AgencyOut]:
    stmt = agencies.query(caller, kind=kind, status=status, province_code=province_code)
    return await page_of(session, stmt, Agency.id, page, s.AgencyOut)


@router.get("/agencies/{agency_id}", response_model=s.AgencyOut, tags=["agencies 服务机构"])
async def get_agency(agency_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    agency = await agencies.get(session, caller, agency_id)
    return json_response(s.AgencyOut.model_validate(agency), version=agency.version)


@router.patch("/agencies/{agency_id}", response_model=s.AgencyOut, tags=["agencies 服务机构"])
async def update_agency(
    agency_id: uuid.UUID,
    body: s.AgencyUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    agency = await agencies.change(session, caller, agency_id, body, if_match=if_match)
    return json_response(s.AgencyOut.model_validate(agency), version=agency.version)


# --- batches (试点批次) -------------------------------------------------------------------


@router.post("/batches", status_code=201, response_model=s.BatchOut, tags=["batches 试点批次"])
async def create_batch(
    body: s.BatchCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    batch = await batches.create(session, caller, body)
    out = s.BatchOut.model_validate(batch)
    return await idem.remember(_created(out, "batches", batch.id, batch.version))


@router.get("/batches", response_model=Page[s.BatchOut], tags=["batches 试点批次"])
async def list_batches(
    caller: CurrentCaller, session: Session, page: Pagination
) -> Page[s.BatchOut]:
    return await page_of(session, batches.query(caller), Batch.id, page, s.BatchOut)


@router.get("/batches/{batch_id}", response_model=s.BatchOut, tags=["batches 试点批次"])
async def get_batch(batch_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    batch = await batches.get(session, caller, batch_id)
    return json_response(s.BatchOut.model_validate(batch), version=batch.version)


@router.patch("/batches/{batch_id}", response_model=s.BatchOut, tags=["batches 试点批次"])
async def update_batch(
    batch_id: uuid.UUID,
    body: s.BatchUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    batch = await batches.change(session, caller, batch_id, body, if_match=if_match)
    return json_response(s.BatchOut.model_validate(batch), version=batch.version)


@router.get(
    "/batches/{batch_id}/quota-changes",
    response_model=list[s.QuotaChangeOut],
    tags=["batches 试点批次"],
)
async def list_quota_changes(
    batch_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.QuotaChangeOut]:
    """Every change of the batch's pilot quota: from, to, when, why, by whom."""
    rows = await batches.quota_changes(session, caller, batch_id)
    return [s.QuotaChangeOut.model_validate(r) for r in rows]


@router.get("/batches/{batch_id}/stats", response_model=s.BatchStats, tags=["stats 统计"])
async def get_batch_stats(
    batch_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.BatchStats:
    """Per batch and province: recommended, pilots by status, certified, vs quota and target.
    A province sees its own row only."""
    return await batches.stats(session, caller, batch_id)


# --- recommendations (推荐) ---------------------------------------------------------------


@router.post(
    "/batches/{batch_id}/recommendations",
    status_code=201,
    response_model=s.RecommendationOut,
    tags=["recommendations 推荐"],
)
async def recommend_enterprise(
    batch_id: uuid.UUID,
    body: s.RecommendationCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay({"batch_id": batch_id, **body.model_dump()})) is not None:
        return replayed
    rec = await recommendations.recommend(session, caller, batch_id, body)
    out = s.RecommendationOut.model_validate(rec)
    return await idem.remember(_created(out, "recommendations", rec.id))


@router.post(
    "/batches/{batch_id}/recommendations/import",
    response_model=s.ImportReport,
    tags=["recommendations 推荐"],
    summary="A recommendation list as a file (CSV in UTF-8/GB18030/UTF-16, or .xlsx)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_recommendations(
    batch_id: uuid.UUID,
    request: Request,
    caller: CurrentCaller,
    session: Session,
    settings: Settings,
    recommending_unit_id: uuid.UUID | None = None,
) -> s.ImportReport:
    """推荐企业名单: the enterprise import's columns (统一社会信用代码, 企业名称, 所在省份,
    行业门类, 企业规模 …) plus 推荐理由; new enterprises are registered, every good row is
    recommended in the batch as the caller's unit (the ministry names
    `recommending_unit_id`); refused rows by line, downloadable as .xlsx."""
    result, report_id = await recommendations.import_list(
        session,
        caller,
        batch_id,
        lambda: read_upload(request, settings.import_max_bytes),
        request.headers.get("content-type", ""),
        settings.import_max_rows,
        recommending_unit_id,
    )
    url = None if report_id is None else f"/api/v1/enterprises/imports/{report_id}/refused-rows"
    return result.report(url)


@router.get(
    "/recommendations", response_model=Page[s.RecommendationOut], tags=["recommendations 推荐"]
)
async def list_recommendations(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    batch_id: uuid.UUID | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
    recommending_unit_id: uuid.UUID | None = None,
    selected: Annotated[
        bool | None, Query(description="true: only those selected as pilots; false: not yet")
    ] = None,
) -> Page[s.RecommendationOut]:
    stmt = recommendations.query(
        caller,
        batch_id=batch_id,
        province_code=province_code,
        recommending_unit_id=recommending_unit_id,
        selected=selected,
    )
    return await recommendations.page(session, stmt, page)


@router.get(
    "/recommendations/{recommendation_id}",
    response_model=s.RecommendationOut,
    tags=["recommendations 推荐"],
)
async def get_recommendation(
    recommendation_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.RecommendationOut:
    return await recommendations.detail(session, caller, recommendation_id)


# --- pilots (试点企业) --------------------------------------------------------------------


@router.post(
    "/batches/{batch_id}/pilots",
    status_code=201,
    response_model=s.PilotOut,
    tags=["pilots 试点企业"],
    summary="Select a recommendation as pilot (within the quota)",
)
async def select_pilot(
    batch_id: uuid.UUID,
    body: s.PilotSelect,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay({"batch_id": batch_id, **body.model_dump()})) is not None:
        return replayed
    pilot = await pilots.select(session, caller, batch_id, body)
    out = s.PilotOut.model_validate(pilot)
    return await idem.remember(_created(out, "pilots", pilot.id, pilot.version))


@router.get("/pilots", response_model=Page[s.PilotOut], tags=["pilots 试点企业"])
async def list_pilots(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    batch_id: uuid.UUID | None = None,
    status: PilotStatus | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
    enterprise_id: uuid.UUID | None = None,
    consultancy_id: uuid.UUID | None = None,
) -> Page[s.PilotOut]:
    stmt = pilots.query(
        caller,
        batch_id=batch_id,
        status=status,
        province_code=province_code,
        enterprise_id=enterprise_id,
        consultancy_id=consultancy_id,
    )
    return await pilots.page(session, stmt, page)


@router.get("/pilots/{pilot_id}", response_model=s.PilotOut, tags=["pilots 试点企业"])
async def get_pilot(pilot_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    pilot = await pilots.get(session, caller, pilot_id)
    return json_response(s.PilotOut.model_validate(pilot), version=pilot.version)


@router.patch(
    "/pilots/{pilot_id}",
    response_model=s.PilotOut,
    tags=["pilots 试点企业"],
    summary="Change a pilot's status or consultancy (If-Match)",
)
async def update_pilot(
    pilot_id: uuid.UUID,
    body: s.PilotUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    pilot = await pilots.change(session, caller, pilot_id, body, if_match=if_match)
    return json_response(s.PilotOut.model_validate(pilot), version=pilot.version)


@router.get(
    "/pilots/{pilot_id}/status-history",
    response_model=list[s.PilotStatusChangeOut],
    tags=["pilots 试点企业"],
)
async def list_pilot_status_history(
    pilot_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.PilotStatusChangeOut]:
    rows = await pilots.status_history(session, caller, pilot_id)
    return [s.PilotStatusChangeOut.model_validate(r) for r in rows]


# --- progress reports (进展报告) ----------------------------------------------------------


@router.post(
    "/pilots/{pilot_id}/progress-reports",
    status_code=201,
    response_model=s.ProgressReportOut,
    tags=["progress reports 进展报告"],
)
async def submit_progress_report(
    pilot_id: uuid.UUID,
    body: s.ProgressReportCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay({"pilot_id": pilot_id, **body.model_dump()})) is not None:
        return replayed
    report = await pilots.report_progress(session, caller, pilot_id, body)
    out = s.ProgressReportOut.model_validate(report)
    return await idem.remember(_created(out, "progress-reports", report.id))


@router.get(
    "/progress-reports",
    response_model=Page[s.ProgressReportOut],
    tags=["progress reports 进展报告"],
)
async def list_progress_reports(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    batch_id: uuid.UUID | None = None,
    pilot_id: uuid.UUID | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
    period: Annotated[s.Period | None, Query()] = None,
) -> Page[s.ProgressReportOut]:
    stmt = pilots.progress_reports(
        caller, batch_id=batch_id, pilot_id=pilot_id, province_code=province_code, period=period
    )
    return await page_of(session, stmt, ProgressReport.id, page, s.ProgressReportOut)


@router.get(
    "/batches/{batch_id}/progress-summary",
    response_model=s.ProgressSummary,
    tags=["progress reports 进展报告"],
    summary="Per province: active pilots, reports for the period, missing, average percent",
)
async def get_progress_summary(
    batch_id: uuid.UUID,
    caller: CurrentCaller,
    session: Session,
    period: Annotated[s.Period, Query(description="YYYY-MM")],
) -> s.ProgressSummary:
    return await batches.progress_summary(session, caller, batch_id, period)


# --- province plans (本区域贯标工作落实方案) ------------------------------------------------


@router.post(
    "/batches/{batch_id}/province-plans",
    status_code=201,
    response_model=s.ProvincePlanOut,
    tags=["province plans 落实方案"],
)
async def submit_province_plan(
    batch_id: uuid.UUID,
    body: s.ProvincePlanCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay({"batch_id": batch_id, **body.model_dump()})) is not None:
        return replayed
    plan = await province_plans.submit(session, caller, batch_id, body)
    out = s.ProvincePlanOut.model_validate(plan)
    return await idem.remember(_created(out, "province-plans", plan.id))


@router.get(
    "/batches/{batch_id}/province-plans",
    response_model=list[s.ProvincePlanStatusOut],
    tags=["province plans 落实方案"],
    summary="Every province's plan status: submitted / submitted_late / pending / late",
)
async def list_province_plan_statuses(
    batch_id: uuid.UUID,
    caller: CurrentCaller,
    session: Session,
    as_of: Annotated[dt.date | None, Query(description="Evaluate lateness on this date")] = None,
) -> list[s.ProvincePlanStatusOut]:
    return await batches.plan_statuses(session, caller, batch_id, as_of=as_of)


@router.get(
    "/province-plans/{plan_id}", response_model=s.ProvincePlanOut, tags=["province plans 落实方案"]
)
async def get_province_plan(
    plan_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.ProvincePlanOut:
    return s.ProvincePlanOut.model_validate(await province_plans.get(session, caller, plan_id))
