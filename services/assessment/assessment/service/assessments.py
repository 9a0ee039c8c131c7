"""评估 use cases: open, list, read, save answers, submit (validate + score), publish the result.

Every use case is `(session, caller[, assessment_id], command)` → the row, in the same order:
authorize through `ASSESSMENT` (role, then scope — or scope first where the API always
answered 404 before 403), apply the domain rule, write, record the typed event.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db import repository
from assessment.db.tables import Assessment, BenchmarkCell, Enterprise, FrameworkRow
from assessment.domain import benchmarks
from assessment.domain.conformity import CLAUSES, Rating, diagnose, management_level
from assessment.domain.framework import from_document
from assessment.domain.scoring import answer_errors, score
from assessment.events import publish
from assessment.service.dto import AssessmentAnswers, AssessmentCreate
from iims_common.db import upsert_insert, utcnow
from iims_common.errors import (
    Conflict,
    FieldError,
    NotFound,
    RuleViolation,
    StateConflict,
    ValidationFailed,
)
from iims_common.events import CloudEvent
from iims_common.http import check_if_match
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller, Role
from iims_common.policy import Policy
from iims_contracts.registry import PilotEnrolled

# Who sees which assessment is `repository.ASSESSMENTS`; the enterprise and the ministry
# answer and submit; the consultancy serving the enterprise may open one for it.
ASSESSMENT = Policy(
    Assessment,
    repository.ASSESSMENTS,
    actions={
        "open": [Role.ministry, Role.enterprise, Role.consultancy],
        "answer": [Role.enterprise, Role.ministry],
        "submit": [Role.enterprise, Role.ministry],
    },
    what="Assessment",
)

# Manufacturing (C) uses the discrete framework unless the division is a process industry.
PROCESS_DIVISIONS = {"17", "22", "25", "26", "27", "28", "29", "30", "31", "32", "33", "44", "45"}


def default_framework_code(industry_code: str) -> str:
    division = industry_code[1:3]
    return "gbt23020-process" if division in PROCESS_DIVISIONS else "gbt23020-discrete"


async def create(session: AsyncSession, caller: Caller, command: AssessmentCreate) -> Assessment:
    """A periodic self-assessment of an enterprise (an enterprise only for itself: another
    enterprise is "not found")."""
    ASSESSMENT.authorize(caller, "open")
    if caller.role is Role.enterprise and command.enterprise_id != caller.organization_id:
        raise NotFound(
            _("Enterprise {enterprise_id} not found", enterprise_id=command.enterprise_id)
        )
    return await open_assessment(
        session, command.enterprise_id, command.framework_code, command.period, "periodic"
    )


def query(
    caller: Caller,
    *,
    enterprise_id: uuid.UUID | None = None,
    status: str | None = None,
    period: str | None = None,
) -> sa.Select[Assessment]:
    """The caller's assessments, filtered by what is given (for keyset paging). A period and
    a status are codes, folded as typed (`２０１４－１２` is `2014-12`, `DRAFT` is `draft`)."""
    if period is not None:
        period = fold_identifier(period)
    if status is not None:
        status = fold_identifier(status, upper=False).lower()
    return ASSESSMENT.query(caller, enterprise_id=enterprise_id, status=status, period=period)


async def get(session: AsyncSession, caller: Caller, assessment_id: uuid.UUID) -> Assessment:
    return await ASSESSMENT.load(session, caller, assessment_id)


async def open_baseline(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
    """A pilot enrolled: the baseline draft assessment for its year, exactly once (the
    framework by its industry). The event may overtake `EnterpriseRegistered`: it carries
    enough to know the enterprise's province and industry until then."""
    row = await session.get(Enterprise, data.enterprise_id)
    if row is None:
        row = Enterprise(
            id=data.enterprise_id,
            province_code=data.province_code,
            industry_code=data.industry_code,
        )
        session.add(row)
    row.consultancy_id = data.consultancy_id
    await session.flush()
    code = default_framework_code(data.industry_code)
    period = str(data.year)
    if await repository.assessment_for(session, data.enterprise_id, code, period) is None:
        await open_assessment(session, data.enterprise_id, code, period, kind="baseline")


async def open_assessment(
    session: AsyncSession, enterprise_id: uuid.UUID, framework_code: str, period: str, kind: str
) -> Assessment:
    enterprise = await session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise RuleViolation(
            "assessment.enterprise-unknown",
            _(
                "This enterprise is not registered (yet): the assessment service learns enterprises from the registry's enterprise registration events"
            ),
        )
    framework = await repository.latest_published(session, framework_code)
    if framework is None:
        raise NotFound(
            _("No published framework {framework_code}", framework_code=repr(framework_code))
        )
    existing = await repository.assessment_for(session, enterprise_id, framework_code, period)
    if existing is not None:
        raise Conflict(
            _("An assessment for this enterprise, framework and period exists"),
            existing_id=str(existing.id),
        )
    row = Assessment(
        enterprise_id=enterprise.id,
        province_code=enterprise.province_code,
        industry_code=enterprise.industry_code,
        framework_id=framework.id,
        framework_code=framework.code,
        period=period,
        kind=kind,
        status="draft",
        answers={},
        conformity={},
    )
    session.add(row)
    await session.flush()
    return row


