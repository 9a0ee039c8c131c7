"""Idempotent consumer (inbox): effect + processed-event record in one transaction.

Offsets are committed manually after the effect commits; a redelivery is harmless because
the inbox insert finds the event already processed. A failing event is retried with backoff
a bounded number of times, then sent to `<topic>.dlq` with the error, and the consumer moves on.
An outage of the database is not the event's fault: the consumer stops at that event and
retries it after reconnecting, it does not dead-letter it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.db import upsert_insert, utcnow
from iims_common.events.envelope import CloudEvent
from iims_common.events.kafka import (
    decode_headers,
    encode_headers,
    make_consumer,
    make_producer,
    security_options,
)
from iims_common.events.tables import processed_events
from iims_common.settings import ServiceSettings
from iims_common.tracing import span
from iims_contracts.base import EventContract

log = logging.getLogger("iims.consumer")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
C = TypeVar("C", bound=EventContract)


@dataclass(frozen=True)
class Route(Generic[C]):
    """Events of `contract` (its topic and CloudEvents type) go to `handler(session, event,
    data)`, with `data` already parsed into the contract."""

    contract: type[C]
    handler: Callable[[AsyncSession, CloudEvent, C], Awaitable[None]]


def route(
    contract: type[C], handler: Callable[[AsyncSession, CloudEvent, C], Awaitable[None]]
) -> Route[C]:
    """`route(PilotEnrolled, enrollments.invite_pilot)` — typed by the contract: the use case
    receives the session of the inbox transaction, the CloudEvent (its `time`, `id`, `source`)
    and the parsed contract model."""
    return Route(contract, handler)


ConsumerFactory = Callable[
    [ServiceSettings, async_sessionmaker[AsyncSession]], list["EventConsumer"]
]


def consumers(name: str, *routes: Route[Any]) -> ConsumerFactory:
    """A service's event entry points, declared as routes only: consumer group `name` reads
    the topics of the routes' contracts and calls each route's use case with the parsed model
    (in the inbox transaction). Returns the factory `create_service_app(consumers=...)` and
    `run_workers_forever` start; a service's `consumers.py` is one call of this::

        assessment_consumers = consumers(
            "assessment",
            route(EnterpriseRegistered, enterprises.keep_registered),
            route(PilotEnrolled, assessments.open_baseline),
        )
    """
    if not routes:
        raise ValueError(f"consumer {name!r} has no routes")
    types = [r.contract.event_type() for r in routes]
    if len(set(types)) != len(types):
        raise ValueError(f"consumer {name!r} routes an event type twice: {sorted(types)}")

    def factory(
        settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> list[EventConsumer]:
        return [EventConsumer(name, settings, sessionmaker, routes)]

    return factory


class ContractViolation(ValueError):
    """The event's `data` does not satisfy its contract: poison by definition, dead-lettered
    at once (no retries)."""


# Liveness is "polls keep happening", not "the task exists" (aiokafka #1154).
CONSUMER_LAST_POLL = Gauge(
    "iims_consumer_last_poll_timestamp_seconds", "When the consumer last polled", ["consumer"]
)
EVENTS_CONSUMED = Counter(
    "iims_events_consumed_total", "Events consumed", ["consumer", "topic", "outcome"]
)
CONSUMER_LAG = Gauge(
    "iims_consumer_lag", "Messages behind the partition's end", ["consumer", "topic", "partition"]
)

CONSUMER_REWOUND = Counter(
    "iims_consumer_partition_rewound_total",
    "Partitions read again from the beginning because the position was past the end",
    ["consumer", "topic"],
)

# After a sign that the broker lost records (a partition rewound, a (re)assignment, a new
# client), every batch is checked for this long before it is processed: is the last record
# processed on its partition still there? A memory-only broker that restarted can also empty
# a topic again seconds later (topics created concurrently) and be refilled past this
# consumer's position before it fetches — then the fetch itself looks normal, and only the
# record before it tells.
SUSPECT_WINDOW_S = 120.0

DLQ_SUFFIX = ".dlq"
H_ORIGINAL_TOPIC = "iims-dlq-original-topic"
H_ERROR = "iims-dlq-error"
H_ATTEMPTS = "iims-dlq-attempts"
H_CONSUMER = "iims-dlq-consumer"
DLQ_HEADERS = (H_ORIGINAL_TOPIC, H_ERROR, H_ATTEMPTS, H_CONSUMER)


class InfrastructureDown(Exception):
    """The database (or network) failed, not the event: it is never dead-lettered for this.
    The consumer retries it in place; if asked to stop meanwhile, it stops uncommitted at this
    event, which is redelivered later."""


def is_infrastructure_error(exc: BaseException) -> bool:
    if isinstance(exc, (OSError, ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))
    return False


@dataclass
class Outcome:
    status: str  # processed | duplicate | ignored | dead-lettered
    error: str | None = None


class _CommitOnRevoke(ConsumerRebalanceListener):
    def __init__(self, owner: EventConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self.owner.commit_pending()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.owner._suspect()  # a rebalance: maybe the broker restarted and lost the group
        await self.owner.verify_positions(list(assigned), resume=True)


class EventConsumer:
    """Consumes as consumer group `name`, dispatching on the CloudEvents type.

    `routes` are typed `Route`s (services: the topics come from their contracts; an event of a
    type no route names is ignored); a `{topic: handler(session, event)}` mapping is the
    untyped form the tests of the bus use with their own test topics.
    """

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        sessionmaker: async_sessionmaker[AsyncSession],
        routes: Iterable[Route[Any]] | Mapping[str, Handler],
        *,
        topics: list[str] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.handlers: dict[str, Handler] = {}
        self.routes: dict[str, Route[Any]] = {}  # keyed by CloudEvents type
        if isinstance(routes, Mapping):
            self.handlers = dict(routes)
        else:
            for r in routes:
                self.routes[r.contract.event_type()] = r
        subscribed = set(self.handlers) | {r.contract.topic for r in self.routes.values()}
        self.topics = topics or sorted(subscribed)
        self.max_attempts = settings.consumer_max_attempts
        self.backoff = settings.consumer_retry_backoff_s
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._pending: dict[TopicPartition, int] = {}
        # Per partition: offset and value of the last record processed (verify_positions).
        self._last_seen: dict[TopicPartition, tuple[int, bytes | None]] = {}
        # Per partition: the highest end offset (high watermark) seen; an end below it means
        # the log went backwards (_record_lag).
        self._ends: dict[TopicPartition, int] = {}
        self._suspect_until = 0.0  # loop time until which batches are verified first
        # Partitions rewound and not read since: a (re)assignment starts them from the
        # beginning too, not at the group's committed offset (which may be a commit made
        # before the rewind, pointing into records this consumer never read).
        self._from_start: set[TopicPartition] = set()
        self._stop = asyncio.Event()

    async def handle(
        self, topic: str, key: bytes | None, value: bytes | None, headers: dict[str, str]
    ) -> Outcome:
        """Process one message with retries; returns what happened (never raises for data)."""
        try:
            event = CloudEvent.from_bytes(value)
        except Exception as exc:
            await self._dead_letter(topic, key, value, headers, f"unparseable event: {exc}", 0)
            return Outcome("dead-lettered", str(exc))
        try:
            handler = self._resolve(topic, event)
        except ContractViolation as exc:
            await self._dead_letter(topic, key, value, headers, str(exc)[:2000], 0)
            return Outcome("dead-lettered", str(exc))
        if handler is None:
            EVENTS_CONSUMED.labels(self.name, topic, "ignored").inc()
            return Outcome("ignored")
        error = ""
        attempt = outage = 0
        while attempt < self.max_attempts:
            try:
                # The handler runs in the event's trace (its own span when tracing is on).
                with span(
                    f"consume {topic}",
                    headers.get("traceparent"),
                    SpanKind.CONSUMER,
                    **{"messaging.destination.name": topic, "messaging.message.id": event.id},
                ):
                    return await self._apply(topic, event, handler)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if is_infrastructure_error(exc):
                    # Not the event's fault: wait for the database, do not spend attempts.
                    outage += 1
                    if self._stop.is_set():
                        raise InfrastructureDown(error) from exc
                    log.warning("consumer %s: infrastructure down (%s); retrying", self.name, error)
                    await asyncio.sleep(min(30.0, self.backoff * 2**outage))
                    continue
                attempt += 1
                log.warning(
                    "consumer %s: %s attempt %d/%d failed: %s",
                    self.name,
                    event.id,
                    attempt,
                    self.max_attempts,
                    error,
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        await self._dead_letter(topic, key, value, headers, error, self.max_attempts)
        return Outcome("dead-lettered", error)

    def _resolve(self, topic: str, event: CloudEvent) -> Handler | None:
        """The handler for this event with its data parsed, or None if no route wants it."""
        raw = self.handlers.get(topic)
        if raw is not None:
            return raw
        r = self.routes.get(event.type)
        if r is None or r.contract.topic != topic:
            return None
        try:
            data = r.contract.parse(event.data)
        except ValidationError as exc:
            raise ContractViolation(
                f"ValidationError: data does not satisfy {event.type}: "
                + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            ) from exc

        async def handle(session: AsyncSession, ev: CloudEvent) -> None:
            await r.handler(session, ev, data)

        return handle

    async def _apply(self, topic: str, event: CloudEvent, handler: Handler) -> Outcome:
        async with self.sessionmaker() as session, session.begin():
            inserted = await session.execute(
                upsert_insert(session, processed_events)
                .values(consumer=self.name, event_id=event.id, topic=topic, processed_at=utcnow())
                .on_conflict_do_nothing()  # a redelivery: nothing inserted, nothing returned
                .returning(processed_events.c.event_id)
            )
            if inserted.first() is None:
                EVENTS_CONSUMED.labels(self.name, topic, "duplicate").inc()
                return Outcome("duplicate")
            await handler(session, event)
        EVENTS_CONSUMED.labels(self.name, topic, "processed").inc()
        return Outcome("processed")

    async def _dead_letter(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        headers: dict[str, str],
        error: str,
        attempts: int,
    ) -> None:
        producer = await self._get_producer()
        dlq_headers = {k: v for k, v in headers.items() if k not in DLQ_HEADERS}
        dlq_headers.update(
            {
                H_ORIGINAL_TOPIC: topic,
                H_ERROR: error[:2000],
                H_ATTEMPTS: str(attempts),
                H_CONSUMER: self.name,
            }
        )
        await producer.send_and_wait(
            topic + DLQ_SUFFIX, key=key, value=value or b"", headers=encode_headers(dlq_headers)
        )
        EVENTS_CONSUMED.labels(self.name, topic, "dead-lettered").inc()
        log.error("consumer %s: event on %s dead-lettered: %s", self.name, topic, error)

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.settings)
            await producer.start()
            self._producer = producer
        return self._producer

    def _suspect(self) -> None:
        self._suspect_until = asyncio.get_running_loop().time() + SUSPECT_WINDOW_S

    async def verify_positions(
        self,
        assigned: list[TopicPartition],
        wait_s: float = 3.0,
        *,
        unanswered_is_lost: bool = True,
        resume: bool = False,
    ) -> set[TopicPartition]:
        """After a (re)assignment: is the last record this consumer processed on each partition
        still in the broker's log, at its offset? If not, the broker lost its log (a restarted
        memory-only broker, an unclean leader election, a recreated topic) and the offsets it
        hands back — or this consumer's own commit, replayed into the new log — point into
        records that are not the ones we read: the partition is read again from the beginning
        (the inbox skips what was processed). No answer within `wait_s` counts as lost unless
        `unanswered_is_lost` is False (the per-batch checks: a slow broker must not make a
        consumer rewind for ever). Returns the partitions rewound.

        `resume` (a (re)assignment): a partition whose last record is still in place resumes
        right after it — this consumer's own position, verified — whatever offset the group
        hands back (a commit from before a rewind, or none after a broker restart); one
        rewound and not read since starts from the beginning.
        """
        consumer = self._consumer
        if consumer is None:
            return set()
        if resume:
            for tp in assigned:
                if tp in self._from_start:
                    await consumer.seek_to_beginning(tp)
        checks = {tp: self._last_seen[tp] for tp in assigned if tp in self._last_seen}
        if not checks:
            return set()
        found: dict[TopicPartition, bool] = {}
        reader = AIOKafkaConsumer(
            **security_options(self.settings),
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            request_timeout_ms=self.settings.kafka_request_timeout_ms,
        )
        try:
            await reader.start()
            reader.assign(list(checks))
            for tp, (offset, _) in checks.items():
                reader.seek(tp, offset)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait_s
            while len(found) < len(checks) and loop.time() < deadline:
                batch = await reader.getmany(*[t for t in checks if t not in found], timeout_ms=300)
                for tp, (offset, value) in checks.items():
                    if tp in found:
                        continue
                    records = batch.get(tp) or []
                    if records:
                        found[tp] = records[0].offset == offset and records[0].value == value
                    else:
                        end = reader.highwater(tp)
                        if end is not None and end <= offset:
                            found[tp] = False
        except Exception as exc:
            log.warning("consumer %s: could not verify positions: %r", self.name, exc)
        finally:
            with contextlib.suppress(Exception):
                await reader.stop()
        rewound: set[TopicPartition] = set()
        for tp in checks:
            if found.get(tp, not unanswered_is_lost):
                if resume and found.get(tp):
                    consumer.seek(tp, checks[tp][0] + 1)
                continue
            log.warning(
                "consumer %s: %s[%d] no longer holds the record last read at offset %d — the "
                "broker lost records; reading the partition again from its beginning",
                self.name,
                tp.topic,
                tp.partition,
                checks[tp][0],
            )
            await self._rewind(consumer, tp)
            rewound.add(tp)
        return rewound

    async def _rewind(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        """Read partition `tp` again from its beginning (the inbox skips what was done)."""
        self._suspect()
        self._from_start.add(tp)
        CONSUMER_REWOUND.labels(self.name, tp.topic).inc()
        self._pending.pop(tp, None)
        self._last_seen.pop(tp, None)
        self._ends.pop(tp, None)
        await consumer.seek_to_beginning(tp)

    async def commit_pending(self) -> None:
        if self._consumer is not None and self._pending:
            pending, self._pending = self._pending, {}
            await self._consumer.commit(pending)

    async def _process_batch(
        self, batch: dict[TopicPartition, list[ConsumerRecord[Any, Any]]]
    ) -> None:
        if asyncio.get_running_loop().time() < self._suspect_until:
            # Shortly after a loss: the records fetched must follow the one processed last.
            rewound = await self.verify_positions(list(batch), unanswered_is_lost=False)
            batch = {tp: records for tp, records in batch.items() if tp not in rewound}
        for tp, records in batch.items():
            for record in records:
                await self.handle(
                    record.topic, record.key, record.value, decode_headers(record.headers)
                )
                self._pending[tp] = record.offset + 1
                self._last_seen[tp] = (record.offset, record.value)
                self._from_start.discard(tp)
        await self.commit_pending()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; reconnects after broker errors."""
        self._stop = stop
        failures = 0
        while not stop.is_set():
            consumer = make_consumer(self.settings, self.name)
            try:
                await consumer.start()
                self._consumer = consumer
                self._suspect()  # a new client: maybe after a broker restart
                consumer.subscribe(self.topics, listener=_CommitOnRevoke(self))
                failures = 0
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=500)
                    CONSUMER_LAST_POLL.labels(self.name).set_to_current_time()
                    if batch:
                        await self._process_batch(batch)
                    await self._record_lag(consumer)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.warning("consumer %s failed; reconnecting", self.name, exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), min(30.0, 0.5 * 2**failures))
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.commit_pending(), 30)
                self._consumer = None
                # A consumer that cannot even stop cleanly (broker gone, group lost) must not
                # end this loop: that would leave the service consuming nothing, for good.
                try:
                    await asyncio.wait_for(consumer.stop(), 30)
                except Exception:
                    log.warning("consumer %s: stop failed", self.name, exc_info=True)
        await self.close()

    async def _record_lag(self, consumer: Any) -> None:
        """Lag per assigned partition: the broker's end offset (the high watermark of the last
        fetch) minus our next offset.

        A position past the end means the broker lost records (a restarted memory-only
        broker, an unclean leader election, a recreated topic) while this consumer kept its
        place: the records that will fill that range are new ones — among them the outbox
        relays' re-publications — so the consumer reads the partition again from its
        beginning (the inbox skips what it already processed). Kafka answers such a fetch
        with OffsetOutOfRange (and aiokafka resets by `auto_offset_reset`); the bundled broker
        answers it with nothing, which only this check notices.

        An end below one seen before means the same (Kafka's high watermark never goes back
        on a log that kept its records), even when this consumer's position is not past it
        (the log was partly refilled): the offsets below now hold other records.
        """
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is None:
                continue
            position = await consumer.position(tp)
            before = self._ends.get(tp)
            if position > end or (before is not None and end < before):
                log.warning(
                    "consumer %s: %s[%d] position %d, end %d (end seen before: %s) — the "
                    "broker lost records; reading the partition again from its beginning",
                    self.name,
                    tp.topic,
                    tp.partition,
                    position,
                    end,
                    before,
                )
                await self._rewind(consumer, tp)
                position = 0
            self._ends[tp] = max(end, self._ends.get(tp, end))
            CONSUMER_LAG.labels(self.name, tp.topic, str(tp.partition)).set(max(0, end - position))

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
