"""Where the consumer resumes after a (re)assignment and after the broker lost its log — each
behaviour on its own, on a real broker (tansu, memory-only) and the real database (issue 11).

The long broker-loss runs (tests/test_broker_loss.py) exercise these together; here each test
sets up the one situation its behaviour exists for, so that a consumer without it loses
records (the test times out waiting for their effects) instead of passing by luck.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import text

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.events.consumer import EventConsumer
from iims_common.events.envelope import CloudEvent
from iims_common.events.kafka import encode_headers
from iims_common.settings import ServiceSettings
from iims_common.testing import eventually

# Generous: a loaded 2-core machine; a consumer without the behaviour never gets there.
WAIT_S = 60.0


def event(tag: str) -> bytes:
    import json

    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "/iims/test",
            "type": "cn.iims.test.v1",
            "data": {"tag": tag},
        }
    ).encode()


async def effects(maker: async_sessionmaker[AsyncSession], tag: str) -> int:
    """Effects of events tagged `tag` (one row per handler call: not idempotent by itself)."""
    async with maker() as s:
        q = text("SELECT count(*) FROM recommending_units WHERE name LIKE :p")
        return int((await s.execute(q, {"p": f"{tag}:%"})).scalar_one())


def consumer_of(
    settings: ServiceSettings, maker: async_sessionmaker[AsyncSession], topic: str
) -> EventConsumer:
    async def handle(session: AsyncSession, ev: CloudEvent) -> None:
        await session.execute(
            text(
                "INSERT INTO recommending_units (id, name, kind, created_at) "
                "VALUES (:id, :name, 'central_soe', now())"
            ),
            {"id": uuid.uuid4(), "name": f"{ev.data['tag']}:{uuid.uuid4()}"},
        )

    return EventConsumer(f"test-{uuid.uuid4().hex[:6]}", settings, maker, {topic: handle})


@asynccontextmanager
async def running(consumer: EventConsumer) -> AsyncIterator[None]:
    """`consumer.run()` for the duration of the block (the same object each time: what it
    remembers of its partitions survives, as it does across reconnects in a service)."""
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT_S)


async def create_topic(bootstrap: str, topic: str) -> TopicPartition:
    """One partition, created explicitly (so a restarted broker has the same partition)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    return TopicPartition(topic, 0)


async def send(bootstrap: str, tp: TopicPartition, values: list[bytes]) -> list[int]:
    """Publish `values` in order to partition `tp`; the offsets the broker acknowledged."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        offsets = []
        for v in values:
            md = await producer.send_and_wait(
                tp.topic,
                v,
                key=b"k",
                partition=tp.partition,
                headers=encode_headers({"content-type": "application/cloudevents+json"}),
            )
            offsets.append(md.offset)
        return offsets
    finally:
        await producer.stop()


async def commit_for_group(bootstrap: str, group: str, tp: TopicPartition, offset: int) -> None:
    """Commit `offset` for `group` as another member of it (the consumer is stopped, so this
    one is assigned the partition): the offset the group hands back on the next assignment."""
    kc = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await kc.start()
    try:
        kc.subscribe([tp.topic])

        async def joined() -> bool:
            await kc.getmany(timeout_ms=300)
            return tp in kc.assignment()

        await eventually(joined, timeout=WAIT_S, interval=0)
        await kc.commit({tp: offset})
    finally:
        await kc.stop()


def restart_empty(proc: subprocess.Popen[bytes], port: int) -> subprocess.Popen[bytes]:
    """kill -9 the memory-only broker and start it again on the same port: its log is gone."""
    proc.kill()
    proc.wait()
    return start_broker(port)


async def test_reassignment_resumes_after_the_verified_last_record_not_the_group_offset(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The group hands back an offset past records this consumer never read (as a commit made
    before the broker lost its log would, replayed into the new one). The consumer's last
    processed record is still in place, so it resumes right after it and reads them."""
    bootstrap = bus_settings.kafka_bootstrap_servers
    tp = await create_topic(bootstrap, f"resume-{uuid.uuid4().hex[:8]}")
    consumer = consumer_of(bus_settings, sessionmaker, tp.topic)
    async with running(consumer):
        assert await send(bootstrap, tp, [event("old") for _ in range(3)]) == [0, 1, 2]
        await eventually(lambda: _at_least(sessionmaker, "old", 3), timeout=WAIT_S)
    # While it is away: three more records, and the group's offset is moved past them.
    assert await send(bootstrap, tp, [event("new") for _ in range(3)]) == [3, 4, 5]
    await commit_for_group(bootstrap, consumer.name, tp, 6)
    async with running(consumer):
        await eventually(lambda: _at_least(sessionmaker, "new", 3), timeout=WAIT_S)
    assert await effects(sessionmaker, "old") == 3
    assert await effects(sessionmaker, "new") == 3


