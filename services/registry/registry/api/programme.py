"""贯标试点 — the pilot programme: recommending units, agencies, batches, recommendations,
pilot selection and lifecycle, progress reports, province plans and stats."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from iims_common.db import utcnow
from iims_common.exports import XLSX_MEDIA_TYPE
from iims_common.http import IdempotencyKey, IfMatch, Session, check_if_match, json_response
from iims_common.idempotency import idempotent
from iims_common.identity import CurrentCaller, Role, require_role
from iims_common.imports import read_upload, store_refused
from iims_common.pagination import Page, Pagination, page_of, paginate, where_given
from registry.api import schemas as s
from registry.api.deps import Settings
from registry.api.enterprises import IMPORT_KIND
from registry.api.schemas import ProvinceCode
from registry.db import repository
from registry.db.tables import (
    Agency,
    Batch,
    BatchQuotaChange,
    Enterprise,
    Pilot,
    PilotStatusChange,
    ProgressReport,
    ProvincePlan,
    Recommendation,
    RecommendingUnit,
    import_reports,
)
from registry.domain.enums import AgencyKind, AgencyStatus, PilotStatus, RecommendingUnitKind
from registry.service import programme as service
from registry.service import recommendation_import

router = APIRouter(prefix="/api/v1")
NATIONAL = (Role.ministry, Role.management_org)


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
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    require_role(caller, Role.ministry)

    async def create() -> JSONResponse:
        unit = await service.create_unit(session, body)
        return _created(s.RecommendingUnitOut.model_validate(unit), "recommending-units", unit.id)

    return await idempotent(session, caller, key, body, create)


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
    stmt = where_given(sa.select(RecommendingUnit), (RecommendingUnit.kind, kind))
    return await page_of(session, stmt, RecommendingUnit.id, page, s.RecommendingUnitOut)


@router.get(
    "/recommending-units/{unit_id}",
    response_model=s.RecommendingUnitOut,
    tags=["recommending units 推荐单位"],
)
async def get_recommending_unit(
    unit_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.RecommendingUnitOut:
    unit = await repository.get_one(session, RecommendingUnit, unit_id, what="Recommending unit")
    return s.RecommendingUnitOut.model_validate(unit)


# --- agencies (服务机构) ------------------------------------------------------------------


@router.post("/agencies", status_code=201, response_model=s.AgencyOut, tags=["agencies 服务机构"])
async def create_agency(
    body: s.AgencyCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    async def create() -> JSONResponse:
        agency = await service.create_agency(session, caller, body)
        return _created(s.AgencyOut.model_validate(agency), "agencies", agency.id, agency.version)

    return await idempotent(session, caller, key, body, create)


@router.get("/agencies", response_model=Page[s.AgencyOut], tags=["agencies 服务机构"])
async def list_agencies(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    kind: AgencyKind | None = None,
    status: AgencyStatus | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
) -> Page[s.AgencyOut]:
    stmt = where_given(
        sa.select(Agency),
        (Agency.kind, kind),
        (Agency.status, status),
        (Agency.province_code, province_code),
    )
    return await page_of(session, stmt, Agency.id, page, s.AgencyOut)


@router.get("/agencies/{agency_id}", response_model=s.AgencyOut, tags=["agencies 服务机构"])
async def get_agency(agency_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    agency = await repository.get_one(session, Agency, agency_id, what="Agency")
    return json_response(s.AgencyOut.model_validate(agency), version=agency.version)


@router.patch("/agencies/{agency_id}", response_model=s.AgencyOut, tags=["agencies 服务机构"])
async def update_agency(
    agency_id: uuid.UUID,
    body: s.AgencyUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    agency = await repository.get_one(session, Agency, agency_id, for_update=True, what="Agency")
    check_if_match(if_match, agency.version)
    agency = await service.update_agency(session, caller, agency, body)
    return json_response(s.AgencyOut.model_validate(agency), version=agency.version)


# --- batches (试点批次) -------------------------------------------------------------------


@router.post("/batches", status_code=201, response_model=s.BatchOut, tags=["batches 试点批次"])
async def create_batch(
    body: s.BatchCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    require_role(caller, Role.ministry)

    async def create() -> JSONResponse:
        batch = await service.create_batch(session, body, changed_by=caller.client_key)
        return _created(s.BatchOut.model_validate(batch), "batches", batch.id, batch.version)

    return await idempotent(session, caller, key, body, create)


@router.get("/batches", response_model=Page[s.BatchOut], tags=["batches 试点批次"])
async def list_batches(
    caller: CurrentCaller, session: Session, page: Pagination
) -> Page[s.BatchOut]:
    return await page_of(session, sa.select(Batch), Batch.id, page, s.BatchOut)


@router.get("/batches/{batch_id}", response_model=s.BatchOut, tags=["batches 试点批次"])
async def get_batch(batch_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    batch = await repository.get_one(session, Batch, batch_id, what="Batch")
    return json_response(s.BatchOut.model_validate(batch), version=batch.version)


@router.patch("/batches/{batch_id}", response_model=s.BatchOut, tags=["batches 试点批次"])
async def update_batch(
    batch_id: uuid.UUID,
    body: s.BatchUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    require_role(caller, Role.ministry)
    batch = await repository.get_one(session, Batch, batch_id, for_update=True, what="Batch")
    check_if_match(if_match, batch.version)
    batch = await service.update_batch(session, batch, body, changed_by=caller.client_key)
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
    batch = await repository.get_one(session, Batch, batch_id, what="Batch")
    rows = await session.scalars(
        sa.select(BatchQuotaChange)
        .where(BatchQuotaChange.batch_id == batch.id)
        .order_by(BatchQuotaChange.created_at, BatchQuotaChange.id)
    )
    return [s.QuotaChangeOut.model_validate(r) for r in rows.all()]


@router.get("/batches/{batch_id}/stats", response_model=s.BatchStats, tags=["stats 统计"])
async def get_batch_stats(
    batch_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.BatchStats:
    """Per batch and province: recommended, pilots by status, certified, vs quota and target.
    A province sees its own row only."""
    require_role(caller, Role.ministry, Role.management_org, Role.province)
    batch = await repository.get_one(session, Batch, batch_id, what="Batch")
    return await service.batch_stats(session, caller, batch)


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
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    require_role(caller, Role.ministry, Role.province, Role.recommender)

    async def create() -> JSONResponse:
        batch = await repository.get_one(session, Batch, batch_id, what="Batch")
        rec = await service.recommend(session, caller, batch, body)
        return _created(s.RecommendationOut.model_validate(rec), "recommendations", rec.id)

    return await idempotent(
        session, caller, key, {"batch_id": batch_id, **body.model_dump()}, create
    )


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
    require_role(caller, Role.ministry, Role.province, Role.recommender)
    batch = await repository.get_one(session, Batch, batch_id, what="Batch")
    raw = await read_upload(request, settings.import_max_bytes)
    result = await recommendation_import.import_recommendations(
        session,
        caller,
        batch,
        raw,
        request.headers.get("content-type", ""),
        settings.import_max_rows,
        recommending_unit_id,
    )
    url = None
    refused = result.refused_rows()
    if refused is not None:
        report_id = await store_refused(
            session, import_reports, caller, IMPORT_KIND, len(result.errors), refused
        )
        url = f"/api/v1/enterprises/imports/{report_id}/refused-rows"
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
    stmt = where_given(
        sa.select(Recommendation).where(repository.readable_recommendations(caller)),
        (Recommendation.batch_id, batch_id),
        (Recommendation.province_code, province_code),
        (Recommendation.recommending_unit_id, recommending_unit_id),
    )
    if selected is not None:
        chosen = sa.select(Pilot.id).where(Pilot.recommendation_id == Recommendation.id).exists()
        stmt = stmt.where(chosen if selected else ~chosen)
    rows, cursor = await paginate(session, stmt, Recommendation.id, page)
    return Page[s.RecommendationOut](
        items=await _recommendations_out(session, rows), next_cursor=cursor
    )


async def _recommendations_out(
    session: Session, rows: Sequence[Recommendation]
) -> list[s.RecommendationOut]:
    """Recommendations with the enterprise's name and USCC, the unit's name and the pilot
    each became (one query per kind for the whole page)."""
    enterprise_ids = {r.enterprise_id for r in rows}
    unit_ids = {r.recommending_unit_id for r in rows}
    enterprises = {
        e.id: e
        for e in await session.execute(
            sa.select(Enterprise.id, Enterprise.name, Enterprise.uscc).where(
                Enterprise.id.in_(enterprise_ids)
            )
        )
    }
    units = dict(
        (
            await session.execute(
                sa.select(RecommendingUnit.id, RecommendingUnit.name).where(
                    RecommendingUnit.id.in_(unit_ids)
                )
            )
        )
        .tuples()
        .all()
    )
    pilots = dict(
        (
            await session.execute(
                sa.select(Pilot.recommendation_id, Pilot.id).where(
                    Pilot.recommendation_id.in_([r.id for r in rows])
                )
            )
        )
        .tuples()
        .all()
    )
    out = []
    for r in rows:
        item = s.RecommendationOut.model_validate(r)
        e = enterprises.get(r.enterprise_id)
        item.enterprise_name, item.enterprise_uscc = (e.name, e.uscc) if e else (None, None)
        item.recommending_unit_name = units.get(r.recommending_unit_id)
        item.pilot_id = pilots.get(r.id)
        out.append(item)
    return out


@router.get(
    "/recommendations/{recommendation_id}",
    response_model=s.RecommendationOut,
    tags=["recommendations 推荐"],
)
async def get_recommendation(
    recommendation_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.RecommendationOut:
    rec = await repository.get_one(
        session,
        Recommendation,
        recommendation_id,
        repository.readable_recommendations(caller),
        what="Recommendation",
    )
    return (await _recommendations_out(session, [rec]))[0]


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
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    require_role(caller, Role.ministry)

    async def create() -> JSONResponse:
        pilot = await service.select_pilot(session, caller, batch_id, body)
        return _created(s.PilotOut.model_validate(pilot), "pilots", pilot.id, pilot.version)

    return await idempotent(
        session, caller, key, {"batch_id": batch_id, **body.model_dump()}, create
    )


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
    stmt = where_given(
        sa.select(Pilot).where(repository.readable_pilots(caller)),
        (Pilot.batch_id, batch_id),
        (Pilot.status, status),
        (Pilot.province_code, province_code),
        (Pilot.enterprise_id, enterprise_id),
        (Pilot.consultancy_id, consultancy_id),
    )
    rows, cursor = await paginate(session, stmt, Pilot.id, page)
    names = dict(
        (
            await session.execute(
                sa.select(Enterprise.id, Enterprise.name).where(
                    Enterprise.id.in_({p.enterprise_id for p in rows})
                )
            )
        )
        .tuples()
        .all()
    )
    items = [
        s.PilotOut.model_validate(p).model_copy(
            update={"enterprise_name": names.get(p.enterprise_id)}
        )
        for p in rows
    ]
    return Page[s.PilotOut](items=items, next_cursor=cursor)


@router.get("/pilots/{pilot_id}", response_model=s.PilotOut, tags=["pilots 试点企业"])
async def get_pilot(pilot_id: uuid.UUID, caller: CurrentCaller, session: Session) -> JSONResponse:
    pilot = await repository.get_one(
        session, Pilot, pilot_id, repository.readable_pilots(caller), what="Pilot"
    )
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
    pilot = await repository.get_one(
        session,
        Pilot,
        pilot_id,
        repository.readable_pilots(caller),
        for_update=True,
        what="Pilot",
    )
    require_role(caller, Role.ministry, Role.province)
    check_if_match(if_match, pilot.version)
    pilot = await service.update_pilot(session, caller, pilot, body)
    return json_response(s.PilotOut.model_validate(pilot), version=pilot.version)


@router.get(
    "/pilots/{pilot_id}/status-history",
    response_model=list[s.PilotStatusChangeOut],
    tags=["pilots 试点企业"],
)
async def list_pilot_status_history(
    pilot_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> list[s.PilotStatusChangeOut]:
    await repository.get_one(
        session, Pilot, pilot_id, repository.readable_pilots(caller), what="Pilot"
    )
    rows = await session.scalars(
        sa.select(PilotStatusChange)
        .where(PilotStatusChange.pilot_id == pilot_id)
        .order_by(PilotStatusChange.changed_at, PilotStatusChange.id)
    )
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
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    pilot = await repository.get_one(
        session, Pilot, pilot_id, repository.readable_pilots(caller), what="Pilot"
    )
    require_role(caller, Role.ministry, Role.province, Role.enterprise, Role.consultancy)

    async def create() -> JSONResponse:
        report = await service.submit_progress_report(session, caller, pilot, body)
        return _created(s.ProgressReportOut.model_validate(report), "progress-reports", report.id)

    return await idempotent(
        session, caller, key, {"pilot_id": pilot_id, **body.model_dump()}, create
    )


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
    stmt = where_given(
        sa.select(ProgressReport)
        .join(Pilot, Pilot.id == ProgressReport.pilot_id)
        .where(repository.readable_pilots(caller)),
        (ProgressReport.batch_id, batch_id),
        (ProgressReport.pilot_id, pilot_id),
        (ProgressReport.province_code, province_code),
        (ProgressReport.period, period),
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
    require_role(caller, Role.ministry, Role.management_org, Role.province)
    batch = await repository.get_one(session, Batch, batch_id, what="Batch")
    return await service.progress_summary(session, caller, batch, period)


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
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    require_role(caller, Role.province, Role.ministry)

    async def create() -> JSONResponse:
        batch = await repository.get_one(session, Batch, batch_id, what="Batch")
        plan = await service.submit_province_plan(session, caller, batch, body)
        return _created(s.ProvincePlanOut.model_validate(plan), "province-plans", plan.id)

    return await idempotent(
        session, caller, key, {"batch_id": batch_id, **body.model_dump()}, create
    )


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
    require_role(caller, Role.ministry, Role.management_org, Role.province)
    batch = await repository.get_one(session, Batch, batch_id, what="Batch")
    return await service.plan_statuses(session, caller, batch, as_of or utcnow().date())


@router.get(
    "/province-plans/{plan_id}", response_model=s.ProvincePlanOut, tags=["province plans 落实方案"]
)
async def get_province_plan(
    plan_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.ProvincePlanOut:
    plan = await repository.get_one(
        session, ProvincePlan, plan_id, repository.readable_plans(caller), what="Province plan"
    )
    return s.ProvincePlanOut.model_validate(plan)