async def save_answers(
    session: AsyncSession,
    caller: Caller,
    assessment_id: uuid.UUID,
    command: AssessmentAnswers,
    *,
    if_match: str | None,
) -> Assessment:
    """Partial save of a draft (If-Match against its version); unknown clauses are a 422."""
    row = await ASSESSMENT.load(session, caller, assessment_id, for_update=True)
    ASSESSMENT.authorize(caller, "answer")
    check_if_match(if_match, row.version)
    body = command
    if row.status != "draft":
        raise StateConflict(
            "assessment.not-draft",
            _("The assessment is '{status}'; answers are frozen", status=row.status),
        )
    known = {c.code for c in CLAUSES}
    unknown = [c for c in body.conformity if c not in known]
    if unknown:
        raise ValidationFailed(
            errors=[
                FieldError(f"conformity.{c}", _("not a requirement clause (4.1–8.6)"))
                for c in unknown
            ]
        )
    row.answers = {**row.answers, **{k: str(v) for k, v in body.answers.items()}}
    row.conformity = {
        **row.conformity,
        **{
            k: {"rating": v.value, "evidence": None}
            if isinstance(v, Rating)
            else {"rating": v.rating.value, "evidence": v.evidence}
            for k, v in body.conformity.items()
        },
    }
    await session.flush()
    return row


async def submit(session: AsyncSession, caller: Caller, assessment_id: uuid.UUID) -> Assessment:
    """Validate completeness (every gap named in one 422), then score and publish."""
    row = await ASSESSMENT.load(session, caller, assessment_id, for_update=True)
    ASSESSMENT.authorize(caller, "submit")
    if row.status != "draft":
        raise StateConflict(
            "assessment.not-draft", _("The assessment is already '{status}'", status=row.status)
        )
    framework_row = await session.get(FrameworkRow, row.framework_id)
    assert framework_row is not None
    framework = from_document(framework_row.document)
    errors = answer_errors(framework, row.answers)
    errors += [
        FieldError(
            f"conformity.{c.code}",
            _("missing rating of clause {code} {title}", code=c.code, title=c.title),
        )
        for c in CLAUSES
        if c.code not in row.conformity
    ]
    if errors:
        raise ValidationFailed(_("The assessment is incomplete"), errors=errors)
    result = score(framework, row.answers)
    ratings = {k: Rating(v["rating"]) for k, v in row.conformity.items()}
    diagnosis = diagnose(result.dimensions, ratings)
    row.status = "scored"
    row.total_score = result.total
    row.dimension_scores = {k: str(v) for k, v in result.dimensions.items()}
    row.stage = result.stage
    row.management_level = management_level(ratings)
    row.diagnosis = {
        "weakest_dimensions": list(diagnosis.weakest_dimensions),
        "weak_clauses": list(diagnosis.weak_clauses),
        "recommendations": diagnosis.elements,
    }
    row.scored_at = utcnow()
    await session.flush()
    await record_in_benchmarks(session, row)
    await publish.assessment_scored(session, row)
    return row


NATIONAL = "000000"


async def record_in_benchmarks(session: AsyncSession, row: Assessment) -> None:
    """Add the score to its national and provincial cells (row-locked read-modify-write)."""
    assert row.total_score is not None
    for province in (NATIONAL, row.province_code):
        key = (row.industry_code[:1], province, row.period)
        # Create the cell if missing without racing a concurrent first scorer, then lock it.
        await session.execute(
            upsert_insert(session, BenchmarkCell)
            .values(
                industry_section=key[0],
                province_code=province,
                period=row.period,
                count=0,
                total=Decimal(0),
                histogram=[],
                dimension_totals={},
            )
            .on_conflict_do_nothing()
        )
        cell = await session.get(BenchmarkCell, key, with_for_update=True, populate_existing=True)
        assert cell is not None
        cell.count += 1
        cell.total += row.total_score
        cell.histogram = benchmarks.add(cell.histogram, row.total_score)
        totals = dict(cell.dimension_totals or {})
        for dim, value in (row.dimension_scores or {}).items():
            totals[dim] = str(Decimal(totals.get(dim, "0")) + Decimal(value))
        cell.dimension_totals = totals
    await session.flush()
