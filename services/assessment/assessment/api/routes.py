"""评估与诊断 — frameworks (指标体系) and assessments (draft → scored).

Routes only translate: parse the request, call the use case (`assessment.service.*`, which
authorizes, loads in scope, applies the rule, writes and records the event), render.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse

from assessment.api import schemas as s
from assessment.db.tables import Assessment
from assessment.domain import report
from assessment.service import assessments, benchmarks, frameworks
from iims_common.http import IfMatch, Session, json_response
from iims_common.idempotency import Idempotent
from iims_common.identifiers import FOLD, SixDigitCode, pattern
from iims_common.identity import CurrentCaller
from iims_common.pagination import Page, Pagination, page_of

IndustrySection = Annotated[str, pattern(r"^[A-T]$"), FOLD]

router = APIRouter(prefix="/api/v1")


def _assessment(row: Assessment, status_code: int = 200) -> JSONResponse:
    location = f"/api/v1/assessments/{row.id}" if status_code == 201 else None
    out = s.AssessmentOut.model_validate(row)
    return json_response(out, status_code, version=row.version, location=location)


@router.get("/frameworks", response_model=list[s.FrameworkSummary], tags=["frameworks 指标体系"])
async def list_frameworks(caller: CurrentCaller, session: Session) -> list[s.FrameworkSummary]:
    rows = await frameworks.list_all(session, caller)
    return [s.FrameworkSummary.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/frameworks/{framework_id}", response_model=s.FrameworkOut, tags=["frameworks 指标体系"]
)
async def get_framework(
    framework_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.FrameworkOut:
    row = await frameworks.get(session, caller, framework_id)
    return s.FrameworkOut.model_validate(row, from_attributes=True)


@router.post(
    "/frameworks", status_code=201, response_model=s.FrameworkOut, tags=["frameworks 指标体系"]
)
async def create_framework(
    body: s.FrameworkCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """Weights must sum to 1 (dimensions, and indicators within each), codes must be unique,
    and 100 must be reachable; every problem is named in one 422."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    row = await frameworks.create(session, caller, body)
    out = s.FrameworkOut.model_validate(row, from_attributes=True)
    return await idem.remember(json_response(out, 201, location=f"/api/v1/frameworks/{row.id}"))


@router.post(
    "/frameworks/{framework_id}/publish",
    response_model=s.FrameworkOut,
    tags=["frameworks 指标体系"],
)
async def publish_framework(
    framework_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.FrameworkOut:
    row = await frameworks.publish(session, caller, framework_id)
    return s.FrameworkOut.model_validate(row, from_attributes=True)


@router.post(
    "/assessments", status_code=201, response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def create_assessment(
    body: s.AssessmentCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    return await idem.remember(_assessment(await assessments.create(session, caller, body), 201))


@router.get("/assessments", response_model=Page[s.AssessmentOut], tags=["assessments 评估"])
async def list_assessments(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    enterprise_id: uuid.UUID | None = None,
    status: str | None = None,
    period: str | None = None,
) -> Page[s.AssessmentOut]:
    stmt = assessments.query(caller, enterprise_id=enterprise_id, status=status, period=period)
    return await page_of(session, stmt, Assessment.id, page, s.AssessmentOut)


@router.get(
    "/assessments/{assessment_id}", response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def get_assessment(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    return _assessment(await assessments.get(session, caller, assessment_id))


@router.patch(
    "/assessments/{assessment_id}", response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def save_assessment_answers(
    assessment_id: uuid.UUID,
    body: s.AssessmentAnswers,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    row = await assessments.save_answers(session, caller, assessment_id, body, if_match=if_match)
    return _assessment(row)


@router.post(
    "/assessments/{assessment_id}/submit", response_model=s.AssessmentOut, tags=["assessments 评估"]
)
async def submit_assessment(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    return _assessment(await assessments.submit(session, caller, assessment_id))


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
    return await benchmarks.benchmark(
        session,
        caller,
        industry_section=industry_section,
        period=period,
        province_code=province_code,
        assessment_id=assessment_id,
    )


_NOT_SCORED = {409: {"description": "评估尚未完成评分，还没有报告 (rule assessment.not-scored)"}}


@router.get(
    "/assessments/{assessment_id}/report",
    tags=["assessments 评估"],
    responses=_NOT_SCORED,  # type: ignore[arg-type]
)
async def get_assessment_report(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """The scored result with the industry comparison (JSON)."""
    return json_response(await benchmarks.assessment_report(session, caller, assessment_id))


@router.get(
    "/assessments/{assessment_id}/report.html",
    response_class=HTMLResponse,
    tags=["assessments 评估"],
    responses=_NOT_SCORED,  # type: ignore[arg-type]
)
async def get_assessment_report_html(
    assessment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> HTMLResponse:
    """Printable report with a radar chart of the dimensions against the industry average."""
    data = jsonable_encoder(await benchmarks.assessment_report(session, caller, assessment_id))
    return HTMLResponse(report.report_html(data))
