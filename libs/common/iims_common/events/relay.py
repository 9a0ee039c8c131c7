"""Outbox relay: publishes committed outbox rows to Kafka, in order per key, with backoff.

Claiming (PostgreSQL): queued rows are locked `FOR UPDATE SKIP LOCKED`, so several relays share
the work. Per-key order across relays is kept by a head-of-line check (ENGINEERING.md: "skip
keys that have an earlier unpublished row"): a relay only publishes a key's rows if no earlier
row of that key is still queued — including rows another relay has locked and not yet marked.
A row in backoff blocks the later rows of its key (order over liveness). On SQLite (single
writer, `make run`) one relay runs and the locks are not needed.

The queue is `outbox_pending` (a row per unpublished event, enqueued by a trigger on insert);
publishing a batch deletes its queue rows and records, per partition, the offsets the broker
acknowledged and the rows' seqs in `outbox_acks` (iims_common.events.tables).

A broker that loses records it acknowledged (the memory-only local broker restarting; Kafka
after an unclean leader election or with acks=1; a deleted and recreated topic) is noticed and
repaired here. Each published batch keeps, per partition, the offsets the broker acknowledged
(`outbox_acks`); rows stay `outbox_retention_hours` after publishing.
Kafka offsets only grow, so the log lost records when
  - an acknowledgement comes back at an offset at or below one acknowledged to the same relay
    earlier on that partition (the log went backwards: truncated, or the topic was recreated),
    or
  - the record at the highest acknowledged offset of the outbox's rows (read back on start,
    on every reconnect and every `relay_offset_check_interval_s`) is missing — the
    partition's end is at or below it — or is another record, or the topic or partition is
    gone.
Then every retained row of that partition acknowledged before the loss was noticed is queued
again (a WARN log, `iims_outbox_republished_total{topic}`) and goes out in `seq`
order; the consumers' inboxes make the second delivery harmless. All of them, not only those at
or after the end: after a restart (or an unclean election) the offsets below the end can hold
*other* records than the ones acknowledged to us there, and nothing cheap tells which. A check
that gets no answer for a partition is not a pass: the relay keeps holding new events back and
asks again, and a partition the topic no longer has counts as lost. Known limit: events
published to that partition after the loss and before it was noticed are ahead of the
re-published ones, so for those keys order is by `seq` only among the re-published rows.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import functools
import json
import logging
import struct
import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from prometheus_client import Counter, Gauge
from sqlalchemy import and_, bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from iims_common.db import read_session, utcnow
from iims_common.events.envelope import STRUCTURED_HEADERS
from iims_common.events.kafka import encode_headers, make_producer, security_options
from iims_common.events.outbox import OUTBOX_DIRTY
from iims_common.events.tables import outbox, outbox_acks, outbox_pending
from iims_common.settings import ServiceSettings

log = logging.getLogger("iims.outbox")

OUTBOX_PUBLISHED = Counter("iims_outbox_published_total", "Outbox events published", ["topic"])
OUTBOX_FAILED = Counter("iims_outbox_publish_failures_total", "Outbox publish failures")
OUTBOX_BACKLOG = Gauge("iims_outbox_backlog", "Unpublished outbox rows")
OUTBOX_OLDEST_AGE = Gauge("iims_outbox_oldest_age_seconds", "Age of the oldest unpublished row")
OUTBOX_REPUBLISHED = Counter(
    "iims_outbox_republished_total",
    "Published outbox rows queued again because the broker lost them",
    ["topic"],
)

_relays: weakref.WeakSet[OutboxRelay] = weakref.WeakSet()


@sa_event.listens_for(Session, "after_commit")
def _wake_relays_after_commit(session: Session) -> None:
    if session.info.pop(OUTBOX_DIRTY, False):
        for relay in list(_relays):
            relay.wake()


# How long after its acknowledgement a row counts for the end-offset comparison.
SETTLE = dt.timedelta(seconds=1)


def row_backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60.0, 0.5 * 2 ** max(attempts - 1, 0)))


# PostgreSQL's claim, one statement (it was three round trips: bench/README.md, third round).
# `candidates`: the first queued, available rows in `seq` order whose key has no earlier row in
# backoff, locked, skipping rows another relay holds. Of those, a key is taken only if every
# queued row of it up to the last one claimed is claimed here — none earlier and none in
# between is queued elsewhere (another relay's locked batch, a row just re-queued): the
# head-of-line check of the module docstring, read in the statement's snapshot — which can only
# see more rows queued than there are, so it can only hold more keys back. "In between"
# matters: two relays scanning at once take alternate rows (each skips what the other just
# locked), so a batch can hold a key's rows 1 and 3 while the other holds 2; checking only
# before row 1 (as until the fifth round) let 3 go out before 2 (test_two_relays_keep_per_key_
# order caught it). The advisory lock per key taken here until then did not close that gap and
# is gone (~1/6 of the claim). Payload and headers as stored text: no JSON decode + re-encode
# per event.
_CLAIM = text(
    """
    WITH candidates AS MATERIALIZED (
        SELECT p.seq, p.key, p.attempts
        FROM outbox_pending p
        WHERE p.available_at <= :now
          AND NOT EXISTS (
              SELECT 1 FROM outbox_pending e
              WHERE e.attempts > 0 AND e.key = p.key AND e.seq < p.seq
                AND e.available_at > :now)
        ORDER BY p.seq
        LIMIT :limit
        FOR UPDATE OF p SKIP LOCKED
    ), per_key AS MATERIALIZED (
        SELECT key, max(seq) AS last, count(*) AS claimed FROM candidates GROUP BY key
    ), taken AS MATERIALIZED (
        SELECT k.key FROM per_key k
        WHERE (SELECT count(*) FROM outbox_pending e WHERE e.key = k.key AND e.seq <= k.last)
              = k.claimed
    )
    SELECT c.seq, o.event_id, o.topic, o.key, CAST(o.payload AS text) AS payload,
           CAST(o.headers AS text) AS headers, c.attempts
    FROM candidates c JOIN taken t ON t.key = c.key JOIN outbox o ON o.seq = c.seq
    ORDER BY c.seq
    """
).bindparams(bindparam("now", type_=outbox_pending.c.available_at.type))

# Statements with many seqs bound are sent in parts (SQLite binds at most 32,766 values).
_IN_PART = 5000


def _warn_lost(partitions: list[tuple[str, int]], rows: int, how: str) -> None:
    """One WARNING for one check that found lost records: how many partitions (the first few
    named) and how many retained rows go out again. Per-partition detail is logged at DEBUG."""
    if not partitions:
        return
    named = ", ".join(f"{topic}[{partition}]" for topic, partition in partitions[:3])
    more = f" and {len(partitions) - 3} more" if len(partitions) > 3 else ""
    log.warning(
        "broker lost records (%s) of %d partitions (%s%s): re-publishing %d retained outbox rows",
        how,
        len(partitions),
        named,
        more,
        rows,
    )


class OutboxRelay:
    def __init__(
        self,
        settings: ServiceSettings,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        retention: dt.timedelta | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.retention = (
            retention
            if retention is not None
            else dt.timedelta(hours=settings.outbox_retention_hours)
        )
        # Highest offset acknowledged *to this relay* per (topic, partition). Only its own: a
        # relay's batches go out one after another, so its acknowledgements on a partition only
        # grow while the log keeps them — while another relay's batch sent earlier may be
        # marked later, which would look like a loss (and re-publish the partition's whole
        # retention). Rows other relays published are covered by `check_offsets`, which also
        # runs when this relay starts.
        self._high: dict[tuple[str, int], int] = {}
        self._check_due = True
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
        self._check_due = True  # a reconnect: compare offsets before trusting the broker
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except Exception:
                log.warning("producer close failed", exc_info=True)

    async def close(self) -> None:
        await self._drop_producer()

    def _step_timeout(self) -> float:
        """Seconds one check or one batch may take before it counts as failed (then the
        producer is dropped, and the next step starts with an offset check): several request
        timeouts, so a slow broker is not mistaken for a dead one."""
        return max(60.0, 4 * self.settings.kafka_request_timeout_ms / 1000)

    async def _claim(self, session: AsyncSession, now: dt.datetime) -> list[Any]:
        if self._postgres:
            return list(
                (
                    await session.execute(
                        _CLAIM, {"now": now, "limit": self.settings.relay_batch_size}
                    )
                ).all()
            )
        earlier = aliased(outbox_pending)
        p = outbox_pending
        stmt = (
            select(
                p.c.seq,
                outbox.c.event_id,
                outbox.c.topic,
                outbox.c.key,
                # As stored text: no JSON decode + re-encode per event on the hot path.
                sa.cast(outbox.c.payload, sa.Text).label("payload"),
                sa.cast(outbox.c.headers, sa.Text).label("headers"),
                p.c.attempts,
            )
            .join(outbox, outbox.c.seq == p.c.seq)
            .where(p.c.available_at <= now)
            .where(
                ~exists().where(
                    and_(
                        earlier.c.attempts > 0,
                        earlier.c.key == p.c.key,
                        earlier.c.seq < p.c.seq,
                        earlier.c.available_at > now,
                    )
                )
            )
            .order_by(p.c.seq)
            .limit(self.settings.relay_batch_size)
        )
        return list((await session.execute(stmt)).all())

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
                await self._check_acks(session, sent)
                await self._mark(session, sent, failed, errors, now)
        else:
            async with read_session(self.sessionmaker) as session:
                rows = await self._claim(session, now)
            if not rows:
                return 0
            sent, failed, errors = await self._send(rows)
            async with self.sessionmaker() as session, session.begin():
                await self._check_acks(session, sent)
                await self._mark(session, sent, failed, errors, now)
        # Raised after the commit, so the failure marks (attempts, backoff) are kept.
        if errors:
            OUTBOX_FAILED.inc(len(failed))
            raise RelayError(f"{len(failed)} events failed to publish: {errors[0]!r}")
        return len(sent)

    async def publish_available(self, max_batches: int = 20) -> int:
        """Publish up to `max_batches` batches in a row, each claimed, sent and marked in
        turn (`publish_once`, each bounded by the step timeout); returns the number of events
        published.

        Not pipelined: claiming batch n+1 while batch n was sent and marked (second round)
        was slower on a quiet machine (11,665 vs 14,377 events/s in one `make bench`) and
        again at load ~13 (5,804 vs 8,418): the claim ahead competes with the mark for
        PostgreSQL and with the send for this process's CPU (bench/README.md, third round).
        """
        total = 0
        for _ in range(max_batches):
            async with asyncio.timeout(self._step_timeout()):
                published = await self.publish_once()
            total += published
            if not published or self._check_due:
                break
        return total

    async def _send(
        self, rows: list[Any]
    ) -> tuple[list[tuple[Any, Any]], list[Any], list[BaseException]]:
        """Send a claimed batch and await it: ([(row, metadata)], failed, errors).

        One record batch per partition (`create_batch`/`send_batch`), not one `send` and one
        future per event: per-event futures and their `gather` were ~23 % of the relay's CPU
        and aiokafka's pure-Python murmur2 ~21 % (bench/README.md). The partition is the one
        aiokafka's default partitioner picks (`partitions_for`: the same murmur2), so a key's
        events land where they always did, in `seq` order. A row that cannot be sent (too
        large), and every row after it, fail as with one `send` per row: nothing after a
        failed row goes out in this batch."""
        # A broker that cannot be reached at all raises here: nothing is marked, the relay
        # loop backs off as a whole (rows keep no per-row backoff for an outage).
        producer = await self._get_producer()
        partitions: dict[str, list[int]] = {}
        open_batches: dict[tuple[str, int], tuple[Any, list[Any]]] = {}
        submitted: list[tuple[asyncio.Future[Any], list[Any]]] = []
        failed: list[Any] = []
        errors: list[BaseException] = []
        limit = getattr(producer, "_max_request_size", 1048576)

        async def submit(tp: tuple[str, int]) -> None:
            batch, members = open_batches.pop(tp)
            fut = await producer.send_batch(batch, tp[0], partition=tp[1])
            submitted.append((fut, members))

        try:
            keys = [r.key.encode() for r in rows]
            by_topic: dict[str, list[int]] = {}
            for i, r in enumerate(rows):
                by_topic.setdefault(r.topic, []).append(i)
            chosen = [0] * len(rows)
            for topic, places in by_topic.items():
                partitions[topic] = sorted(await producer.partitions_for(topic))
                for i, p in zip(
                    places,
                    partitions_for([keys[i] for i in places], partitions[topic]),
                    strict=True,
                ):
                    chosen[i] = p
            for i, r in enumerate(rows):
                key = keys[i]
                value = r.payload.encode()
                headers = _headers(r.headers)
                # The exact size only when it could matter: a record's framing (lengths,
                # varints, attributes) is far below 64 KB, so a smaller sum cannot exceed it.
                if (
                    len(value) + len(key) + _headers_bytes(r.headers) + 65536 > limit
                    and _record_size(key, value, headers) > limit
                ):
                    failed.extend(rows[i:])
                    errors.append(
                        MessageSizeTooLargeError(f"event {r.event_id} is larger than {limit}")
                    )
                    break
                tp = (r.topic, chosen[i])
                while True:
                    if tp not in open_batches:
                        open_batches[tp] = (producer.create_batch(), [])
                    batch, members = open_batches[tp]
                    appended = batch.append(key=key, value=value, timestamp=None, headers=headers)
                    if appended is not None:
                        members.append(r)
                        break
                    await submit(tp)  # full: goes out, the row starts the next batch
            for tp in list(open_batches):
                await submit(tp)
        except Exception as exc:
            errors.append(exc)
            out = {id(m) for _, members in submitted for m in members} | {id(r) for r in failed}
            failed.extend(r for r in rows if id(r) not in out)
        sent: list[tuple[Any, Any]] = []
        for fut, members in submitted:
            try:
                md = await fut
            except Exception as exc:
                errors.append(exc)
                failed.extend(members)
                continue
            sent.extend((r, _Acked(md.partition, md.offset + n)) for n, r in enumerate(members))
        if errors and failed:
            order = {id(r): n for n, r in enumerate(rows)}
            failed.sort(key=lambda r: order[id(r)])
        return sent, failed, errors

    async def _mark(
        self,
        session: AsyncSession,
        sent: list[tuple[Any, Any]],
        failed: list[Any],
        errors: list[BaseException],
        now: dt.datetime,
    ) -> None:
        """Sent rows leave the queue and their acknowledgements are recorded, one
        `outbox_acks` row per run of consecutive offsets of a partition (a few per batch);
        failed rows stay queued with one more attempt and a backoff."""
        if sent:
            seqs = [r.seq for r, _ in sent]
            if self._postgres:
                await session.execute(
                    text("DELETE FROM outbox_pending WHERE seq = ANY(CAST(:seqs AS bigint[]))"),
                    {"seqs": seqs},
                )
            else:
                for part in _parts(seqs):
                    await session.execute(
                        delete(outbox_pending).where(outbox_pending.c.seq.in_(part))
                    )
            await session.execute(insert(outbox_acks), _ack_rows(sent, utcnow()))
            _count_published(sent)
        if failed:
            error = repr(errors[0])[:2000] if errors else "unknown"
            await session.execute(
                update(outbox_pending)
                .where(outbox_pending.c.seq == bindparam("b_seq"))
                .values(attempts=bindparam("b_attempts"), available_at=bindparam("b_available"))
                .execution_options(synchronize_session=False),
                [
                    {
                        "b_seq": r.seq,
                        "b_attempts": r.attempts + 1,
                        "b_available": now + row_backoff(r.attempts + 1),
                    }
                    for r in failed
                ],
            )
            for part in _parts([r.seq for r in failed]):
                await session.execute(
                    update(outbox).where(outbox.c.seq.in_(part)).values(last_error=error)
                )

    async def _check_acks(self, session: AsyncSession, sent: list[tuple[Any, Any]]) -> int:
        """After a batch was sent, before its acknowledgements are recorded: an
        acknowledgement at or below one this relay had before means the partition's log went
        backwards — re-queue the retained rows it lost. Returns rows re-queued."""
        if not sent:
            return 0
        lowest: dict[tuple[str, int], int] = {}
        highest: dict[tuple[str, int], int] = {}
        for r, md in sent:
            tp = (r.topic, md.partition)
            lowest[tp] = min(lowest.get(tp, md.offset), md.offset)
            highest[tp] = max(highest.get(tp, md.offset), md.offset)
        requeued = 0
        lost: list[tuple[str, int]] = []
        for tp, low in lowest.items():
            known = self._high.get(tp)
            if known is not None and low <= known:
                # Everything acknowledged before this batch: the old offsets below `low` may
                # now hold other producers' records (or our own from an earlier restart).
                requeued += await self._requeue(
                    session,
                    tp,
                    f"acknowledged at offset {low}, at or below the {known} acknowledged before",
                )
                self._high[tp] = highest[tp]  # the log restarted: this batch is its top
                lost.append(tp)
            else:
                self._high[tp] = max(highest[tp], known if known is not None else -1)
        if requeued:
            _warn_lost(lost, requeued, "an acknowledgement went backwards")
            self.wake()
        return requeued

    async def _requeue(self, session: AsyncSession, tp: tuple[str, int], why: str) -> int:
        """Queue again every retained row acknowledged on partition `tp` (its ack rows go);
        each keeps the reason in `last_error`. Returns the number of rows queued."""
        topic, partition = tp
        seqs = await _take_acks(
            session, outbox_acks.c.topic == topic, outbox_acks.c.partition == partition
        )
        if not seqs:
            return 0
        now = utcnow()
        reason = f"re-published: the broker lost it ({why})"[:2000]
        count = 0
        for part in _parts(seqs):
            queued = (
                await session.execute(
                    insert(outbox_pending).from_select(
                        ["seq", "key", "available_at", "attempts"],
                        select(
                            outbox.c.seq,
                            outbox.c.key,
                            sa.literal(now, outbox_pending.c.available_at.type),
                            sa.literal(0),
                        ).where(
                            outbox.c.seq.in_(part),
                            ~exists().where(outbox_pending.c.seq == outbox.c.seq),
                        ),
                    )
                )
            ).rowcount  # type: ignore[attr-defined]
            count += int(queued or 0)
            await session.execute(
                update(outbox).where(outbox.c.seq.in_(part)).values(last_error=reason)
            )
        if count:
            OUTBOX_REPUBLISHED.labels(topic).inc(count)
            # One WARNING per check names every partition (`_warn_lost`); the detail is DEBUG,
            # so a restart of the memory-only broker is one line, not one per partition.
            log.debug(
                "broker lost records of %s[%d] (%s): re-publishing %d retained outbox rows",
                topic,
                partition,
                why,
                count,
            )
        return count

    async def _load_marks(
        self, session: AsyncSession, before: dt.datetime
    ) -> dict[tuple[str, int], tuple[int, str]]:
        """Per (topic, partition): the highest acknowledged offset among batches published
        before `before`, and the event id of the row acknowledged there."""
        a = outbox_acks
        top = (
            select(a.c.topic, a.c.partition, func.max(a.c.last_offset).label("high"))
            .where(a.c.published_at < before, a.c.partition >= 0)
            .group_by(a.c.topic, a.c.partition)
            .subquery()
        )
        rows = await session.execute(
            select(a.c.topic, a.c.partition, a.c.last_offset, a.c.last_event_id).join(
                top,
                and_(
                    a.c.topic == top.c.topic,
                    a.c.partition == top.c.partition,
                    a.c.last_offset == top.c.high,
                ),
            )
        )
        return {(t, int(p)): (int(o), str(e)) for t, p, o, e in rows.all()}

    def _reader(self) -> AIOKafkaConsumer:
        """A fresh group-less reader per check: its high watermarks are this check's own."""
        return AIOKafkaConsumer(
            **security_options(self.settings),
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            request_timeout_ms=self.settings.kafka_request_timeout_ms,
        )

    async def check_offsets(self, wait_s: float = 5.0) -> int:
        """Read back, per partition we published to, the record at the highest offset the
        broker acknowledged to us. Missing (the partition's end — the fetch high watermark —
        is at or below it), another record there (its CloudEvents id is not ours), the
        partition or the topic gone: the broker lost records, and every retained row of that
        partition is re-queued. Returns rows re-queued. Raises `OffsetCheckIncomplete` if some
        partition gave no answer within `wait_s` (the broker is still starting, a leader is
        being elected), and on a broker that cannot be asked: the caller asks again later and
        publishes nothing new meanwhile.

        Why a read and not ListOffsets: the bundled broker answers ListOffsets(latest) with a
        value behind its real end (the last batch's start), which would look like a loss; the
        fetch high watermark and the records themselves are right on every broker. A topic the
        broker no longer lists lost everything (it is not probed: a probe would auto-create
        it on the bundled broker, racing the producers' own creation).
        """
        # Only rows acknowledged a little while ago, so a batch being marked is not probed.
        async with read_session(self.sessionmaker) as session:
            marks = await self._load_marks(session, before=utcnow() - SETTLE)
        if not marks:
            return 0
        reader = self._reader()
        lost: dict[tuple[str, int], str] = {}
        unanswered: list[TopicPartition] = []
        try:
            await reader.start()
            existing = await reader.topics()
            probe: list[TopicPartition] = []
            for (topic, partition), (offset, _) in marks.items():
                if topic not in existing:
                    lost[(topic, partition)] = f"topic gone; offset {offset} was acknowledged"
                elif partition not in (reader.partitions_for_topic(topic) or set()):
                    lost[(topic, partition)] = (
                        f"partition gone (the topic was recreated); offset {offset} was "
                        "acknowledged"
                    )
                else:
                    probe.append(TopicPartition(topic, partition))
            if probe:
                reader.assign(probe)
                for tp in probe:
                    reader.seek(tp, marks[(tp.topic, tp.partition)][0])
                pending = set(probe)
                loop = asyncio.get_running_loop()
                deadline = loop.time() + wait_s
                while pending and loop.time() < deadline:
                    batch = await reader.getmany(*pending, timeout_ms=300)
                    for tp in list(pending):
                        offset, event_id = marks[(tp.topic, tp.partition)]
                        records = batch.get(tp) or []
                        if records:
                            pending.discard(tp)
                            first = records[0]
                            if first.offset != offset or _event_id(first.value) != event_id:
                                lost[(tp.topic, tp.partition)] = (
                                    f"another record at offset {first.offset} "
                                    f"(id {_event_id(first.value)}); ours was {event_id} at "
                                    f"{offset}"
                                )
                            continue
                        end = reader.highwater(tp)
                        if end is not None and end <= offset:
                            pending.discard(tp)
                            lost[(tp.topic, tp.partition)] = (
                                f"end offset {end}, yet offset {offset} was acknowledged"
                            )
                unanswered = sorted(pending)
        finally:
            await reader.stop()
        requeued = 0
        if lost:
            async with self.sessionmaker() as session, session.begin():
                for tp, why in lost.items():
                    requeued += await self._requeue(session, tp, why)
            for tp in lost:  # the log restarted: what this relay saw acknowledged is gone
                self._high.pop(tp, None)
            _warn_lost(sorted(lost), requeued, "offset check")
            self.wake()
        if unanswered:
            raise OffsetCheckIncomplete(
                "no answer for "
                + ", ".join(f"{tp.topic}[{tp.partition}]" for tp in unanswered[:5])
                + (f" and {len(unanswered) - 5} more" if len(unanswered) > 5 else "")
            )
        return requeued

    async def refresh_metrics(self) -> tuple[int, float]:
        """`iims_outbox_backlog` (queued rows) and `iims_outbox_oldest_age_seconds` (the age of
        the first queued row by `seq`); returns both."""
        async with read_session(self.sessionmaker) as session:
            first = select(func.min(outbox_pending.c.seq)).scalar_subquery()
            row = (
                await session.execute(
                    select(
                        select(func.count()).select_from(outbox_pending).scalar_subquery(),
                        select(outbox.c.created_at).where(outbox.c.seq == first).scalar_subquery(),
                    )
                )
            ).one()
        backlog, oldest = int(row[0]), row[1]
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        OUTBOX_BACKLOG.set(backlog)
        OUTBOX_OLDEST_AGE.set(age)
        return backlog, age

    async def purge_published(self) -> None:
        """Delete rows published longer than the retention ago, with their ack rows (they can
        no longer be re-published if a broker loses them). A row queued again meanwhile stays."""
        async with self.sessionmaker() as session, session.begin():
            cutoff = utcnow() - self.retention
            seqs = await _take_acks(session, outbox_acks.c.published_at < cutoff)
            for part in _parts(seqs):
                await session.execute(
                    delete(outbox).where(
                        outbox.c.seq.in_(part),
                        ~exists().where(outbox_pending.c.seq == outbox.c.seq),
                    )
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
        last_check = 0.0
        try:
            while not stop.is_set():
                self._wakeup.clear()
                interval = self.settings.relay_offset_check_interval_s
                if self._check_due or loop.time() - last_check > interval:
                    last_check = loop.time()
                    try:
                        # Bounded: a broker that accepts connections and never answers is
                        # an outage like any other, not a reason to stop for good.
                        await asyncio.wait_for(self.check_offsets(), self._step_timeout())
                        self._check_due = False
                    except Exception as exc:
                        log.warning("outbox relay: offset check failed: %r", exc)
                        await self._drop_producer()
                if self._check_due:
                    # Reconnected but not yet compared: publishing now would put new events in
                    # front of the ones the broker lost, and a consumer resuming at its old
                    # position would skip those. Wait until the broker answers the check.
                    failures += 1
                    published = 0
                else:
                    try:
                        published = await self.publish_available()  # bounded per batch
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


def _event_id(value: bytes | None) -> str | None:
    """The CloudEvents `id` of a structured-mode record (None if unreadable)."""
    try:
        event = json.loads(value or b"")
    except ValueError:
        return None
    return str(event.get("id")) if isinstance(event, dict) else None


async def acknowledged(session: AsyncSession) -> dict[int, tuple[int, int]]:
    """Where the broker acknowledged each retained published outbox row: `seq` →
    (partition, offset), from `outbox_acks` (a row's offset is its ack row's `first_offset`
    plus its place). For tests and operators; the relay itself never expands them."""
    found: dict[int, tuple[int, int]] = {}
    for partition, first, seqs in await session.execute(
        select(outbox_acks.c.partition, outbox_acks.c.first_offset, outbox_acks.c.seqs)
    ):
        for n, seq in enumerate(seqs):
            found[int(seq)] = (int(partition), int(first) + n)
    return found


async def _take_acks(session: AsyncSession, *where: Any) -> list[int]:
    """Delete the `outbox_acks` rows matching `where` (the re-queue of a lost partition, the
    retention purge) and return the outbox seqs they acknowledged, sorted, without repeats."""
    rows = (await session.execute(select(outbox_acks.c.id, outbox_acks.c.seqs).where(*where))).all()
    for part in _parts([ack_id for ack_id, _ in rows]):
        await session.execute(delete(outbox_acks).where(outbox_acks.c.id.in_(part)))
    return sorted({int(seq) for _, ack_seqs in rows for seq in ack_seqs})


def _parts(values: list[int]) -> list[list[int]]:
    """`values` in parts of at most `_IN_PART` (bound parameters per statement)."""
    return [values[i : i + _IN_PART] for i in range(0, len(values), _IN_PART)]


def _ack_rows(sent: list[tuple[Any, Any]], published: dt.datetime) -> list[dict[str, Any]]:
    """The `outbox_acks` rows of a sent batch: one per run of consecutive offsets of a
    partition (one per record batch the broker acknowledged, or fewer), in offset order."""
    ordered = sorted(sent, key=lambda s: (s[0].topic, s[1].partition, s[1].offset))
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for r, md in ordered:
        if (
            current is None
            or current["topic"] != r.topic
            or current["partition"] != md.partition
            or current["last_offset"] + 1 != md.offset
        ):
            current = {
                "topic": r.topic,
                "partition": md.partition,
                "first_offset": md.offset,
                "last_offset": md.offset,
                "last_event_id": r.event_id,
                "seqs": [r.seq],
                "published_at": published,
            }
            rows.append(current)
        else:
            current["last_offset"] = md.offset
            current["last_event_id"] = r.event_id
            current["seqs"].append(r.seq)
    return rows


def _count_published(sent: list[tuple[Any, Any]]) -> None:
    """`iims_outbox_published_total` per topic, one increment per topic and batch."""
    for topic, n in collections.Counter(r.topic for r, _ in sent).items():
        OUTBOX_PUBLISHED.labels(topic).inc(n)


class _Acked(NamedTuple):
    """Where the broker put one event: its batch's base offset plus its place in the batch."""

    partition: int
    offset: int


def _murmur2(data: bytes) -> int:
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2, as aiokafka's
    `DefaultPartitioner` computes it), about twice as fast as aiokafka's: whole 32-bit words
    unpacked at once, no redundant masks. A test compares the two."""
    length = len(data)
    m = 0x5BD1E995
    h = 0x9747B28C ^ length
    n4 = length >> 2
    for k in struct.unpack_from(f"<{n4}I", data):
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    extra = length & 3
    tail = n4 << 2
    if extra == 3:
        h ^= data[tail + 2] << 16
    if extra >= 2:
        h ^= data[tail + 1] << 8
    if extra >= 1:
        h ^= data[tail]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    return h ^ (h >> 15)


_key_hash = functools.lru_cache(maxsize=65536)(_murmur2)


def partition_for(key: bytes, partitions: list[int]) -> int:
    """The partition aiokafka's default partitioner picks for `key` among `partitions`
    (sorted), so a key keeps its partition whichever way it is sent."""
    return partitions[(_key_hash(key) & 0x7FFFFFFF) % len(partitions)]


def murmur2_many(keys: Sequence[bytes]) -> list[int]:
    """`_murmur2` of each key, computed with numpy over all keys of one length at once (a
    relay's batch is mostly keys of one length: the aggregates' UUIDs). Event keys are mostly
    new (one enterprise, one event), so the per-key cache of `partition_for` rarely hits and
    the pure-Python hash was ~1/6 of the relay's CPU (bench/README.md, fifth round). The
    uint32 arithmetic wraps like the `& 0xFFFFFFFF` of the scalar version; a test compares
    both with aiokafka's partitioner."""
    out = [0] * len(keys)
    by_length: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        by_length.setdefault(len(key), []).append(i)
    m = np.uint32(0x5BD1E995)
    for length, places in by_length.items():
        n4, extra = length >> 2, length & 3
        data = np.frombuffer(b"".join(keys[i] for i in places), dtype=np.uint8).reshape(
            len(places), length
        )
        h = np.full(len(places), 0x9747B28C ^ length, dtype=np.uint32)
        if n4:
            words = np.ascontiguousarray(data[:, : n4 * 4]).view("<u4")
            for w in range(n4):
                k = words[:, w] * m
                k ^= k >> np.uint32(24)
                k *= m
                h *= m
                h ^= k
        tail = n4 << 2
        if extra == 3:
            h ^= data[:, tail + 2].astype(np.uint32) << np.uint32(16)
        if extra >= 2:
            h ^= data[:, tail + 1].astype(np.uint32) << np.uint32(8)
        if extra >= 1:
            h ^= data[:, tail].astype(np.uint32)
            h *= m
        h ^= h >> np.uint32(13)
        h *= m
        h ^= h >> np.uint32(15)
        for i, value in zip(places, h.tolist(), strict=True):
            out[i] = value
    return out


def partitions_for(keys: Sequence[bytes], partitions: list[int]) -> list[int]:
    """`partition_for` of each key (one numpy pass per key length, `murmur2_many`)."""
    count = len(partitions)
    return [partitions[(h & 0x7FFFFFFF) % count] for h in murmur2_many(keys)]


@functools.lru_cache(maxsize=4096)
def _headers(stored: str | None) -> list[tuple[str, bytes]]:
    """Kafka headers of an outbox row's stored headers (JSON text; many rows share them)."""
    return encode_headers({**(json.loads(stored) if stored else {}), **STRUCTURED_HEADERS})


@functools.lru_cache(maxsize=4096)
def _headers_bytes(stored: str | None) -> int:
    """The bytes of an outbox row's Kafka headers' names and values (`_headers`)."""
    return sum(len(name.encode()) + len(value) for name, value in _headers(stored))


def _record_size(key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> int:
    return int(DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers))


class RelayError(RuntimeError):
    pass


class OffsetCheckIncomplete(RuntimeError):
    """Some partitions did not answer the offset check; it is asked again later."""
