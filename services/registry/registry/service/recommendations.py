"""推荐 use cases: recommend an enterprise in a batch (one at a time or a whole list as a
file), list, read. Authorized through `BATCH` (who may recommend) and `RECOMMENDATION` (who
sees which)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from iims_common.pagination import Page, PageParams, paginate
from registry.db.tables import Enterprise, Pilot, Recommendation, RecommendingUnit
from registry.service import dto, enterprises, programme, recommendation_import
from registry.service.policies import BATCH, RECOMMENDATION


async def recommend(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID, command: dto.RecommendationCreate
) -> Recommendation:
    """As the caller's own unit (the ministry names the unit); a province only enterprises of
    its own province."""
    BATCH.authorize(caller, "recommend")
    batch = await BATCH.load(session, caller, batch_id)
    return await programme.recommend(session, caller, batch, command)


async def import_list(
    session: AsyncSession,
    caller: Caller,
    batch_id: uuid.UUID,
    upload: Callable[[], Awaitable[bytes]],
    content_type: str,
    max_rows: int,
    recommending_unit_id: uuid.UUID | None = None,
) -> tuple[enterprises.ImportResult, uuid.UUID | None]:
    """推荐企业名单 as a file: new enterprises registered, every good row recommended; the
    outcome and the id of the stored refused rows (None when none was refused)."""
    BATCH.authorize(caller, "recommend")
    batch = await BATCH.load(session, caller, batch_id)
    result = await recommendation_import.import_recommendations(
        session, caller, batch, await upload(), content_type, max_rows, recommending_unit_id
    )
    return result, await enterprises.store_refused_rows(session, caller, result)


def query(
    caller: Caller,
    *,
    batch_id: uuid.UUID | None = None,
    province_code: str | None = None,
    recommending_unit_id: uuid.UUID | None = None,
    selected: bool | None = None,
) -> sa.Select[Recommendation]:
    """`selected`: true only those selected as pilots, false those not (yet)."""
    stmt = RECOMMENDATION.query(
        caller,
        batch_id=batch_id,
        province_code=province_code,
        recommending_unit_id=recommending_unit_id,
    )
    if selected is not None:
        chosen = sa.select(Pilot.id).where(Pilot.recommendation_id == Recommendation.id).exists()
        stmt = stmt.where(chosen if selected else ~chosen)
    return stmt


async def get(
    session: AsyncSession, caller: Caller, recommendation_id: uuid.UUID
) -> Recommendation:
    return await RECOMMENDATION.load(session, caller, recommendation_id)


async def detail(
    session: AsyncSession, caller: Caller, recommendation_id: uuid.UUID
) -> dto.RecommendationOut:
    """One recommendation as the API answers it (with names and the pilot it became)."""
    return (await details(session, [await get(session, caller, recommendation_id)]))[0]


async def page(
    session: AsyncSession, stmt: sa.Select[Recommendation], params: PageParams
) -> Page[dto.RecommendationOut]:
    """One page of `query`'s recommendations, each as `detail` answers it."""
    rows, cursor = await paginate(session, stmt, Recommendation.id, params)
    return Page[dto.RecommendationOut](items=await details(session, rows), next_cursor=cursor)


async def details(
    session: AsyncSession, rows: Sequence[Recommendation]
) -> list[dto.RecommendationOut]:
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
        item = dto.RecommendationOut.model_validate(r)
        e = enterprises.get(r.enterprise_id)
        item.enterprise_name, item.enterprise_uscc = (e.name, e.uscc) if e else (None, None)
        item.recommending_unit_name = units.get(r.recommending_unit_id)
        item.pilot_id = pilots.get(r.id)
        out.append(item)
    return out
