"""The dashboards' read model does not depend on the order of events across topics: a
pilot's score, audits and certificate read before its pilot-enrolled event (different
topics, consumed in no order) end up under its batch and province exactly as in order."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from gateway.db.tables import DashCounter
from gateway.service import dashboard
from iims_common.testing import create_migrated_database, create_migrated_sqlite

Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


def _events(enterprise: uuid.UUID, batch: uuid.UUID) -> list[tuple[Handler, dict[str, Any]]]:
    common = {"enterprise_id": str(enterprise), "province_code": "320000"}
    return [
        (dashboard.pilot_enrolled, {**common, "batch_id": str(batch), "year": 2014}),
        (dashboard.assessment_scored, {"enterprise_id": str(enterprise), "total_score": 61.5}),
        (dashboard.audit_updated, {**common, "status": "planned"}),
        (dashboard.audit_updated, {**common, "status": "completed", "from_status": "planned"}),
        (dashboard.audit_updated, {**common, "status": "planned"}),
        (dashboard.certificate_issued, common),
    ]


async def _counters(session: AsyncSession, scope: str) -> dict[tuple[str, str], float]:
    rows = await session.execute(
        sa.select(DashCounter.province_code, DashCounter.metric, DashCounter.value).where(
            DashCounter.scope == scope
        )
    )
    return {(p, m): float(v) for p, m, v in rows if v}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
@pytest.mark.parametrize("enrolled_at", [1, 3, 5])
async def test_facts_read_before_the_enrolment_move_to_its_batch(
    enrolled_at: int, backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = create_migrated_sqlite(tmp_path, "gateway")
    else:
        url = create_migrated_database("iims_gw_dash_order_test", service="gateway")
        url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        in_order, late = uuid.uuid4(), uuid.uuid4()
        first, second = uuid.uuid4(), uuid.uuid4()
        events = _events(late, second)
        shuffled = events[1 : enrolled_at + 1] + events[:1] + events[enrolled_at + 1 :]
        for handler, data in _events(in_order, first) + shuffled:
            async with sessions() as s, s.begin():  # one transaction per event, as consumed
                await handler(s, data)
        async with sessions() as s:
            expected = await _counters(s, str(first))
            assert expected[("320000", "certified")] == 1
            assert expected[("000000", "audits.completed")] == 1
            assert await _counters(s, str(second)) == expected
            assert await _counters(s, dashboard.ALL) == {}
    finally:
        await engine.dispose()
