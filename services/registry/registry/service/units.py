"""推荐单位 use cases: create (the ministry), list, read. Reference data every caller reads."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db.tables import RecommendingUnit
from registry.domain.enums import RecommendingUnitKind
from registry.service import dto, programme
from registry.service.policies import UNIT


async def create(
    session: AsyncSession, caller: Caller, command: dto.RecommendingUnitCreate
) -> RecommendingUnit:
    UNIT.authorize(caller, "create")
    return await programme.create_unit(session, command)


def query(
    caller: Caller, *, kind: RecommendingUnitKind | None = None
) -> sa.Select[RecommendingUnit]:
    return UNIT.query(caller, kind=kind)


async def get(session: AsyncSession, caller: Caller, unit_id: uuid.UUID) -> RecommendingUnit:
    return await UNIT.load(session, caller, unit_id)
