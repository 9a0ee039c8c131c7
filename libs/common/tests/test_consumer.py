"""Idempotent consumer (inbox), bounded retries → DLQ, and DLQ re-drive, on a real broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any, ClassVar

import pytest
from pydantic import Field
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.events.consumer import EventConsumer, route
from iims_common.events.envelope import CloudEvent
from iims_common.events.redrive import redrive
from iims_common.settings import ServiceSettings
from iims_common.testing import eventually, publish, read_topic
from iims_contracts import EventContract


def event(data: dict[str, object]) -> dict[str, object]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "/iims/test",
        "type": "cn.iims.test.v1",
        "data": data,
    }


async def effects(maker: async_sessionmaker[AsyncSession], tag: str) -> int:
    async with maker() as s:
        q = text("SELECT count(*) FROM recommending_units WHERE name LIKE :p")
        return int((await s.execute(q, {"p": f"{tag}%"})).scalar_one())


class Harness:
    """A consumer whose effect is not naturally idempotent: each call inserts a new row."""

    def __init__(
        self, settings: ServiceSettings, maker: async_sessionmaker[AsyncSession], topic: str
    ):
        self.fail_poison = True
        self.topic = topic
        self.consumer = EventConsumer(
            f"test-{uuid.uuid4().hex[:6]}", settings, maker, {topic: self.handle}
        )
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def handle(self, session: AsyncSession, ev: CloudEvent) -> None:
        if ev.data.get("poison") and self.fail_poison:
            raise RuntimeError("cannot process this event")
        await session.execute(
            text(
                "INSERT INTO recommending_units (id, name, kind, created_at) "
                "VALUES (:id, :name, 'central_soe', now())"
            ),
            {"id": uuid.uuid4(), "name": f"{ev.data['tag']}-{uuid.uuid4()}"},
        )

    async def __aenter__(self) -> Harness:
        self.task = asyncio.create_task(self.consumer.run(self.stop))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        assert self.task is not None
        await self.task


async def test_same_event_twice_has_one_effect(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    topic = f"dup-{uuid.uuid4().hex[:8]}"
    ev = event({"tag": "dup"})
    last = event({"tag": "last"})
    async with Harness(bus_settings, sessionmaker, topic):
        await publish(bus_settings.kafka_bootstrap_servers, topic, ev, "k")
        await publish(bus_settings.kafka_bootstrap_servers, topic, ev, "k")
        await publish(bus_settings.kafka_bootstrap_servers, topic, last, "k")
        await eventually(lambda: _at_least(sessionmaker, "last", 1))
    assert await effects(sessionmaker, "dup") == 1
    # The second copy is a duplicate the inbox skips — not a failure retried into the DLQ.
    dlq = await read_topic(bus_settings.kafka_bootstrap_servers, topic + ".dlq", timeout=2)
    assert dlq == []


async def _dlq_size(bootstrap: str, topic: str, n: int) -> bool:
    return len(await read_topic(bootstrap, topic, count=n, timeout=2)) >= n


async def _at_least(maker: async_sessionmaker[AsyncSession], tag: str, n: int) -> bool:
    return await effects(maker, tag) >= n


async def test_poison_event_goes_to_dlq_and_consumer_keeps_going_then_redrive(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    topic = f"poison-{uuid.uuid4().hex[:8]}"
    poison = event({"tag": "poison", "poison": True})
    after = event({"tag": "after"})
    bootstrap = bus_settings.kafka_bootstrap_servers
    async with Harness(bus_settings, sessionmaker, topic) as h:
        await publish(bootstrap, topic, poison, "k")
        await publish(bootstrap, topic, b"{definitely not json", "k")
        await publish(bootstrap, topic, after, "k")
        await eventually(lambda: _at_least(sessionmaker, "after", 1))
        dead = await read_topic(bootstrap, f"{topic}.dlq", count=2)
        assert len(dead) == 2
        by_id = {v.get("id"): headers for _, v, headers in dead}
        headers = by_id[poison["id"]]
        assert headers["iims-dlq-attempts"] == str(bus_settings.consumer_max_attempts)
        assert "cannot process this event" in headers["iims-dlq-error"]
        assert headers["iims-dlq-original-topic"] == topic
        assert await effects(sessionmaker, "poison") == 0

        # Once the cause is fixed, the re-drive command sends it back and it is applied once.
        h.fail_poison = False
        moved = await redrive(bus_settings, f"{topic}.dlq", idle_s=1.5)
        assert moved == 2
        await eventually(lambda: _at_least(sessionmaker, "poison", 1))
        # The unparseable event failed again and is back in the DLQ: a second re-drive moves
        # just that one (what the DLQ held when it started), never the same entries in a loop.
        await eventually(lambda: _dlq_size(bootstrap, f"{topic}.dlq", 3))
        assert await redrive(bus_settings, f"{topic}.dlq", idle_s=1.0) == 1
    assert await effects(sessionmaker, "poison") == 1


async def test_processed_event_ids_are_recorded_per_consumer(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    topic = f"inbox-{uuid.uuid4().hex[:8]}"
    ev = event({"tag": "inbox"})
    async with Harness(bus_settings, sessionmaker, topic) as h:
        await publish(bus_settings.kafka_bootstrap_servers, topic, json.dumps(ev).encode(), "k")
        await eventually(lambda: _at_least(sessionmaker, "inbox", 1))
        async with sessionmaker() as s:
            rows = (
                await s.execute(
                    select(func.count())
                    .select_from(text("processed_events"))
                    .where(text("consumer = :c AND event_id = :e"))
                    .params(c=h.consumer.name, e=ev["id"])
                )
            ).scalar_one()
    assert rows == 1


async def test_database_outage_is_retried_not_dead_lettered(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    topic = f"outage-{uuid.uuid4().hex[:8]}"
    ev = event({"tag": "outage"})
    bootstrap = bus_settings.kafka_bootstrap_servers
    h = Harness(bus_settings, sessionmaker, topic)
    failures = {"left": bus_settings.consumer_max_attempts * 2}
    real_handle = h.handle

    async def flaky(session: AsyncSession, e: CloudEvent) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionRefusedError("database unreachable")
        await real_handle(session, e)

    h.consumer.handlers[topic] = flaky
    async with h:
        await publish(bootstrap, topic, ev, "k")
        await eventually(lambda: _at_least(sessionmaker, "outage", 1), timeout=60)
    assert failures["left"] == 0
    assert await read_topic(bootstrap, f"{topic}.dlq", timeout=2) == []
    assert await effects(sessionmaker, "outage") == 1


def typed_contract(name: str) -> type[EventContract]:
    """A contract on a topic of this test only (the services' contracts live in iims_contracts)."""

    class Tagged(EventContract):
        """A test fact."""

        topic: ClassVar[str] = name
        producer: ClassVar[str] = "test"
        key_field: ClassVar[str] = "thing_id"
        label: ClassVar[str] = "测试"
        example: ClassVar[dict[str, Any]] = {}

        thing_id: uuid.UUID = Field(description="id")
        tag: str = Field(min_length=1, description="tag")

    return Tagged


async def test_typed_routes_parse_data_and_dead_letter_contract_violations_at_once(
    bus_settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A route receives its contract parsed; data that does not satisfy the contract goes to
    the DLQ without retries (attempts 0); another type on the same topic is ignored."""
    topic = f"typed-{uuid.uuid4().hex[:8]}"
    contract = typed_contract(topic)
    received: list[Any] = []

    async def on_tagged(session: AsyncSession, ev: CloudEvent, data: Any) -> None:
        received.append(data)

    consumer = EventConsumer(
        f"test-{uuid.uuid4().hex[:6]}", bus_settings, sessionmaker, [route(contract, on_tagged)]
    )
    assert consumer.topics == [topic]
    thing = uuid.uuid4()
    good = {**event({"thing_id": str(thing), "tag": "ok"}), "type": contract.event_type()}
    bad = {**event({"thing_id": "not-a-uuid"}), "type": contract.event_type()}
    other = {**event({"anything": 1}), "type": f"cn.iims.{topic}.v2"}
    assert (await consumer.handle(topic, b"k", json.dumps(good).encode(), {})).status == "processed"
    assert received == [contract(thing_id=thing, tag="ok")]
    outcome = await consumer.handle(topic, b"k", json.dumps(bad).encode(), {})
    assert outcome.status == "dead-lettered" and "thing_id" in (outcome.error or "")
    assert (await consumer.handle(topic, b"k", json.dumps(other).encode(), {})).status == "ignored"
    await consumer.close()
    [(_, value, headers)] = await read_topic(bus_settings.kafka_bootstrap_servers, f"{topic}.dlq")
    assert value["id"] == bad["id"] and headers["iims-dlq-attempts"] == "0"
    assert headers["iims-dlq-error"].startswith("ValidationError: data does not satisfy")
    assert len(received) == 1


def test_a_service_declares_its_consumers_as_routes() -> None:
    """`consumers(name, *routes)`: the factory the app starts builds one consumer group that
    reads exactly the routes' topics and dispatches on their CloudEvents types; an event type
    routed twice, or no route at all, is refused when the service is declared."""
    from iims_common.events import consumers
    from iims_contracts import CertificateIssued, PilotEnrolled

    calls: list[object] = []

    async def invite(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
        calls.append(data)

    async def certify(session: AsyncSession, event: CloudEvent, data: CertificateIssued) -> None:
        calls.append(data)

    factory = consumers("svc", route(PilotEnrolled, invite), route(CertificateIssued, certify))
    [consumer] = factory(ServiceSettings(), async_sessionmaker())
    assert consumer.name == "svc" and not consumer.handlers
    assert consumer.topics == sorted([PilotEnrolled.topic, CertificateIssued.topic])
    assert consumer.routes[PilotEnrolled.event_type()].handler is invite
    assert consumer.routes[CertificateIssued.event_type()].handler is certify
    with pytest.raises(ValueError, match=PilotEnrolled.event_type()):
        consumers("svc", route(PilotEnrolled, invite), route(PilotEnrolled, invite))
    with pytest.raises(ValueError, match="no routes"):
        consumers("svc")
