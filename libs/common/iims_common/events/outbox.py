"""Write events into the outbox inside the caller's transaction (never publish inline).

Services call `record(session, *events)` with typed contracts (`iims_contracts`): the topic,
CloudEvents type, source, key and subject all come from the contract. `record_event` takes
them by hand and exists for the tests of the bus itself (arbitrary test topics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.context import current_traceparent
from iims_common.db import is_postgres, utcnow
from iims_common.events.envelope import event_type_for
from iims_common.events.tables import outbox
from iims_common.ids import new_id
from iims_contracts.base import EventContract

OUTBOX_DIRTY = "iims_outbox_dirty"


def build_outbox_row(
    *,
    source: str,
    topic: str,
    key: str | UUID,
    data: Mapping[str, Any],
    subject: str | UUID | None = None,
    now: dt.datetime | None = None,
    event_type: str | None = None,
) -> dict[str, Any]:
    """One outbox row holding a structured CloudEvent (JSON) and the `traceparent` of the
    current span. `event_type` defaults to `cn.iims.<topic>.v1`."""
    now = now or utcnow()
    event_id = new_id()
    envelope = {
        "specversion": "1.0",
        "id": str(event_id),
        "source": source,
        "type": event_type or event_type_for(topic),
        "subject": str(subject if subject is not None else key),
        "time": now.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": to_jsonable_python(data),
    }
    return {
        "event_id": event_id,
        "topic": topic,
        "key": str(key),
        "type": envelope["type"],
        "payload": envelope,
        "headers": {"traceparent": current_traceparent()},
        "created_at": now,
    }


def contract_row(event: EventContract, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The outbox row of a typed event: topic, type, source, key and subject from its contract."""
    key = event.kafka_key()
    return build_outbox_row(
        source=event.ce_source(),
        topic=event.topic,
        key=key,
        data=event.payload(),
        subject=key,
        now=now,
        event_type=event.event_type(),
    )


async def record(session: AsyncSession, *events: EventContract) -> list[UUID]:
    """Add typed events to the outbox in the current transaction (one multi-row INSERT);
    returns their event ids in order."""
    now = utcnow()
    rows = [contract_row(e, now=now) for e in events]
    await record_events(session, rows)
    return [r["event_id"] for r in rows]


async def record_events(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> int:
    """Insert prepared outbox rows (see `build_outbox_row`, `contract_row`); the database
    queues each for the relay (the `outbox_enqueue` trigger, iims_common.events.tables)."""
    batch = list(rows)
    if not batch:
        return 0
    await session.execute(insert(outbox), batch)
    await outbox_written(session)
    return len(batch)


async def outbox_written(session: AsyncSession) -> None:
    """Wake the relays after this transaction commits: the one in this process (see
    iims_common.events.relay) and, on PostgreSQL, those of other processes (NOTIFY is
    delivered at commit). For writers that insert outbox rows with their own SQL."""
    session.info[OUTBOX_DIRTY] = True
    if is_postgres(session):
        await session.execute(text("SELECT pg_notify('iims_outbox', '')"))


async def record_event(
    session: AsyncSession,
    *,
    source: str,
    topic: str,
    key: str | UUID,
    data: Mapping[str, Any],
    subject: str | UUID | None = None,
) -> UUID:
    """Add one untyped event to the outbox in the current transaction; returns its event id.
    For tests of the bus; services use `record` with a contract."""
    row = build_outbox_row(source=source, topic=topic, key=key, data=data, subject=subject)
    await record_events(session, [row])
    event_id: UUID = row["event_id"]
    return event_id
