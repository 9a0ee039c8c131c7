"""Write events into the outbox inside the caller's transaction (never publish inline)."""

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

OUTBOX_DIRTY = "iims_outbox_dirty"


def build_outbox_row(
    *,
    source: str,
    topic: str,
    key: str | UUID,
    data: Mapping[str, Any],
    subject: str | UUID | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    now = now or utcnow()
    event_id = new_id()
    envelope = {
        "specversion": "1.0",
        "id": str(event_id),
        "source": source,
        "type": event_type_for(topic),
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
        "available_at": now,
        "attempts": 0,
    }


async def record_events(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> int:
    batch = list(rows)
    if not batch:
        return 0
    await session.execute(insert(outbox), batch)
    # The relay in this process is woken after commit (see iims_common.events.relay).
    session.info[OUTBOX_DIRTY] = True
    if is_postgres(session):
        await session.execute(text("SELECT pg_notify('iims_outbox', '')"))
    return len(batch)


async def record_event(
    session: AsyncSession,
    *,
    source: str,
    topic: str,
    key: str | UUID,
    data: Mapping[str, Any],
    subject: str | UUID | None = None,
) -> UUID:
    """Add one event to the outbox in the current transaction; returns its event id."""
    row = build_outbox_row(source=source, topic=topic, key=key, data=data, subject=subject)
    await record_events(session, [row])
    event_id: UUID = row["event_id"]
    return event_id
