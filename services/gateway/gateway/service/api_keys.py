"""API key use cases (平台管理): issue, list, rotate, revoke — the administrators'
(`API_KEY`). A rotation or revocation is answered only once every replica's key cache has
heard of it (`gateway.service.keycache`)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import ApiKey
from gateway.domain.credentials import Principal
from gateway.service import auth
from gateway.service.dto import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from gateway.service.keycache import ApiKeyCache
from gateway.service.policies import API_KEY
from iims_common.db import after_commit, utcnow


def _created(key: ApiKey, token: str) -> ApiKeyCreated:
    return ApiKeyCreated.model_validate(
        {**ApiKeyOut.model_validate(key).model_dump(), "api_key": token}
    )


async def create(
    session: AsyncSession, principal: Principal, command: ApiKeyCreate
) -> ApiKeyCreated:
    """An API key for a machine client, scoped to a role and a province/organization; the
    key is in this answer only."""
    API_KEY.authorize(principal.caller, "administer", principal)
    key, token = await auth.create_api_key(
        session,
        name=command.name,
        role=command.role,
        province_code=command.province_code,
        organization_id=command.organization_id,
        is_admin=command.is_admin,
        created_by=principal.caller.subject,
    )
    return _created(key, token)


def query(principal: Principal) -> sa.Select[ApiKey]:
    API_KEY.authorize(principal.caller, "administer", principal)
    return sa.select(ApiKey)


async def rotate(
    session: AsyncSession,
    principal: Principal,
    key_id: uuid.UUID,
    *,
    overlap: dt.timedelta,
    cache: ApiKeyCache,
) -> ApiKeyCreated:
    """A new secret; the previous one keeps working for `overlap`."""
    API_KEY.authorize(principal.caller, "administer", principal)
    key = await auth.key_by_id(session, key_id)
    token = await auth.rotate_api_key(session, key, overlap, utcnow())
    _settle_on_every_replica(session, cache, key.key_id)
    return _created(key, token)


async def revoke(
    session: AsyncSession, principal: Principal, key_id: uuid.UUID, *, cache: ApiKeyCache
) -> ApiKeyOut:
    """Revoked at once: the next request with it is refused, on every replica."""
    API_KEY.authorize(principal.caller, "administer", principal)
    key = await auth.key_by_id(session, key_id)
    revoked = await auth.revoke_api_key(session, key, utcnow())
    _settle_on_every_replica(session, cache, key.key_id)
    return ApiKeyOut.model_validate(revoked)


def _settle_on_every_replica(session: AsyncSession, cache: ApiKeyCache, key_id: str) -> None:
    """Answer only once this replica's listener heard of the change: PostgreSQL has then
    handed the notification to every replica's listener."""
    waiter = cache.expect(key_id)
    after_commit(session, lambda: cache.settle(waiter))
