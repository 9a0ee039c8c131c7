"""One policy per aggregate of the gateway's own data: who may administer API keys and
accounts (平台管理员), who subscribes webhooks and sees which (a province its own, an
administrator any), who reads which dashboard. The gateway's caller is a `Principal` (the
forwarded `Caller` plus the administrator flag), so the rules that need the flag take the
principal as their subject. Every use case in `gateway.service` asks here."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.db.tables import Account, ApiKey, DashCounter, WebhookSubscription
from gateway.domain.credentials import Principal
from iims_common.errors import NotFound
from iims_common.i18n import Message, _
from iims_common.identity import Caller, Role
from iims_common.policy import Policy
from iims_common.scoping import Scope, everything

NATIONAL_ROLES = (Role.ministry, Role.management_org)
ADMINISTERED = Scope({role: everything for role in Role})


def _administrator(_caller: Caller, principal: Principal) -> Message | None:
    return None if principal.admin else _("Only a platform administrator (平台管理员) may do this")


# API keys and accounts: the platform administrators' (every key and account, no scope).
API_KEY = Policy(ApiKey, ADMINISTERED, rules={"administer": _administrator}, what="API key")
ACCOUNT = Policy(Account, ADMINISTERED, rules={"administer": _administrator}, what="Account")


def _subscriber(caller: Caller, principal: Principal) -> Message | None:
    if principal.admin or (caller.role is Role.province and caller.province_code):
        return None
    return _("Webhooks are for provinces (地方工信主管部门) and administrators")


# Webhook subscriptions: a province (地方工信主管部门) its own province's; an administrator any
# (loaded with `caller=None`, see `webhook_caller`).
WEBHOOK = Policy(
    WebhookSubscription,
    lambda caller: WebhookSubscription.province_code == caller.province_code,
    rules={"subscribe": _subscriber},
    what="Webhook",
)


def webhook_caller(principal: Principal) -> Caller | None:
    """Authorize a webhook use case and give the caller its rows are scoped to (None: an
    administrator, who sees every subscription)."""
    WEBHOOK.authorize(principal.caller, "subscribe", principal)
    return None if principal.admin else principal.caller


def webhook_condition(principal: Principal) -> sa.ColumnElement[bool]:
    """The subscriptions the principal sees, as a SQL condition (after `webhook_caller`)."""
    caller = webhook_caller(principal)
    return sa.true() if caller is None else WEBHOOK.condition(caller)


def _national(caller: Caller, _subject: object) -> Message | None:
    if caller.role in NATIONAL_ROLES:
        return None
    return _("The national dashboard is for the ministry and the management org")


# 统计看板: the national one for the national roles; a province's for them and that province.
DASHBOARD = Policy(DashCounter, ADMINISTERED, rules={"national": _national})


def check_province_view(caller: Caller, province_code: str, not_found: Message) -> None:
    """A province's dashboard or report: national roles any province, a province its own;
    anyone else finds nothing there (404, so provinces cannot be probed)."""
    if caller.role in NATIONAL_ROLES:
        return
    if caller.role is Role.province and caller.province_code == province_code:
        return
    raise NotFound(not_found)
