"""Authentication use cases: API keys (create, rotate, revoke, verify), accounts (bootstrap
administrator, create, login with lockout, refresh, logout)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.tables import Account, ApiKey, RefreshToken
from gateway.domain import credentials as cred
from gateway.domain.credentials import Principal
from gateway.service.keycache import ApiKeyCache, KeyRecord
from gateway.settings import GatewaySettings
from iims_common.db import read_session, utcnow
from iims_common.errors import Conflict, NotFound, Unauthorized
from iims_common.i18n import _
from iims_common.identity import Caller, Role

log = logging.getLogger("iims.gateway.auth")


def _principal_of_key(key: ApiKey) -> Principal:
    return Principal(
        Caller(
            subject=f"key:{key.key_id}",
            role=Role(key.role),
            province_code=key.province_code,
            organization_id=key.organization_id,
        ),
        admin=key.is_admin,
        key_id=key.key_id,
    )


def _record_of_key(key: ApiKey) -> KeyRecord:
    return KeyRecord(
        _principal_of_key(key), key.secret_hash, key.previous_secret_hash, key.previous_valid_until
    )


def _matches(record: KeyRecord, secret: str, now: dt.datetime) -> bool:
    """The current secret, or the previous one while the rotation overlap lasts."""
    return cred.secret_matches(secret, record.secret_hash) or (
        record.previous_valid_until is not None
        and record.previous_valid_until > now
        and cred.secret_matches(secret, record.previous_secret_hash)
    )


async def verify_api_key(
    sessionmaker: async_sessionmaker[AsyncSession],
    token: str,
    now: dt.datetime,
    cache: ApiKeyCache | None = None,
) -> Principal:
    """The key's principal; revoked keys fail at once, a rotated secret until the overlap ends.

    With a `cache` a key verified before is checked against its cached hashes (no database
    round trip); what the cache does not know, or a secret it does not match, is read from
    the database (`sessionmaker`, a read-only session)."""
    parsed = cred.parse_api_key(token)
    if parsed is None:
        raise Unauthorized(_("Malformed API key"))
    key_id, secret = parsed
    if cache is not None:
        cached = cache.get(key_id)
        if cached is not None and _matches(cached, secret, now):
            return cached.principal
        generation = cache.generation
    async with read_session(sessionmaker) as session:
        key = (await session.scalars(sa.select(ApiKey).where(ApiKey.key_id == key_id))).first()
    if key is None or key.revoked_at is not None:
        raise Unauthorized(_("Unknown or revoked API key"))
    record = _record_of_key(key)
    if cache is not None:
        cache.put(key_id, record, generation)
    if not _matches(record, secret, now):
        raise Unauthorized(_("Unknown or revoked API key"))
    return record.principal


async def create_api_key(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    province_code: str | None,
    organization_id: uuid.UUID | None,
    is_admin: bool,
    created_by: str,
) -> tuple[ApiKey, str]:
    new = cred.new_api_key()
    key = ApiKey(
        key_id=new.key_id,
        name=name,
        role=role,
        province_code=province_code,
        organization_id=organization_id,
        is_admin=is_admin,
        secret_hash=cred.secret_hash(new.secret),
        created_by=created_by,
    )
    session.add(key)
    await session.flush()
    return key, new.token


async def rotate_api_key(
    session: AsyncSession, key: ApiKey, overlap: dt.timedelta, now: dt.datetime
) -> str:
    """A new secret; the old one keeps working for `overlap` so clients can switch over."""
    if key.revoked_at is not None:
        raise Conflict(_("The key is revoked"), current_state="revoked")
    new = cred.new_api_key()
    key.previous_secret_hash, key.previous_valid_until = key.secret_hash, now + overlap
    key.secret_hash = cred.secret_hash(new.secret)
    key.rotated_at = now
    await session.flush()
    return f"{cred.KEY_PREFIX}_{key.key_id}_{new.secret}"


async def revoke_api_key(session: AsyncSession, key: ApiKey, now: dt.datetime) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = now
        await session.flush()
    return key


def _principal_of_account(account: Account) -> Principal:
    return Principal(
        Caller(
            subject=f"account:{account.id}",
            role=Role(account.role),
            province_code=account.province_code,
            organization_id=account.organization_id,
        ),
        admin=account.is_admin,
    )


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    province_code: str | None,
    organization_id: uuid.UUID | None,
    is_admin: bool = False,
) -> Account:
    exists = await session.scalar(sa.select(Account.id).where(Account.username == username))
    if exists is not None:
        raise Conflict(
            _("Username {username} is taken", username=username), existing_id=str(exists)
        )
    account = Account(
        username=username,
        display_name=display_name,
        password_hash=cred.hash_password(password),
        role=role,
        province_code=province_code,
        organization_id=organization_id,
        is_admin=is_admin,
    )
    session.add(account)
    await session.flush()
    return account


async def ensure_bootstrap_admin(
    sessionmaker: async_sessionmaker[AsyncSession], settings: GatewaySettings
) -> None:
    """The administrator from settings exists (created once; its password is not reset)."""
    async with sessionmaker() as session, session.begin():
        found = await session.scalar(
            sa.select(Account.id).where(Account.username == settings.admin_username)
        )
        if found is None:
            await create_account(
                session,
                username=settings.admin_username,
                display_name="平台管理员",
                password=settings.admin_password.get_secret_value(),
                role=Role.ministry,
                province_code=None,
                organization_id=None,
                is_admin=True,
            )
            log.info("bootstrap administrator created", extra={"username": settings.admin_username})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue(
    session: AsyncSession, account: Account, settings: GatewaySettings, now: dt.datetime
) -> dict[str, object]:
    refresh = cred.new_refresh_token()
    session.add(
        RefreshToken(
            account_id=account.id,
            token_hash=_token_hash(refresh),
            expires_at=now + dt.timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    await session.flush()
    access = cred.mint_access_token(
        settings.jwt_secret.get_secret_value(),
        _principal_of_account(account),
        settings.access_token_ttl_s,
        now,
    )
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": settings.access_token_ttl_s,
        "refresh_token": refresh,
    }


async def login(
    session: AsyncSession, username: str, password: str, settings: GatewaySettings
) -> dict[str, object]:
    """Password login; `lockout_after_failures` wrong passwords lock the account for a while.
    Unknown user, wrong password and locked account all answer the same 401."""
    now = utcnow()
    account = (
        await session.scalars(
            sa.select(Account).where(Account.username == username).with_for_update()
        )
    ).first()
    refused = Unauthorized(_("Wrong username or password, or the account is locked"))
    if account is None:
        cred.password_matches(_DUMMY_HASH, password)  # same work as a real check
        raise refused
    if account.disabled or cred.locked(account.locked_until, now):
        raise refused
    if not cred.password_matches(account.password_hash, password):
        account.failed_logins, account.locked_until = cred.after_failed_login(
            account.failed_logins, now, settings.lockout_after_failures, settings.lockout_minutes
        )
        # The failure must be remembered even though the request fails.
        await session.commit()
        raise refused
    account.failed_logins, account.locked_until = 0, None
    return await _issue(session, account, settings, now)


_DUMMY_HASH = cred.hash_password("not-a-real-password")


async def refresh(
    session: AsyncSession, token: str, settings: GatewaySettings
) -> dict[str, object]:
    """Exchange a refresh token for a new pair; each refresh token works once."""
    now = utcnow()
    row = (
        await session.scalars(
            sa.select(RefreshToken)
            .where(RefreshToken.token_hash == _token_hash(token))
            .with_for_update()
        )
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized(_("Unknown, used or expired refresh token"))
    account = await session.get(Account, row.account_id)
    if account is None or account.disabled:
        raise Unauthorized(_("Unknown, used or expired refresh token"))
    row.revoked_at = now
    return await _issue(session, account, settings, now)


async def logout(session: AsyncSession, token: str) -> None:
    await session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.token_hash == _token_hash(token), RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def key_by_id(session: AsyncSession, key_uuid: uuid.UUID) -> ApiKey:
    key = await session.get(ApiKey, key_uuid, with_for_update=True)
    if key is None:
        raise NotFound(_("API key {key_uuid} not found", key_uuid=key_uuid))
    return key
