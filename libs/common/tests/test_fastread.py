"""The hot-path reader gives the same rows as SQLAlchemy (PostgreSQL through asyncpg directly,
SQLite through a session), falls back for what it cannot plan, and maps an unreachable
database to 503. Safe-request sessions run without a transaction and refuse writes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from iims_common.db import (
    WriteInSafeRequest,
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    utcnow,
)
from iims_common.errors import ServiceUnavailable
from iims_common.events.outbox import build_outbox_row, record_events
from iims_common.events.tables import outbox
from iims_common.fastread import FastReader
from iims_common.settings import ServiceSettings

TOPIC = "fastread-test"  # a test topic of the bus, with untyped data (no contract's)


async def _sqlalchemy_row(maker: async_sessionmaker[AsyncSession], stmt: Any) -> Any:
    async with maker() as session:
        row = (await session.execute(stmt)).first()
    return dict(row._mapping) if row is not None else None


async def _events(maker: async_sessionmaker[AsyncSession], n: int) -> list[dict[str, Any]]:
    rows = [
        build_outbox_row(
            source="/iims/test",
            topic=TOPIC,
            key=uuid.uuid4(),
            data={"name": f"企业{i}", "n": i, "nested": {"a": [1, 2]}},
        )
        for i in range(n)
    ]
    async with maker() as session, session.begin():
        await record_events(session, rows)
    return rows


async def test_same_rows_as_sqlalchemy_on_postgresql(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    rows = await _events(sessionmaker, 3)
    reader = FastReader(engine, create_read_sessionmaker(engine))
    await reader.start()
    try:
        assert reader.pool is not None  # PostgreSQL: the driver path, not the fallback
        for row in rows:
            # JSONB payload, UTC timestamps, UUIDs, nullable columns, a scope-like condition
            stmt = sa.select(outbox).where(
                outbox.c.event_id == row["event_id"], outbox.c.topic == TOPIC
            )
            fast = await reader.one(stmt)
            assert fast is not None and fast == await _sqlalchemy_row(sessionmaker, stmt)
            assert fast["payload"]["data"]["nested"] == {"a": [1, 2]}
            assert fast["created_at"].tzinfo is not None
        # one plan per statement shape, whatever the values
        assert len(reader._plans) == 1
        missing = sa.select(outbox).where(outbox.c.event_id == uuid.uuid4())
        assert await reader.one(missing) is None
        # a correlated EXISTS (the shape of the recommender/consultancy scopes)
        earlier = outbox.alias("earlier")
        stmt = sa.select(outbox.c.seq, outbox.c.key).where(
            outbox.c.event_id == rows[1]["event_id"],
            ~sa.exists().where(earlier.c.key == outbox.c.key, earlier.c.seq < outbox.c.seq),
        )
        assert await reader.one(stmt) == await _sqlalchemy_row(sessionmaker, stmt)
        # IN-list expansion is rendered per call by SQLAlchemy: not planned, still right
        stmt = sa.select(outbox.c.event_id).where(
            outbox.c.event_id.in_([r["event_id"] for r in rows])
        )
        assert await reader.one(stmt) == await _sqlalchemy_row(sessionmaker, stmt)
        assert sum(plan is None for plan in reader._plans.values()) == 1
        # a prepared statement (built once, run with values): the same rows, planned once
        prepared = sa.select(outbox).where(
            outbox.c.event_id == sa.bindparam("event_id", type_=outbox.c.event_id.type),
            outbox.c.topic == TOPIC,
        )
        for row in rows:
            stmt = sa.select(outbox).where(
                outbox.c.event_id == row["event_id"], outbox.c.topic == TOPIC
            )
            fast = await reader.one(prepared, {"event_id": row["event_id"]})
            assert fast is not None and fast == await _sqlalchemy_row(sessionmaker, stmt)
        assert await reader.one(prepared, {"event_id": uuid.uuid4()}) is None
        assert len(reader._prepared) == 1
    finally:
        await reader.close()


async def test_sqlite_reads_through_a_session(tmp_path: Path) -> None:
    settings = ServiceSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db")
    engine = create_engine(settings)
    things = sa.Table(
        "things",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.Text),
    )
    async with engine.begin() as conn:
        await conn.run_sync(things.metadata.create_all)
        await conn.execute(sa.insert(things), [{"id": 1, "n": "一"}, {"id": 2, "n": "二"}])
    reader = FastReader(engine, create_read_sessionmaker(engine))
    await reader.start()
    assert reader.pool is None
    assert await reader.one(sa.select(things).where(things.c.id == 2)) == {"id": 2, "n": "二"}
    assert await reader.one(sa.select(things).where(things.c.id == 3)) is None
    prepared = sa.select(things).where(things.c.id == sa.bindparam("id", type_=sa.Integer))
    assert await reader.one(prepared, {"id": 1}) == {"id": 1, "n": "一"}
    await reader.close()
    await engine.dispose()


async def test_unreachable_database_is_503() -> None:
    settings = ServiceSettings(database_url="postgresql://postgres@127.0.0.1:9/nowhere")
    engine = create_engine(settings)
    reader = FastReader(engine, create_read_sessionmaker(engine))
    await reader.start()  # connects lazily: an app starts while its database is down
    with pytest.raises(ServiceUnavailable):
        await reader.one(sa.select(outbox).where(outbox.c.seq == 1))
    await reader.close()
    await engine.dispose()


async def test_read_sessions_have_no_transaction_and_refuse_writes(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reader = create_read_sessionmaker(engine)
    # now() is the transaction's start: two statements of one transaction see the same one
    async with reader() as session:
        first = await session.scalar(sa.text("SELECT now()"))
        await session.execute(sa.text("SELECT pg_sleep(0.01)"))
        assert await session.scalar(sa.text("SELECT now()")) != first  # no transaction
        with pytest.raises(WriteInSafeRequest):
            await session.execute(
                sa.insert(outbox).values(
                    build_outbox_row(source="/t", topic="t", key="k", data={}, now=utcnow())
                )
            )
    async with create_sessionmaker(engine)() as session, session.begin():
        first = await session.scalar(sa.text("SELECT now()"))
        await session.execute(sa.text("SELECT pg_sleep(0.01)"))
        assert await session.scalar(sa.text("SELECT now()")) == first  # one transaction
