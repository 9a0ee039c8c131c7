"""All registry queries. Every read of an object goes through a `readable_*` condition built
from the caller's identity, so a route cannot forget authorization; out of scope = not found."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import escape_like
from iims_common.identifiers import fold_text
from iims_common.identity import Caller, Role
from iims_common.pagination import where_given
from iims_common.scoping import (  # noqa: F401 - get_one is part of this module's API
    Scope,
    everything,
    get_one,
    same_organization,
    same_province,
)
from registry.db.tables import (
    Agency,
    Batch,
    Enterprise,
    Pilot,
    ProgressReport,
    ProvincePlan,
    Recommendation,
    RecommendingUnit,
)

NATIONAL = {Role.ministry: everything, Role.management_org: everything}

ENTERPRISES = Scope(
    {
        **NATIONAL,
        # Certification bodies see applications assigned to them (DESIGN §2), in the audit
        # service, which keeps the applicant's facts; the registry gives them no profiles.
        Role.province: same_province(Enterprise.province_code),
        Role.enterprise: same_organization(Enterprise.id),
        Role.recommender: lambda caller: sa.exists().where(
            Recommendation.enterprise_id == Enterprise.id,
            Recommendation.recommending_unit_id == caller.organization_id,
        ),
        Role.consultancy: lambda caller: sa.exists().where(
            Pilot.enterprise_id == Enterprise.id,
            Pilot.consultancy_id == caller.organization_id,
        ),
    }
)
PILOTS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Pilot.province_code),
        Role.enterprise: same_organization(Pilot.enterprise_id),
        Role.consultancy: same_organization(Pilot.consultancy_id),
        Role.recommender: lambda caller: sa.exists().where(
            Recommendation.id == Pilot.recommendation_id,
            Recommendation.recommending_unit_id == caller.organization_id,
        ),
    }
)
RECOMMENDATIONS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Recommendation.province_code),
        Role.recommender: same_organization(Recommendation.recommending_unit_id),
        Role.enterprise: same_organization(Recommendation.enterprise_id),
    }
)
PROVINCE_PLANS = Scope({**NATIONAL, Role.province: same_province(ProvincePlan.province_code)})


def readable_enterprises(caller: Caller) -> sa.ColumnElement[bool]:
    return ENTERPRISES.condition(caller)


@functools.lru_cache(maxsize=4096)
def enterprise_by_id(caller: Caller) -> sa.Select[Any]:
    """The enterprise's row (all columns, Core) if the caller may see it, the id left as the
    bind parameter `enterprise_id`: built once per caller (the scope condition is the
    caller's), run with `fastread.read_one(request, stmt, {"enterprise_id": ...})` — building
    the statement and its cache key per request was ~40 % of the read's handler CPU."""
    table = Enterprise.__table__
    return sa.select(table).where(
        table.c.id == sa.bindparam("enterprise_id", type_=table.c.id.type),
        readable_enterprises(caller),
    )


def readable_pilots(caller: Caller) -> sa.ColumnElement[bool]:
    return PILOTS.condition(caller)


def readable_recommendations(caller: Caller) -> sa.ColumnElement[bool]:
    return RECOMMENDATIONS.condition(caller)


def readable_plans(caller: Caller) -> sa.ColumnElement[bool]:
    return PROVINCE_PLANS.condition(caller)


def enterprise_list_query(
    caller: Caller,
    *,
    province_code: str | None = None,
    industry_code: str | None = None,
    size: str | None = None,
    status: str | None = None,
    name: str | None = None,
) -> sa.Select[Any]:
    stmt = where_given(
        sa.select(Enterprise).where(readable_enterprises(caller)),
        (Enterprise.province_code, province_code),
        (Enterprise.size, size),
        (Enterprise.status, status),
    )
    if industry_code:
        # A section letter matches its divisions too: C → C, C13 … C43.
        stmt = stmt.where(
            Enterprise.industry_code == industry_code
            if len(industry_code) > 1
            else Enterprise.industry_code.startswith(industry_code)
        )
    if name:
        # Matched on the folded name: `(杭州)智能` finds `测试（杭州）智能装备有限公司`.
        folded = escape_like(fold_text(name))
        stmt = stmt.where(Enterprise.name_folded.like(f"%{folded}%", escape="\\"))
    return stmt


async def enterprise_by_uscc(session: AsyncSession, uscc: str) -> Enterprise | None:
    return (await session.scalars(sa.select(Enterprise).where(Enterprise.uscc == uscc))).first()


async def agency_by_uscc(session: AsyncSession, uscc: str) -> Agency | None:
    return (await session.scalars(sa.select(Agency).where(Agency.uscc == uscc))).first()


async def unit_by_name(session: AsyncSession, name: str) -> RecommendingUnit | None:
    stmt = sa.select(RecommendingUnit).where(RecommendingUnit.name == name)
    return (await session.scalars(stmt)).first()


async def batch_by_year(session: AsyncSession, year: int) -> Batch | None:
    return (await session.scalars(sa.select(Batch).where(Batch.year == year))).first()


async def recommendation_for(
    session: AsyncSession, batch_id: uuid.UUID, enterprise_id: uuid.UUID
) -> Recommendation | None:
    stmt = sa.select(Recommendation).where(
        Recommendation.batch_id == batch_id, Recommendation.enterprise_id == enterprise_id
    )
    return (await session.scalars(stmt)).first()


async def pilot_for_recommendation(
    session: AsyncSession, recommendation_id: uuid.UUID
) -> Pilot | None:
    stmt = sa.select(Pilot).where(Pilot.recommendation_id == recommendation_id)
    return (await session.scalars(stmt)).first()


async def count_pilots(session: AsyncSession, batch_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.count()).select_from(Pilot).where(Pilot.batch_id == batch_id)
    return int((await session.execute(stmt)).scalar_one())


async def active_pilots_of(session: AsyncSession, enterprise_id: uuid.UUID) -> list[Pilot]:
    """The enterprise's pilots that are still in the programme, newest batch first."""
    stmt = (
        sa.select(Pilot)
        .join(Batch, Batch.id == Pilot.batch_id)
        .where(Pilot.enterprise_id == enterprise_id, Pilot.status != "withdrawn")
        .order_by(Batch.year.desc())
        .with_for_update(of=Pilot)
    )
    return list((await session.scalars(stmt)).all())


async def progress_report_for(
    session: AsyncSession, pilot_id: uuid.UUID, period: str
) -> ProgressReport | None:
    stmt = sa.select(ProgressReport).where(
        ProgressReport.pilot_id == pilot_id, ProgressReport.period == period
    )
    return (await session.scalars(stmt)).first()


async def plans_of_batch(session: AsyncSession, batch_id: uuid.UUID) -> dict[str, ProvincePlan]:
    stmt = sa.select(ProvincePlan).where(ProvincePlan.batch_id == batch_id)
    return {p.province_code: p for p in (await session.scalars(stmt)).all()}


async def batch_counts(
    session: AsyncSession, batch_id: uuid.UUID, province_code: str | None
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """(recommended per province, pilots per (province, status)) for one batch."""
    rec = sa.select(Recommendation.province_code, sa.func.count()).where(
        Recommendation.batch_id == batch_id
    )
    pil = sa.select(Pilot.province_code, Pilot.status, sa.func.count()).where(
        Pilot.batch_id == batch_id
    )
    if province_code:
        rec = rec.where(Recommendation.province_code == province_code)
        pil = pil.where(Pilot.province_code == province_code)
    recommended = {
        p: int(n) for p, n in (await session.execute(rec.group_by(Recommendation.province_code)))
    }
    pilots = {
        (p, s): int(n)
        for p, s, n in await session.execute(pil.group_by(Pilot.province_code, Pilot.status))
    }
    return recommended, pilots


async def progress_by_province(
    session: AsyncSession, batch_id: uuid.UUID, period: str, province_code: str | None
) -> tuple[dict[str, int], dict[str, tuple[int, float | None]]]:
    """(active pilots per province, (reports, average percent) per province) for a period."""
    active = sa.select(Pilot.province_code, sa.func.count()).where(
        Pilot.batch_id == batch_id, Pilot.status != "withdrawn"
    )
    reports = sa.select(
        ProgressReport.province_code, sa.func.count(), sa.func.avg(ProgressReport.percent)
    ).where(ProgressReport.batch_id == batch_id, ProgressReport.period == period)
    if province_code:
        active = active.where(Pilot.province_code == province_code)
        reports = reports.where(ProgressReport.province_code == province_code)
    pilots = {p: int(n) for p, n in await session.execute(active.group_by(Pilot.province_code))}
    reported = {
        p: (int(n), float(avg) if avg is not None else None)
        for p, n, avg in await session.execute(reports.group_by(ProgressReport.province_code))
    }
    return pilots, reported
