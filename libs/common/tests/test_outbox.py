"""Transactional outbox + relay on real PostgreSQL and a real broker."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import uuid
from collections import defaultdict
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.partitioner import DefaultPartitioner, murmur2
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.events.outbox import record_event
from iims_common.events.relay import (
    OutboxRelay,
    RelayError,
    _murmur2,
    _warn_lost,
    acknowledged,
    murmur2_many,
    partition_for,
    partitions_for,
)
from iims_common.events.tables import outbox, outbox_pending
from iims_common.settings import ServiceSettings
from iims_common.testing import eventually, publish, read_topic


async def backlog(maker: async_sessionmaker[AsyncSession]) -> int:
    async with maker() as s:
        q = select(func.count()).select_from(outbox_pending)
        return int((await s.execute(q)).scalar_one())


async def test_event_commits_atomically_with_the_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    class Boom(Exception):
        pass

    try:
        async with sessionmaker() as s, s.begin():
            await record_event(s, source="/iims/test", topic="t", key="k", data={"x": 1})
            raise Boom
    except Boom:
        pass
    assert await backlog(sessionmaker) == 0
    async with sessionmaker() as s, s.begin():
        await record_event(s, source="/iims/test", topic="t", key="k", data={"x": 1})
    assert await backlog(sessionmaker) == 1


async def test_writes_succeed_while_broker_is_down_and_events_arrive_after(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    port = free_port()
    proc = start_broker(port)
    settings = bus_settings.model_copy(update={"kafka_bootstrap_servers": f"127.0.0.1:{port}"})
    relay = OutboxRelay(settings, engine, sessionmaker)
    topic = f"outage-{uuid.uuid4().hex[:8]}"
    try:
        async with sessionmaker() as s, s.begin():
            first = str(
                await record_event(s, source="/iims/test", topic=topic, key="e", data={"i": -1})
            )
        assert await relay.publish_once() == 1  # connected and publishing

        stop_broker(proc)  # the broker goes away mid-life
        ids = [first]
        for i in range(5):
            async with sessionmaker() as s, s.begin():  # writes still succeed
                ids.append(
                    str(
                        await record_event(
                            s, source="/iims/test", topic=topic, key=f"e{i}", data={"i": i}
                        )
                    )
                )
        failed = False
        try:
            await relay.publish_once()
        except RelayError:
            failed = True
        assert failed, "publishing without a broker must fail (and keep the rows)"
        await relay.close()
        assert await backlog(sessionmaker) == 5
        async with sessionmaker() as s:
            row = (
                await s.execute(
                    select(
                        select(func.max(outbox_pending.c.attempts)).scalar_subquery(),
                        select(func.max(outbox.c.last_error)).scalar_subquery(),
                    )
                )
            ).one()
        assert row[0] >= 1 and row[1]

        proc = start_broker(port)  # the broker comes back (empty: memory-only)
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        await eventually(lambda: _zero(sessionmaker), timeout=30)
        stop.set()
        await task
        found = await read_topic(settings.kafka_bootstrap_servers, topic, count=6, timeout=10)
        # The restarted broker is empty (memory-only): the 5 written during the outage arrive,
        # and the first one — published before, lost with the broker's log — is re-published.
        assert sorted(v["id"] for _, v, _ in found) == sorted(ids)
    finally:
        stop_broker(proc)


async def _zero(maker: async_sessionmaker[AsyncSession]) -> bool:
    return await backlog(maker) == 0


async def test_two_relays_keep_per_key_order(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    topic = f"order-{uuid.uuid4().hex[:8]}"
    keys = [f"enterprise-{k}" for k in range(6)]
    total = 300
    async with sessionmaker() as s, s.begin():
        for n in range(total):
            key = keys[n % len(keys)]
            await record_event(s, source="/iims/test", topic=topic, key=key, data={"n": n})
    settings = bus_settings.model_copy(update={"relay_batch_size": 7})
    relays = [OutboxRelay(settings, engine, sessionmaker) for _ in range(2)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(r.run(stop)) for r in relays]
    await eventually(lambda: _zero(sessionmaker), timeout=60)
    stop.set()
    await asyncio.gather(*tasks)
    found = await read_topic(settings.kafka_bootstrap_servers, topic, count=total, timeout=30)
    assert len(found) == total
    per_key: dict[bytes, list[int]] = defaultdict(list)
    for key, value, _ in found:
        assert key is not None
        per_key[key].append(value["data"]["n"])
    for key, ns in per_key.items():
        assert ns == sorted(ns), f"{key!r} out of order"
    assert sum(len(v) for v in per_key.values()) == total


async def test_claiming_ahead_keeps_per_key_order_and_publishes_everything(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """`publish_available` publishes batches in a row (it claimed batch n+1 while batch n
    was sent and marked until the third round of issue 17): with 5 keys and batches of 4,
    nothing is lost, published twice or reordered per key."""
    topic = f"ahead-{uuid.uuid4().hex[:8]}"
    keys = [f"enterprise-{k}" for k in range(5)]
    total = 60
    async with sessionmaker() as s, s.begin():
        for n in range(total):
            await record_event(
                s, source="/iims/test", topic=topic, key=keys[n % len(keys)], data={"n": n}
            )
    relay = OutboxRelay(
        bus_settings.model_copy(update={"relay_batch_size": 4}), engine, sessionmaker
    )
    published = 0
    try:
        for _ in range(100):
            step = await relay.publish_available(max_batches=5)
            published += step
            if not step and await backlog(sessionmaker) == 0:
                break
    finally:
        await relay.close()
    assert published == total
    found = await read_topic(bus_settings.kafka_bootstrap_servers, topic, count=total, timeout=30)
    per_key: dict[bytes, list[int]] = defaultdict(list)
    for key, value, _ in found:
        assert key is not None
        per_key[key].append(value["data"]["n"])
    assert sorted(n for ns in per_key.values() for n in ns) == list(range(total))
    for key, ns in per_key.items():
        assert ns == sorted(ns), f"{key!r} out of order"


async def _published_offsets(maker: async_sessionmaker[AsyncSession]) -> list[int | None]:
    async with maker() as s:
        acks = await acknowledged(s)
        rows = await s.execute(select(outbox.c.seq).order_by(outbox.c.seq))
        return [acks[seq][1] if seq in acks else None for (seq,) in rows.all()]


async def _restart_with_foreign_records(
    proc: Any, port: int, topic: str, key: str, foreign: int
) -> Any:
    """kill -9 the broker, start it empty on the same port, and let another producer put
    `foreign` records (other CloudEvents ids) on `key`'s partition of `topic` first."""
    proc.kill()
    proc.wait()
    proc = start_broker(port)
    for _ in range(foreign):
        await publish(
            f"127.0.0.1:{port}",
            topic,
            {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/other", "type": "x"},
            key=key,
        )
    return proc


async def test_offset_check_requeues_every_row_when_the_new_log_holds_other_records(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Three rows acknowledged at offsets 0-2; the broker restarts empty and another producer
    writes one record there first (end 1). Offset 0 now holds someone else's record: all three
    rows are re-queued, not only those at or after the new end."""
    port = free_port()
    proc = start_broker(port)
    settings = bus_settings.model_copy(update={"kafka_bootstrap_servers": f"127.0.0.1:{port}"})
    relay = OutboxRelay(settings, engine, sessionmaker)
    topic = f"lost-{uuid.uuid4().hex[:8]}"
    try:
        async with sessionmaker() as s, s.begin():
            for i in range(3):
                await record_event(s, source="/iims/test", topic=topic, key="k", data={"i": i})
        assert await relay.publish_once() == 3
        assert await _published_offsets(sessionmaker) == [0, 1, 2]
        await relay.close()
        proc = await _restart_with_foreign_records(proc, port, topic, "k", foreign=1)
        await asyncio.sleep(1.2)  # past SETTLE: the rows count for the check
        assert await relay.check_offsets() == 3
        assert await backlog(sessionmaker) == 3
        assert await relay.publish_once() == 3
        assert await _published_offsets(sessionmaker) == [1, 2, 3]
        await relay.close()
    finally:
        stop_broker(proc)


async def test_a_backwards_acknowledgement_requeues_every_row_of_the_old_log(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The broker restarts between two batches and the relay does not notice the reconnect;
    another producer got two records in first, so the new row is acknowledged at offset 2 —
    at or below the 2 acknowledged before. Offsets 0 and 1 hold the other producer's records
    now, so all three earlier rows are re-published, not only the one at offset 2."""
    port = free_port()
    proc = start_broker(port)
    settings = bus_settings.model_copy(update={"kafka_bootstrap_servers": f"127.0.0.1:{port}"})
    relay = OutboxRelay(settings, engine, sessionmaker)
    topic = f"back-{uuid.uuid4().hex[:8]}"
    try:
        async with sessionmaker() as s, s.begin():
            for i in range(3):
                await record_event(s, source="/iims/test", topic=topic, key="k", data={"i": i})
        assert await relay.publish_once() == 3
        await relay.close()
        proc = await _restart_with_foreign_records(proc, port, topic, "k", foreign=2)
        async with sessionmaker() as s, s.begin():
            await record_event(s, source="/iims/test", topic=topic, key="k", data={"i": 3})
        assert await relay.publish_once() == 1  # acknowledged at offset 2
        assert await backlog(sessionmaker) == 3
        assert await relay.publish_once() == 3
        assert await _published_offsets(sessionmaker) == [3, 4, 5, 2]
        await relay.close()
    finally:
        stop_broker(proc)


def test_partition_for_is_aiokafkas_default_partitioner() -> None:
    """The relay sends one record batch per partition, choosing the partition itself: it
    must be the one `send` would have chosen, or a key's events would change partition."""
    rng = random.Random(17)
    keys = [str(uuid.uuid4()).encode() for _ in range(500)]
    keys += [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 70))) for _ in range(2000)]
    for n in (1, 2, 3, 7, 12):
        partitions = list(range(n))
        for key in keys:
            assert partition_for(key, partitions) == DefaultPartitioner()(key, partitions, [])
    for key in keys:
        assert _murmur2(key) == murmur2(key)
    assert murmur2_many(keys) == [murmur2(key) for key in keys]
    for n in (1, 3, 12):
        assert partitions_for(keys, list(range(n))) == [
            DefaultPartitioner()(key, list(range(n)), []) for key in keys
        ]
    assert murmur2_many([]) == []


