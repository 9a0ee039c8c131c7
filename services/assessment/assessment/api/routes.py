"""评估与诊断 — frameworks (指标体系) and assessments (draft → scored)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse

from assessment.api import schemas as s
from assessment.db import repository
from assessment.db.tables import Assessment, BenchmarkCell, FrameworkRow
from assessment.domain import benchmarks, report
from assessment.domain.framework import from_document
from assessment.service import assessments as service
from iims_common.errors import NotFound, StateConflict
from iims_common.http import IdempotencyKey, IfMatch, Session, check_if_match, json_response
from iims_common.i18n import _
from iims_common.idempotency import idempotent
from iims_common.identifiers import FOLD, SixDigitCode, pattern
from iims_common.identity import CurrentCaller, Role, require_role
from iims_common.pagination import Page, Pagination, page_of, where_given

IndustrySection = Annotated[str, pattern(r"^[A-T]$"), FOLD]

router = APIRouter(prefix="/api/v1")


@router.get("/frameworks", response_model=list[s.FrameworkSummary], tags=["frameworks 指标体系"])
async def list_frameworks(caller: CurrentCaller, session: Session) -> list[s.FrameworkSummary]:
    rows = await session.scalars(
        sa.select(FrameworkRow).order_by(FrameworkRow.code, FrameworkRow.version)
    )
    return [s.FrameworkSummary.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/frameworks/{framework_id}", response_model=s.FrameworkOut, tags=["frameworks 指标体系"]
)
async def get_framework(
    framework_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.FrameworkOut:
    row = await repository.get_one(session, FrameworkRow, framework_id, what="Framework")
    return s.FrameworkOut.model_validate(row, from_attributes=True)


@router.post(
    "/frameworks", status_code=201, response_model=s.FrameworkOut, tags=["frameworks 指标体系"]
)
async def create_framework(
    body: s.FrameworkCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    """Weights must sum to 1 (dimensions, and indicators within each), codes must be unique,
    and 100 must be reachable; every problem is named in one 422."""
    require_role(caller, Role.ministry)

    async def create() -> JSONResponse:
        row = await service.create_framework(session, body)
        out = s.FrameworkOut.model_validate(row, from_attributes=True)
        return json_response(out, 201, location=f"/api/v1/frameworks/{row.id}")

    return await idempotent(session, caller, key, body, create)


@router.post(
    "/frameworks/{framework_id}/publish",
    response_model=s.FrameworkOut,
    tags=["frameworks 指标体系"],
)
async def publish_framework(
    framework_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.FrameworkOut:
    require_role(caller, Role.ministry)
    row = await repository.get_one(
        session, FrameworkRow, framework_id, for_update=True, what="Framework"
    )
    row = await service.publish_framework(session, row)
    return s.FrameworkOut.model_validate(row, from_attributes=True)


@router.post(
    "/assessments", status_code=201, response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def create_assessment(
    body: s.AssessmentCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    require_role(caller, Role.ministry, Role.enterprise, Role.consultancy)
    if caller.role is Role.enterprise and body.enterprise_id != caller.organization_id:
        raise NotFound(_("Enterprise {enterprise_id} not found", enterprise_id=body.enterprise_id))

    async def create() -> JSONResponse:
        row = await service.open_assessment(
            session, body.enterprise_id, body.framework_code, body.period, "periodic"
        )
        return json_response(
            s.AssessmentOut.model_validate(row),
            201,
            version=row.version,
            location=f"/api/v1/assessments/{row.id}",
        )

    return await idempotent(session, caller, key, body, create)


@router.get("/assessments", response_model=Page[s.AssessmentOut], tags=["assessments 评估"])
async def list_assessments(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    enterprise_id: uuid.UUID | None = None,
    status: str | None = None,
    period: str | None = None,
) -> Page[s.AssessmentOut]:
    stmt = where_given(
        sa.select(Assessment).where(repository.ASSESSMENTS.condition(caller)),
        (Assessment.enterprise_id, enterprise_id),
        (Assessment.status, status),
        (Assessment.period, period),
    )
    return await page_of(session, stmt, Assessment.id, page, s.AssessmentOut)


async def _assessment(
    session: Session, caller: CurrentCaller, assessment_id: uuid.UUID, *, for_update: bool = False
) -> Assessment:
    return await repository.get_one(
        session,
        Assessment,
        assessment_id,
        repository.ASSESSMENTS.condition(caller),
        for_update=for_update,
        what="Assessment",
    )


@router.get(
    "/assessments/{assessment_id}", response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def get_assessment(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    row = await _assessment(session, caller, assessment_id)
    return json_response(s.AssessmentOut.model_validate(row), version=row.version)


@router.patch(
    "/assessments/{assessment_id}", response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def save_answers(
    assessment_id: uuid.UUID,
    body: s.AssessmentAnswers,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    row = await _assessment(session, caller, assessment_id, for_update=True)
    require_role(caller, Role.enterprise, Role.ministry)
    check_if_match(if_match, row.version)
    row = await service.save_answers(session, row, body)
    return json_response(s.AssessmentOut.model_validate(row), version=row.version)


@router.post(
    "/assessments/{assessment_id}/submit", response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def submit_assessment(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    row = await _assessment(session, caller, assessment_id, for_update=True)
    require_role(caller, Role.enterprise, Role.ministry)
    row = await service.submit(session, row)
    return json_response(s.AssessmentOut.model_validate(row), version=row.version)


@router.get("/benchmarks", response_model=s.BenchmarkOut, tags=["benchmarks 对标"])
async def get_benchmark(
    caller: CurrentCaller,
    session: Session,
    industry_section: Annotated[IndustrySection, Query(description="GB/T 4754 门类")],
    period: Annotated[s.Period, Query()],
    province_code: Annotated[SixDigitCode | None, Query()] = None,
    assessment_id: uuid.UUID | None = None,
) -> s.BenchmarkOut:
    """Average, median and top decile for an industry (optionally a province) and period, from
    a maintained aggregate; with `assessment_id` (one the caller may read) also its percentile."""
    key = (industry_section, province_code or service.NATIONAL, period)
    cell = await session.get(BenchmarkCell, key)
    histogram, count = (cell.histogram, cell.count) if cell else ([], 0)
    summary = benchmarks.summarize(histogram, count, cell.total if cell else Decimal(0))
    out = s.BenchmarkOut(
        industry_section=industry_section,
        province_code=province_code,
        period=period,
        count=summary.count,
        average=summary.average,
        median=summary.median,
        top_decile=summary.top_decile,
    )
    if assessment_id is not None:
        row = await _assessment(session, caller, assessment_id)
        if row.total_score is not None:
            out.assessment_id, out.score = row.id, row.total_score
            out.percentile = benchmarks.percentile(histogram, count, row.total_score)
    return out


async def _comparison(
    session: Session, section: str, province: str, period: str, total: Decimal
) -> dict[str, Any]:
    cell = await session.get(BenchmarkCell, (section, province, period))
    count = cell.count if cell else 0
    summary = benchmarks.summarize(
        cell.histogram if cell else [], count, cell.total if cell else Decimal(0)
    )
    return {
        "industry_section": section,
        "province_code": None if province == service.NATIONAL else province,
        "count": count,
        "average": summary.average,
        "median": summary.median,
        "top_decile": summary.top_decile,
        "percentile": benchmarks.percentile(cell.histogram, count, total) if cell else None,
    }


async def _report(
    session: Session, caller: CurrentCaller, assessment_id: uuid.UUID
) -> dict[str, Any]:
    row = await _assessment(session, caller, assessment_id)
    if row.status != "scored" or row.total_score is None:
        raise StateConflict(
            "assessment.not-scored", _("The report exists once the assessment is scored")
        )
    framework_row = await repository.get_one(
        session, FrameworkRow, row.framework_id, what="Framework"
    )
    framework = from_document(framework_row.document)
    section = row.industry_code[:1]
    cell = await session.get(BenchmarkCell, (section, service.NATIONAL, row.period))
    count = cell.count if cell else 0
    totals = cell.dimension_totals if cell else {}
    return {
        "assessment": s.AssessmentOut.model_validate(row).model_dump(mode="json"),
        "framework_name": framework.name,
        "dimensions": [
            {
                "code": d.code,
                "name": d.name,
                "score": (row.dimension_scores or {}).get(d.code),
                "industry_average": report.dimension_average(totals, d.code, count),
            }
            for d in framework.dimensions
        ],
        # Comparison with the industry nationally and in the enterprise's province.
        "benchmark": await _comparison(
            session, section, service.NATIONAL, row.period, row.total_score
        ),
        "province_benchmark": await _comparison(
            session, section, row.province_code, row.period, row.total_score
        ),
    }


_NOT_SCORED = {409: {"description": "评估尚未完成评分，还没有报告 (rule assessment.not-scored)"}}


@router.get(
    "/assessments/{assessment_id}/report",
    tags=["assessments 评估"],
    responses=_NOT_SCORED,  # type: ignore[arg-type]
)
async def get_report(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """The scored result with the industry comparison (JSON)."""
    return json_response(await _report(session, caller, assessment_id))


@router.get(
    "/assessments/{assessment_id}/report.html",
    response_class=HTMLResponse,
    tags=["assessments 评估"],
    responses=_NOT_SCORED,  # type: ignore[arg-type]
)
async def get_report_html(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> HTMLResponse:
    """Printable report with a radar chart of the dimensions against the industry average."""
    data = jsonable_encoder(await _report(session, caller, assessment_id))
    return HTMLResponse(report.report_html(data))
