"""对标 and the assessment report: read-only use cases over the maintained benchmark cells.

Aggregates only — never another enterprise's answers; an assessment is read through
`ASSESSMENT` (the caller's scope), so the percentile and the report are of one the caller may
see.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db.tables import BenchmarkCell
from assessment.domain import benchmarks, report
from assessment.domain.framework import from_document
from assessment.service.assessments import ASSESSMENT, NATIONAL
from assessment.service.dto import AssessmentOut, BenchmarkOut
from assessment.service.frameworks import FRAMEWORK
from iims_common.errors import StateConflict
from iims_common.i18n import _
from iims_common.identity import Caller


async def benchmark(
    session: AsyncSession,
    caller: Caller,
    *,
    industry_section: str,
    period: str,
    province_code: str | None = None,
    assessment_id: uuid.UUID | None = None,
) -> BenchmarkOut:
    """Average, median and top decile for an industry (optionally a province) and period;
    with `assessment_id` (one the caller may read) also its score and percentile."""
    cell = await session.get(BenchmarkCell, (industry_section, province_code or NATIONAL, period))
    histogram, count = (cell.histogram, cell.count) if cell else ([], 0)
    summary = benchmarks.summarize(histogram, count, cell.total if cell else Decimal(0))
    out = BenchmarkOut(
        industry_section=industry_section,
        province_code=province_code,
        period=period,
        count=summary.count,
        average=summary.average,
        median=summary.median,
        top_decile=summary.top_decile,
    )
    if assessment_id is not None:
        row = await ASSESSMENT.load(session, caller, assessment_id)
        if row.total_score is not None:
            out.assessment_id, out.score = row.id, row.total_score
            out.percentile = benchmarks.percentile(histogram, count, row.total_score)
    return out


async def _comparison(
    session: AsyncSession, section: str, province: str, period: str, total: Decimal
) -> dict[str, Any]:
    cell = await session.get(BenchmarkCell, (section, province, period))
    count = cell.count if cell else 0
    summary = benchmarks.summarize(
        cell.histogram if cell else [], count, cell.total if cell else Decimal(0)
    )
    return {
        "industry_section": section,
        "province_code": None if province == NATIONAL else province,
        "count": count,
        "average": summary.average,
        "median": summary.median,
        "top_decile": summary.top_decile,
        "percentile": benchmarks.percentile(cell.histogram, count, total) if cell else None,
    }


async def assessment_report(
    session: AsyncSession, caller: Caller, assessment_id: uuid.UUID
) -> dict[str, Any]:
    """The scored result with the industry comparison, nationally and in the province
    (409 `assessment.not-scored` before scoring)."""
    row = await ASSESSMENT.load(session, caller, assessment_id)
    if row.status != "scored" or row.total_score is None:
        raise StateConflict(
            "assessment.not-scored", _("The report exists once the assessment is scored")
        )
    framework_row = await FRAMEWORK.load(session, caller, row.framework_id)
    framework = from_document(framework_row.document)
    section = row.industry_code[:1]
    cell = await session.get(BenchmarkCell, (section, NATIONAL, row.period))
    count = cell.count if cell else 0
    totals = cell.dimension_totals if cell else {}
    return {
        "assessment": AssessmentOut.model_validate(row).model_dump(mode="json"),
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
        "benchmark": await _comparison(session, section, NATIONAL, row.period, row.total_score),
        "province_benchmark": await _comparison(
            session, section, row.province_code, row.period, row.total_score
        ),
    }
