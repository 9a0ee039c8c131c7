"""Webhook rules: which targets are allowed (SSRF guard), which events a subscription gets,
how deliveries are signed (Standard Webhooks) and when they are retried."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import random
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from iims_common.enums import LabelledEnum
from iims_common.i18n import DEFAULT_LOCALE, ENGLISH, Message, _
from iims_contracts.catalogue import contracts_for, webhook_event_types

# The topics whose contracts are marked `webhook` (iims_contracts): a province may subscribe.
EVENT_TYPES: tuple[str, ...] = webhook_event_types()


class SubscriptionStatus(LabelledEnum):
    """A subscription is active until the receiver answers 410 Gone (then disabled)."""

    active = "active"
    disabled = "disabled"

    __labels__ = {
        active: _("Active, delivering"),
        disabled: _("Disabled"),
    }


class DeliveryStatus(LabelledEnum):
    """A delivery is pending (retried with backoff) until delivered or given up (failed)."""

    pending = "pending"
    delivered = "delivered"
    failed = "failed"

    __labels__ = {
        pending: _("Awaiting delivery"),
        delivered: _("Delivered"),
        failed: _("Delivery failed"),
    }


@dataclass(frozen=True)
class EventTypeInfo:
    """What a subscriber sees of one event type: `code` (the topic), `label` (its name) and
    `description` (what it means and when it is sent) in the caller's language — Chinese
    from the contract's `label`/`summary_zh`, English from its `label_en`/`summary_en()` —
    and `cloudevents_type` (of its newest version)."""

    code: str
    label: str
    description: str
    cloudevents_type: str


def event_type_catalogue(locale: str = DEFAULT_LOCALE) -> list[EventTypeInfo]:
    """The subscribable event types (`EVENT_TYPES`, catalogue order), described from their
    contracts in `locale`; a topic carrying several versions is described by the newest."""
    out = []
    for topic in EVENT_TYPES:
        newest = max(contracts_for(topic), key=lambda c: c.type_version)
        english = locale == ENGLISH
        out.append(
            EventTypeInfo(
                code=topic,
                label=(newest.label_en if english else None) or newest.label,
                description=(None if english else newest.summary_zh) or newest.summary_en(),
                cloudevents_type=newest.event_type(),
            )
        )
    return out


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def target_problem(url: str, *, allow_private: bool) -> Message | None:
    """Why a URL may not receive deliveries, or None. Resolves the host: a name that points
    at a loopback/private/link-local address is refused like the address itself."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        return _("the URL must be http(s)")
    if not parts.hostname:
        return _("the URL has no host")
    if parts.username or parts.password:
        return _("credentials in the URL are not allowed")
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return _("the host does not resolve")
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            return _("the host resolves to a non-public address ({address})", address=str(address))
    return None


# Every province: the audience of an event addressed to the provinces as a role (a notice
# 印发 to `province`), not about one of them.
EVERY_PROVINCE = "*"


def wants(
    event_types: list[str], subscription_province: str, event_type: str, province: str | None
) -> bool:
    """A province's subscription gets the subscribed event types about its province only,
    and those addressed to every province (`EVERY_PROVINCE`)."""
    return event_type in event_types and province in (subscription_province, EVERY_PROVINCE)


def audience_province(data: dict[str, object]) -> str | None:
    """The province an event is for when its data says so without a lookup: its own
    `province_code`, or `EVERY_PROVINCE` for a notice whose `audience_roles` include the
    provinces (notice-issued). None: ask the read model (`enterprise_id`) or nobody."""
    if data.get("province_code"):
        return str(data["province_code"])
    roles = data.get("audience_roles")
    if isinstance(roles, list) and "province" in roles:
        return EVERY_PROVINCE
    return None


def sign(secret: str, message_id: str, timestamp: dt.datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for this body."""
    signature = Webhook(secret).sign(message_id, timestamp, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


def next_attempt(
    attempts: int, base_s: float, now: dt.datetime, rng: random.Random | None = None
) -> dt.datetime:
    """Exponential backoff with full jitter, capped at 6 hours."""
    ceiling = min(base_s * 2 ** max(0, attempts - 1), 6 * 3600)
    return now + dt.timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def outcome(status_code: int | None) -> str:
    """delivered (2xx), disable (410 Gone: the receiver says stop), retry (anything else)."""
    if status_code is not None and 200 <= status_code < 300:
        return "delivered"
    if status_code == 410:
        return "disable"
    return "retry"
