"""The v3 outbox migration keeps every row's publishing state, both ways, on both backends.

Rows written under v2 (the registry's revision 0004) — queued, in backoff, published with the
broker's offsets, published before offsets were kept — are upgraded to v3 (`outbox_pending`,
`outbox_acks`) and downgraded again; the relay's view (what is queued, where each published row
was acknowledged, the event at each partition's highest offset) is the same after each step.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from iims_common.settings import to_async_url
from iims_common.testing import PG_ADMIN, ROOT, pg_url
from iims_contracts.registry import EnterpriseRegistered

T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
TOPIC = EnterpriseRegistered.topic


def alembic(url: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=ROOT / "services" / "registry",
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def v2_rows() -> list[dict[str, Any]]:
    """Six events: two queued (one in backoff), three published on two partitions of one
    topic, one published before v2 (no offset)."""
    rows = []
    for n, (published, partition, offset, attempts) in enumerate(
        [
            (True, 0, 10, 0),
            (True, 0, 11, 0),
            (True, 1, 4, 0),
            (True, None, None, 0),
            (False, None, None, 0),
            (False, None, None, 2),
        ]
    ):
        rows.append(
            {
                "seq": n + 1,
                "event_id": str(uuid.UUID(int=n + 1)),
                "topic": TOPIC,
                "key": f"k{n % 3}",
                "type": EnterpriseRegistered.event_type(),
                "payload": json.dumps({"id": str(uuid.UUID(int=n + 1)), "n": n}),
                "headers": json.dumps({"traceparent": None}),
                "created_at": T0 + dt.timedelta(seconds=n),
                "available_at": T0 + dt.timedelta(seconds=n + (60 if attempts else 0)),
                "published_at": T0 + dt.timedelta(minutes=1) if published else None,
                "attempts": attempts,
                "last_error": "boom" if attempts else None,
                "kafka_partition": partition,
                "kafka_offset": offset,
            }
        )
    return rows


def insert_v2(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    conn.execute(
        sa.text(
            f"INSERT INTO outbox ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"
        ),
        rows,
    )
    if conn.dialect.name == "postgresql":  # as if the rows had taken their seqs from it
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('outbox', 'seq'), :n)"), {"n": len(rows)}
        )


def v3_state(conn: sa.Connection) -> tuple[set[int], dict[int, tuple[int, int]], dict[Any, Any]]:
    """(queued seqs, seq → (partition, offset), (topic, partition) → (last offset, event id))."""
    if True:
        queued = {int(s) for (s,) in conn.execute(sa.text("SELECT seq FROM outbox_pending"))}
        acked: dict[int, tuple[int, int]] = {}
        marks: dict[Any, Any] = {}
        for topic, partition, first, last, event_id, seqs in conn.execute(
            sa.text(
                "SELECT topic, partition, first_offset, last_offset, last_event_id, seqs"
                " FROM outbox_acks"
            )
        ):
            seqs = json.loads(seqs) if isinstance(seqs, str) else seqs
            for n, seq in enumerate(seqs):
                acked[int(seq)] = (int(partition), int(first) + n)
            marks[(topic, int(partition))] = (int(last), str(uuid.UUID(str(event_id))))
    return queued, acked, marks


def v2_state(conn: sa.Connection) -> list[tuple[Any, ...]]:
    if True:
        return [
            (int(seq), published is not None, partition, offset, int(attempts))
            for seq, published, partition, offset, attempts in conn.execute(
                sa.text(
                    "SELECT seq, published_at, kafka_partition, kafka_offset, attempts"
                    " FROM outbox ORDER BY seq"
                )
            )
        ]


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    name = "iims_outbox_v3_migration" + os.environ.get("IIMS_TEST_DB_SUFFIX", "")
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)
    return pg_url(name)


def queue_after_insert(conn: sa.Connection) -> tuple[dict[int, int], set[int]]:
    """(attempts per queued seq, queued seqs after inserting one more event) — rolled back."""
    attempts = {
        int(k): int(v)
        for k, v in conn.execute(sa.text("SELECT seq, attempts FROM outbox_pending")).all()
    }
    conn.execute(
        sa.text(
            "INSERT INTO outbox (event_id, topic, key, type, payload, headers, created_at)"
            " VALUES (:e, 't', 'k', 'x', '{}', '{}', :at)"
        ),
        {"e": str(uuid.uuid4()), "at": T0},
    )
    queued = {int(s) for (s,) in conn.execute(sa.text("SELECT seq FROM outbox_pending"))}
    return attempts, queued


async def test_v3_keeps_each_rows_publishing_state_both_ways(database: str) -> None:
    engine = create_async_engine(to_async_url(database))
    try:
        alembic(database, "upgrade", "0004")
        rows = v2_rows()
        async with engine.begin() as conn:
            await conn.run_sync(insert_v2, rows)
            before = await conn.run_sync(v2_state)

        alembic(database, "upgrade", "0005")
        async with engine.connect() as conn:
            queued, acked, marks = await conn.run_sync(v3_state)
        assert queued == {5, 6}
        assert acked == {1: (0, 10), 2: (0, 11), 3: (1, 4), 4: (-1, -1)}
        assert marks[(TOPIC, 0)] == (11, rows[1]["event_id"])
        assert marks[(TOPIC, 1)] == (4, rows[2]["event_id"])
        async with engine.connect() as conn:
            attempts, queued = await conn.run_sync(queue_after_insert)
            await conn.rollback()
        assert attempts == {5: 0, 6: 2}
        assert queued == {5, 6, 7}, "a row written after the upgrade is queued by the database"

        alembic(database, "downgrade", "0004")
        async with engine.connect() as conn:
            after = await conn.run_sync(v2_state)
        # The pre-v2 published row keeps being published (without offsets, as before).
        assert after == before
    finally:
        await engine.dispose()
