"""本区域贯标工作落实方案 use cases: a province submits its plan for a batch (the ministry may
for it), and reads it back. Authorized through `BATCH` (who submits) and `PROVINCE_PLAN`
(who reads)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db.tables import ProvincePlan
from registry.service import dto, programme
from registry.service.policies import BATCH, PROVINCE_PLAN


async def submit(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID, command: dto.ProvincePlanCreate
) -> ProvincePlan:
    """A province submits only its own plan, once per batch."""
    BATCH.authorize(caller, "submit_plan")
    batch = await BATCH.load(session, caller, batch_id)
    return await programme.submit_province_plan(session, caller, batch, command)


async def get(session: AsyncSession, caller: Caller, plan_id: uuid.UUID) -> ProvincePlan:
    return await PROVINCE_PLAN.load(session, caller, plan_id)
