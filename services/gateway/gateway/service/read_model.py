"""What every event the gateway consumes does there, in the inbox transaction: the dashboards'
read model applies the (validated) data, then the webhook deliveries of the provinces that
subscribed are queued (carrying the event as received)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import DashEnterprise
from gateway.domain.webhooks import audience_province
from gateway.service import webhooks
from iims_common.events import CloudEvent, Route
from iims_contracts import EventContract

Apply = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


async def province_of(session: AsyncSession, event: CloudEvent) -> str | None:
    """The province whose subscriptions receive the event: the one it names, else the
    province of the enterprise it is about (as the read model learned it), else none."""
    data = event.data if isinstance(event.data, dict) else {}
    known = audience_province(data)
    if known is not None:
        return known
    if data.get("enterprise_id"):
        row = await session.get(DashEnterprise, uuid.UUID(str(data["enterprise_id"])))
        return row.province_code if row else None
    return None


def counted_and_delivered(contract: type[EventContract], apply: Apply) -> Route[EventContract]:
    """The route of one consumed contract: `apply` (a `dashboard` function) on the parsed
    data, then the webhook deliveries."""

    async def handle(session: AsyncSession, event: CloudEvent, data: EventContract) -> None:
        await apply(session, data.payload())
        await webhooks.enqueue(session, event, contract.topic, await province_of(session, event))

    return Route(contract, handle)