async def test_recorded_offsets_are_where_the_broker_put_each_event(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Offsets come from each partition batch's base offset plus the event's place in it;
    the offset checks compare them with the log, so they must be exact."""
    topic = f"offsets-{uuid.uuid4().hex[:8]}"
    total = 40
    async with sessionmaker() as s, s.begin():
        for n in range(total):
            await record_event(s, source="/iims/test", topic=topic, key=f"k{n % 9}", data={"n": n})
    relay = OutboxRelay(
        bus_settings.model_copy(update={"relay_batch_size": 15}), engine, sessionmaker
    )
    try:
        while await relay.publish_once():
            pass
    finally:
        await relay.close()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bus_settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: dict[str, tuple[int, int]] = {}
    try:
        async with asyncio.timeout(30):
            while len(seen) < total:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for rec in records:
                        seen[json.loads(rec.value)["id"]] = (rec.partition, rec.offset)
    finally:
        await consumer.stop()
    async with sessionmaker() as s:
        acks = await acknowledged(s)
        rows = (
            await s.execute(select(outbox.c.event_id, outbox.c.seq).where(outbox.c.topic == topic))
        ).all()
    assert {str(e): acks[seq] for e, seq in rows} == seen


async def test_an_event_too_large_fails_with_the_events_after_it(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    topic = f"large-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as s, s.begin():
        await record_event(s, source="/iims/test", topic=topic, key="a", data={"n": 0})
        await record_event(
            s, source="/iims/test", topic=topic, key="b", data={"blob": "x" * 1_200_000}
        )
        await record_event(s, source="/iims/test", topic=topic, key="c", data={"n": 2})
    relay = OutboxRelay(bus_settings, engine, sessionmaker)
    try:
        with pytest.raises(RelayError):
            await relay.publish_once()
    finally:
        await relay.close()
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                select(outbox.c.key, outbox_pending.c.seq.is_(None), outbox_pending.c.attempts)
                .outerjoin(outbox_pending, outbox_pending.c.seq == outbox.c.seq)
                .where(outbox.c.topic == topic)
                .order_by(outbox.c.seq)
            )
        ).all()
    assert [(k, published, a or 0) for k, published, a in rows] == [
        ("a", True, 0),
        ("b", False, 1),
        ("c", False, 1),
    ]


def test_lost_records_are_one_warning_per_check(caplog: pytest.LogCaptureFixture) -> None:
    """A restart of the memory-only broker loses every partition at once: one WARNING names the
    first few and counts the rest (a newcomer's `make run` showed ~70 lines, one per partition)."""
    parts = [(f"t{i}", 0) for i in range(5)]
    with caplog.at_level(logging.WARNING, logger="iims.outbox"):
        _warn_lost(parts, 12, "offset check")
        _warn_lost([], 0, "offset check")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "broker lost records (offset check) of 5 partitions (t0[0], t1[0], t2[0] and 2 more): "
        "re-publishing 12 retained outbox rows"
    ]


async def test_purge_deletes_published_rows_past_retention_and_keeps_queued_ones(
    bus_settings: ServiceSettings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Past `outbox_retention_hours`, published rows go with their ack rows; a queued row stays."""
    topic = f"purge-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as s, s.begin():
        for n in range(3):
            await record_event(s, source="/iims/test", topic=topic, key=f"k{n}", data={"n": n})
    relay = OutboxRelay(bus_settings, engine, sessionmaker, retention=dt.timedelta(0))
    try:
        while await relay.publish_once():
            pass
    finally:
        await relay.close()
    async with sessionmaker() as s, s.begin():
        await record_event(s, source="/iims/test", topic=topic, key="queued", data={"n": 3})
    await relay.purge_published()
    async with sessionmaker() as s:
        left = (await s.execute(select(outbox.c.key).where(outbox.c.topic == topic))).all()
        assert [k for (k,) in left] == ["queued"]
        assert await acknowledged(s) == {}
