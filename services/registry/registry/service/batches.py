"""试点批次 use cases: create and update (the ministry; a quota change is kept with when and
why), list, read, the quota history, stats, the province plans' statuses and the progress
summary. Authorized through `BATCH`; batches are the programme's public structure."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import utcnow
from iims_common.identity import Caller
from registry.db.tables import Batch, BatchQuotaChange
from registry.service import dto, programme
from registry.service.policies import BATCH


async def create(session: AsyncSession, caller: Caller, command: dto.BatchCreate) -> Batch:
    BATCH.authorize(caller, "create")
    return await programme.create_batch(session, command, changed_by=caller.client_key)


def query(caller: Caller) -> sa.Select[Batch]:
    return BATCH.select(caller)


async def get(session: AsyncSession, caller: Caller, batch_id: uuid.UUID) -> Batch:
    return await BATCH.load(session, caller, batch_id)


async def change(
    session: AsyncSession,
    caller: Caller,
    batch_id: uuid.UUID,
    command: dto.BatchUpdate,
    *,
    if_match: str | None,
) -> Batch:
    """Update a batch (If-Match); the quota never below the pilots already selected."""
    BATCH.authorize(caller, "update")
    batch = await BATCH.load(session, caller, batch_id, for_update=True, if_match=if_match)
    return await programme.update_batch(session, batch, command, changed_by=caller.client_key)


async def quota_changes(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID
) -> list[BatchQuotaChange]:
    """Every change of the batch's pilot quota: from, to, when, why, by whom."""
    batch = await BATCH.load(session, caller, batch_id)
    rows = await session.scalars(
        sa.select(BatchQuotaChange)
        .where(BatchQuotaChange.batch_id == batch.id)
        .order_by(BatchQuotaChange.created_at, BatchQuotaChange.id)
    )
    return list(rows.all())


async def stats(session: AsyncSession, caller: Caller, batch_id: uuid.UUID) -> dto.BatchStats:
    """Per province: recommended, pilots by status, certified, vs quota and target (a province
    sees its own row only)."""
    BATCH.authorize(caller, "stats")
    return await programme.batch_stats(session, caller, await BATCH.load(session, caller, batch_id))


async def plan_statuses(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID, *, as_of: dt.date | None
) -> list[dto.ProvincePlanStatusOut]:
    """Every province's plan status on `as_of` (default today)."""
    BATCH.authorize(caller, "plan_statuses")
    batch = await BATCH.load(session, caller, batch_id)
    return await programme.plan_statuses(session, caller, batch, as_of or utcnow().date())


async def progress_summary(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID, period: str
) -> dto.ProgressSummary:
    """Per province: active pilots, reports for the period, missing, average percent."""
    BATCH.authorize(caller, "progress_summary")
    batch = await BATCH.load(session, caller, batch_id)
    return await programme.progress_summary(session, caller, batch, period)