async def test_a_rewound_partition_not_read_since_starts_from_the_beginning(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The broker restarts empty; the consumer notices its partition went backwards and
    rewinds it, but reads nothing before it is reassigned — by then the new log holds records
    and the group hands back an offset into them. They are all read, from the beginning."""
    port = free_port()
    proc = start_broker(port)
    bootstrap = f"127.0.0.1:{port}"
    settings = bus_settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})
    try:
        tp = await create_topic(bootstrap, f"rewound-{uuid.uuid4().hex[:8]}")
        consumer = consumer_of(settings, sessionmaker, tp.topic)
        async with running(consumer):
            await send(bootstrap, tp, [event("old") for _ in range(5)])
            await eventually(lambda: _at_least(sessionmaker, "old", 5), timeout=WAIT_S)
        proc = restart_empty(proc, port)
        await create_topic(bootstrap, tp.topic)  # empty: the end (0) is below what it read
        async with running(consumer):
            await eventually(lambda: tp in consumer._from_start, timeout=WAIT_S)
        # Not read since. The new log fills and the group's offset points into it.
        assert await send(bootstrap, tp, [event("new") for _ in range(6)]) == list(range(6))
        await commit_for_group(bootstrap, consumer.name, tp, 3)
        async with running(consumer):
            await eventually(lambda: _at_least(sessionmaker, "new", 6), timeout=WAIT_S)
        assert await effects(sessionmaker, "new") == 6
    finally:
        stop_broker(proc)


async def test_after_a_sign_of_loss_each_batch_checks_the_last_record_is_still_in_place(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The log is replaced under the consumer by one that is already longer than its position
    when it next fetches: the fetch looks normal (records after its position, the end ahead of
    any seen), no rebalance happens — only the record before the position tells. The batch
    check finds it replaced and reads the partition again from the beginning.

    Drives the consumer's own poll step (`_process_batch` then `_record_lag`, as `run` does)
    on a client without a group, so that no rebalance — which has a check of its own — hides
    whether the per-batch check works."""
    port = free_port()
    proc = start_broker(port)
    bootstrap = f"127.0.0.1:{port}"
    settings = bus_settings.model_copy(update={"kafka_bootstrap_servers": bootstrap})
    kc: AIOKafkaConsumer | None = None
    consumer: EventConsumer | None = None
    try:
        tp = await create_topic(bootstrap, f"batch-{uuid.uuid4().hex[:8]}")
        consumer = consumer_of(settings, sessionmaker, tp.topic)
        kc = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        await kc.start()
        kc.assign([tp])
        kc.seek(tp, 0)
        consumer._consumer = kc

        async def commit_nothing() -> None:  # a client without a group has nowhere to commit
            consumer_pending.clear()

        consumer_pending = consumer._pending
        consumer.commit_pending = commit_nothing  # type: ignore[method-assign]
        consumer._suspect()  # as run() does for a new client

        async def poll_until(tag: str, n: int) -> None:
            async def step() -> bool:
                assert kc is not None
                batch = await kc.getmany(timeout_ms=300)
                if batch:
                    await consumer._process_batch(batch)
                await consumer._record_lag(kc)
                return await effects(sessionmaker, tag) >= n

            await eventually(step, timeout=WAIT_S, interval=0)

        await send(bootstrap, tp, [event("old") for _ in range(5)])
        await poll_until("old", 5)
        assert await kc.position(tp) == 5
        # No fetch while the log is replaced (the background fetcher would see it shorter).
        kc.pause(tp)
        proc = restart_empty(proc, port)
        await create_topic(bootstrap, tp.topic)
        assert await send(bootstrap, tp, [event("new") for _ in range(8)]) == list(range(8))
        kc.resume(tp)
        await poll_until("new", 8)
        assert await effects(sessionmaker, "new") == 8
        assert await effects(sessionmaker, "old") == 5
    finally:
        if kc is not None:
            await kc.stop()
        if consumer is not None:
            await consumer.close()
        stop_broker(proc)


async def _at_least(maker: async_sessionmaker[AsyncSession], tag: str, n: int) -> bool:
    return await effects(maker, tag) >= n
