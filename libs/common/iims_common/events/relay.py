"""Outbox relay: publishes committed outbox rows to Kafka, in order per key, with backoff.

Claiming (PostgreSQL): rows are locked `FOR UPDATE SKIP LOCKED`, so several relays share the
work. Per-key order across relays is kept by a transaction-scoped advisory lock per key plus a
head-of-line check: a relay only publishes a key's rows if no earlier row of that key is still
unpublished. A row in backoff blocks the later rows of its key (order over liveness). On SQLite
(single writer, `make run`) one relay runs and the locks are not needed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from typing import Any

import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge
from sqlalchemy import and_, bindparam, delete, exists, func, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from iims_common.db import read_session, utcnow
from iims_common.events.envelope import STRUCTURED_HEADERS
from iims_common.events.kafka import encode_headers, make_producer
from iims_common.events.outbox import OUTBOX_DIRTY
from iims_common.events.tables import outbox
from iims_common.settings import ServiceSettings

log = logging.getLogger("iims.outbox")

OUTBOX_PUBLISHED = Counter("iims_outbox_published_total", "Outbox events published", ["topic"])
OUTBOX_FAILED = Counter("iims_outbox_publish_failures_total", "Outbox publish failures")
OUTBOX_BACKLOG = Gauge("iims_outbox_backlog", "Unpublished outbox rows")
OUTBOX_OLDEST_AGE = Gauge("iims_outbox_oldest_age_seconds", "Age of the oldest unpublished row")

_relays: weakref.WeakSet[OutboxRelay] = weakref.WeakSet()


@sa_event.listens_for(Session, "after_commit")
def _wake_relays_after_commit(session: Session) -> None:
    if session.info.pop(OUTBOX_DIRTY, False):
        for relay in list(_relays):
            relay.wake()


def row_backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60.0, 0.5 * 2 ** max(attempts - 1, 0)))


class OutboxRelay:
    def __init__(
        self,
        settings: ServiceSettings,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        retention: dt.timedelta = dt.timedelta(hours=24),
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.retention = retention
        self._wakeup = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._postgres = engine.dialect.name == "postgresql"
        _relays.add(self)

    def wake(self) -> None:
        self._wakeup.set()

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.settings)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except Exception:
                log.warning("producer close failed", exc_info=True)

    async def close(self) -> None:
        await self._drop_producer()

    async def _claim(self, session: AsyncSession, now: dt.datetime) -> list[Any]:
        earlier = aliased(outbox)
        stmt = (
            select(
                outbox.c.seq,
                outbox.c.event_id,
                outbox.c.topic,
                outbox.c.key,
                # As stored text: no JSON decode + re-encode per event on the hot path.
                sa.cast(outbox.c.payload, sa.Text).label("payload"),
                outbox.c.headers,
                outbox.c.attempts,
            )
            .where(outbox.c.published_at.is_(None), outbox.c.available_at <= now)
            .where(
                ~exists().where(
                    and_(
                        earlier.c.published_at.is_(None),
                        earlier.c.key == outbox.c.key,
                        earlier.c.seq < outbox.c.seq,
                        earlier.c.available_at > now,
                    )
                )
            )
            .order_by(outbox.c.seq)
            .limit(self.settings.relay_batch_size)
            .with_for_update(skip_locked=True)
        )
        rows = list((await session.execute(stmt)).all())
        if not rows or not self._postgres:
            return rows
        first_seq: dict[str, int] = {}
        for r in rows:
            first_seq.setdefault(r.key, r.seq)
        keys = list(first_seq)
        locked = set(
            (
                await session.execute(
                    text(
                        "SELECT k FROM unnest(CAST(:keys AS text[])) AS k "
                        "WHERE pg_try_advisory_xact_lock(hashtextextended(k, 7919))"
                    ),
                    {"keys": keys},
                )
            ).scalars()
        )
        blocked = set(
            (
                await session.execute(
                    text(
                        "SELECT DISTINCT e.key FROM outbox e JOIN unnest("
                        "CAST(:keys AS text[]), CAST(:seqs AS bigint[])) AS m(key, seq) "
                        "ON e.key = m.key WHERE e.published_at IS NULL AND e.seq < m.seq"
                    ),
                    {"keys": keys, "seqs": [first_seq[k] for k in keys]},
                )
            ).scalars()
        )
        return [r for r in rows if r.key in locked and r.key not in blocked]

    async def publish_once(self) -> int:
        """Claim one batch, publish it, mark it. Returns the number of events published.

        PostgreSQL: claim, publish and mark in one transaction (the claimed rows stay locked,
        other relays skip them). SQLite: one relay per database, and a transaction there holds
        the whole database's write lock — so the batch is read in a deferred (lock-free)
        transaction, published with no transaction open, and marked in a short write
        transaction; a slow or absent broker never blocks the service's writers.
        """
        now = utcnow()
        if self._postgres:
            async with self.sessionmaker() as session, session.begin():
                rows = await self._claim(session, now)
                if not rows:
                    return 0
                sent, failed, errors = await self._send(rows)
                await self._mark(session, sent, failed, errors, now)
        else:
            async with read_session(self.sessionmaker) as session:
                rows = await self._claim(session, now)
            if not rows:
                return 0
            sent, failed, errors = await self._send(rows)
            async with self.sessionmaker() as session, session.begin():
                await self._mark(session, sent, failed, errors, now)
        # Raised after the commit, so the failure marks (attempts, backoff) are kept.
        if errors:
            OUTBOX_FAILED.inc(len(failed))
            raise RelayError(f"{len(failed)} events failed to publish: {errors[0]!r}")
        return len(sent)

    async def _send(self, rows: list[Any]) -> tuple[list[Any], list[Any], list[BaseException]]:
        """Send a claimed batch and await every future: (sent, failed, errors)."""
        # A broker that cannot be reached at all raises here: nothing is marked, the relay
        # loop backs off as a whole (rows keep no per-row backoff for an outage).
        producer = await self._get_producer()
        futures: list[asyncio.Future[Any]] = []
        send_error: BaseException | None = None
        for r in rows:
            try:
                fut = await producer.send(
                    r.topic,
                    value=r.payload.encode(),
                    key=r.key.encode(),
                    headers=encode_headers({**(r.headers or {}), **STRUCTURED_HEADERS}),
                )
            except Exception as exc:
                send_error = exc
                break
            futures.append(fut)
        results = await asyncio.gather(*futures, return_exceptions=True)
        sent = [
            r for r, res in zip(rows, results, strict=False) if not isinstance(res, BaseException)
        ]
        failed = [
            r for r, res in zip(rows, results, strict=False) if isinstance(res, BaseException)
        ]
        if send_error is not None and len(futures) < len(rows):
            failed.extend(rows[len(futures) :])
        errors = [res for res in results if isinstance(res, BaseException)]
        if send_error is not None:
            errors.append(send_error)
        return sent, failed, errors

    async def _mark(
        self,
        session: AsyncSession,
        sent: list[Any],
        failed: list[Any],
        errors: list[BaseException],
        now: dt.datetime,
    ) -> None:
        if sent:
            await session.execute(
                update(outbox)
                .where(outbox.c.seq.in_([r.seq for r in sent]))
                .values(published_at=utcnow())
            )
            for r in sent:
                OUTBOX_PUBLISHED.labels(r.topic).inc()
        for r in failed:
            await session.execute(
                update(outbox)
                .where(outbox.c.seq == r.seq)
                .values(
                    attempts=r.attempts + 1,
                    available_at=now + row_backoff(r.attempts + 1),
                    last_error=repr(errors[0])[:2000] if errors else "unknown",
                )
            )

    async def refresh_metrics(self) -> tuple[int, float]:
        async with read_session(self.sessionmaker) as session:
            row = (
                await session.execute(
                    select(func.count(), func.min(outbox.c.created_at)).where(
                        outbox.c.published_at.is_(None)
                    )
                )
            ).one()
        backlog, oldest = int(row[0]), row[1]
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        OUTBOX_BACKLOG.set(backlog)
        OUTBOX_OLDEST_AGE.set(age)
        return backlog, age

    async def purge_published(self) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                delete(outbox).where(
                    outbox.c.published_at.is_not(None),
                    outbox.c.published_at < bindparam("cutoff"),
                ),
                {"cutoff": utcnow() - self.retention},
            )

    async def _listen(self) -> Any:
        """LISTEN iims_outbox on PostgreSQL so writers in other processes wake us."""
        if not self._postgres:
            return None
        try:
            conn = await self.engine.connect()
            raw = await conn.get_raw_connection()
            await raw.driver_connection.add_listener(  # type: ignore[union-attr]
                "iims_outbox", lambda *_: self.wake()
            )
            return conn
        except Exception:
            log.warning("LISTEN iims_outbox failed; polling only", exc_info=True)
            return None

    async def run(self, stop: asyncio.Event) -> None:
        listener = await self._listen()
        failures = 0
        last_housekeeping = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                self._wakeup.clear()
                try:
                    published = await self.publish_once()
                    failures = 0
                except Exception as exc:
                    failures += 1
                    published = 0
                    log.warning("outbox relay: %s", exc)
                    await self._drop_producer()
                if loop.time() - last_housekeeping > 5:
                    last_housekeeping = loop.time()
                    try:
                        await self.refresh_metrics()
                        await self.purge_published()
                    except Exception:
                        log.warning("outbox housekeeping failed", exc_info=True)
                if published:
                    continue  # more may be waiting
                delay = (
                    min(30.0, 0.5 * 2 ** (failures - 1))
                    if failures
                    else self.settings.relay_poll_interval_s
                )
                waiters = [asyncio.ensure_future(stop.wait())]
                if not failures:
                    waiters.append(asyncio.ensure_future(self._wakeup.wait()))
                _, pending = await asyncio.wait(
                    waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED
                )
                for w in pending:
                    w.cancel()
        finally:
            if listener is not None:
                await listener.close()
            await self._drop_producer()


class RelayError(RuntimeError):
    pass
