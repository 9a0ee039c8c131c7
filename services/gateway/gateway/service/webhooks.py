"""Webhooks for provincial systems: subscriptions, deliveries queued in the consuming
transaction, and the delivery job (signed, retried with backoff and jitter, 410 disables)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.tables import WebhookAttempt, WebhookDelivery, WebhookSubscription
from gateway.domain import webhooks as rules
from gateway.settings import GatewaySettings
from iims_common.db import upsert_insert, utcnow
from iims_common.errors import FieldError, ValidationFailed
from iims_common.events.envelope import CloudEvent
from iims_common.i18n import _
from iims_common.personal_data import PersonalDataVault

log = logging.getLogger("iims.gateway.webhooks")
BATCH = 50


def check_target(url: str, settings: GatewaySettings) -> None:
    problem = rules.target_problem(url, allow_private=settings.webhook_allow_private_targets)
    if problem:
        raise ValidationFailed(
            _("The webhook URL is not allowed"), errors=[FieldError("url", problem)]
        )


async def subscribe(
    session: AsyncSession,
    vault: PersonalDataVault,
    *,
    province_code: str,
    url: str,
    event_types: list[str],
    created_by: str,
) -> tuple[WebhookSubscription, str]:
    secret = rules.new_secret()
    sub = WebhookSubscription(
        province_code=province_code,
        url=url,
        event_types=sorted(set(event_types)),
        secret_cipher=vault.encrypt(secret),
        created_by=created_by,
    )
    session.add(sub)
    await session.flush()
    return sub, secret


async def enqueue(
    session: AsyncSession, event: CloudEvent, topic: str, province: str | None
) -> int:
    """Queue one delivery per interested subscription of the event's province — of every
    province for `rules.EVERY_PROVINCE` (idempotent: one delivery per subscription and
    event)."""
    if topic not in rules.EVENT_TYPES or not province:
        return 0
    stmt = sa.select(WebhookSubscription).where(WebhookSubscription.status == "active")
    if province != rules.EVERY_PROVINCE:
        stmt = stmt.where(WebhookSubscription.province_code == province)
    subs = list((await session.scalars(stmt)).all())
    wanted = [s for s in subs if rules.wants(s.event_types, s.province_code, topic, province)]
    if not wanted:
        return 0
    payload = {
        "type": topic,
        "timestamp": (event.time or utcnow()).isoformat(),
        "data": event.data,
    }
    await session.execute(
        upsert_insert(session, WebhookDelivery.__table__)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "subscription_id": s.id,
                    "event_id": str(event.id),
                    "event_type": topic,
                    "payload": json.loads(json.dumps(payload, default=str)),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": utcnow(),
                    "created_at": utcnow(),
                }
                for s in wanted
            ]
        )
        .on_conflict_do_nothing()
    )
    return len(wanted)


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: GatewaySettings,
    vault: PersonalDataVault,
    client: httpx.AsyncClient,
) -> int:
    """Send the deliveries that are due (several gateways share the queue: SKIP LOCKED)."""
    async with sessionmaker() as session, session.begin():
        due = list(
            (
                await session.scalars(
                    sa.select(WebhookDelivery)
                    .where(
                        WebhookDelivery.status == "pending",
                        WebhookDelivery.next_attempt_at <= utcnow(),
                    )
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        if not due:
            return 0
        subs = {
            s.id: s
            for s in await session.scalars(
                sa.select(WebhookSubscription).where(
                    WebhookSubscription.id.in_({d.subscription_id for d in due})
                )
            )
        }
        results = await asyncio.gather(
            *(_send(d, subs[d.subscription_id], settings, vault, client) for d in due)
        )
        now = utcnow()
        for d, (code, error, ms) in zip(due, results, strict=True):
            sub = subs[d.subscription_id]
            d.attempts += 1
            d.last_status_code, d.last_error = code, error
            session.add(
                WebhookAttempt(delivery_id=d.id, status_code=code, error=error, duration_ms=ms)
            )
            verdict = rules.outcome(code)
            if verdict == "delivered":
                d.status, d.delivered_at = "delivered", now
            elif verdict == "disable":
                d.status = "failed"
                sub.status, sub.disabled_reason = "disabled", "the receiver answered 410 Gone"
            elif d.attempts >= settings.webhook_max_attempts:
                d.status = "failed"
            else:
                d.next_attempt_at = rules.next_attempt(
                    d.attempts, settings.webhook_backoff_base_s, now
                )
        return len(due)


async def _send(
    d: WebhookDelivery,
    sub: WebhookSubscription,
    settings: GatewaySettings,
    vault: PersonalDataVault,
    client: httpx.AsyncClient,
) -> tuple[int | None, str | None, int]:
    began = time.perf_counter()
    if sub.status != "active":
        return None, "subscription disabled", 0
    # Checked again at send time: DNS may have changed since the subscription (rebinding).
    problem = rules.target_problem(sub.url, allow_private=settings.webhook_allow_private_targets)
    if problem:
        return None, str(problem)[:500], 0
    body = json.dumps(d.payload, ensure_ascii=False, separators=(",", ":"))
    headers = rules.sign(vault.decrypt(sub.secret_cipher), d.event_id, utcnow(), body)
    try:
        r = await client.post(
            sub.url,
            content=body.encode(),
            headers={**headers, "content-type": "application/json"},
            timeout=settings.webhook_timeout_s,
            follow_redirects=False,
        )
        return r.status_code, None, int((time.perf_counter() - began) * 1000)
    except httpx.HTTPError as e:
        return None, f"{type(e).__name__}: {e}"[:500], int((time.perf_counter() - began) * 1000)


async def redeliver(session: AsyncSession, delivery: WebhookDelivery) -> WebhookDelivery:
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    await session.flush()
    return delivery


def delivery_job(settings: GatewaySettings, vault: PersonalDataVault) -> Any:
    client = httpx.AsyncClient()

    async def run(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        total = 0
        while (sent := await deliver_due(sessionmaker, settings, vault, client)) > 0:
            total += sent
        return total

    return run
