"""Webhook subscription use cases (事件推送): the event types one may choose, subscribe,
list, delete, the delivery log, redeliver. A province (地方工信主管部门) subscribes for its
own province and sees its own; an administrator names the province and sees every one
(`WEBHOOK`). Deliveries themselves are `gateway.service.webhooks`."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import WebhookAttempt, WebhookDelivery, WebhookSubscription
from gateway.domain.credentials import Principal
from gateway.domain.webhooks import event_type_catalogue
from gateway.service import webhooks
from gateway.service.dto import (
    AttemptOut,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    WebhookEventTypeOut,
)
from gateway.service.policies import WEBHOOK, webhook_caller, webhook_condition
from gateway.settings import GatewaySettings
from iims_common.errors import Forbidden, NotFound
from iims_common.i18n import _
from iims_common.pagination import Page, PageParams, paginate
from iims_common.personal_data import PersonalDataVault


def event_types(locale: str) -> list[WebhookEventTypeOut]:
    """The event types a subscription's `event_types` may name, in catalogue order, named
    and described in `locale`."""
    return [WebhookEventTypeOut.model_validate(e) for e in event_type_catalogue(locale)]


async def create(
    session: AsyncSession,
    principal: Principal,
    command: SubscriptionIn,
    *,
    settings: GatewaySettings,
    vault: PersonalDataVault,
) -> SubscriptionCreated:
    """Subscribe a URL (not loopback or private unless the operator allows them); the
    signing secret is in this answer only."""
    webhook_caller(principal)
    province = (
        command.province_code
        if principal.admin and command.province_code
        else principal.caller.province_code
    )
    if not province:
        raise Forbidden(_("An administrator must name the province_code"))
    webhooks.check_target(str(command.url), settings)
    sub, secret = await webhooks.subscribe(
        session,
        vault,
        province_code=province,
        url=str(command.url),
        event_types=command.event_types,
        created_by=principal.caller.subject,
    )
    return SubscriptionCreated.model_validate(
        {**SubscriptionOut.model_validate(sub).model_dump(), "secret": secret}
    )


def query(principal: Principal) -> sa.Select[WebhookSubscription]:
    return sa.select(WebhookSubscription).where(webhook_condition(principal))


async def get(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> WebhookSubscription:
    return await WEBHOOK.load(
        session,
        webhook_caller(principal),
        subscription_id,
        not_found=_("Webhook {subscription_id} not found", subscription_id=subscription_id),
    )


async def delete(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> None:
    await session.delete(await get(session, principal, subscription_id))


async def deliveries(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, params: PageParams
) -> Page[DeliveryOut]:
    """The delivery log: each delivery with every attempt's status code."""
    await get(session, principal, subscription_id)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    rows, cursor = await paginate(session, stmt, WebhookDelivery.id, params)
    attempts: dict[uuid.UUID, list[AttemptOut]] = {}
    if rows:
        for a in await session.scalars(
            sa.select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([r.id for r in rows]))
            .order_by(WebhookAttempt.at)
        ):
            attempts.setdefault(a.delivery_id, []).append(AttemptOut.model_validate(a))
    items = []
    for r in rows:
        item = DeliveryOut.model_validate(r)
        item.log = attempts.get(r.id, [])
        items.append(item)
    return Page[DeliveryOut](items=items, next_cursor=cursor)


async def redeliver(
    session: AsyncSession, principal: Principal, delivery_id: uuid.UUID
) -> DeliveryOut:
    """Send a delivery again (e.g. after fixing the receiver)."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(_("Delivery {delivery_id} not found", delivery_id=delivery_id))
    await get(session, principal, delivery.subscription_id)
    return DeliveryOut.model_validate(await webhooks.redeliver(session, delivery))
