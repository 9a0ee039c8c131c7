"""Credentials as plain code: API keys, passwords (argon2), refresh tokens, access tokens
(JWT) and the lockout rule."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from iims_common.identity import Caller, Role

KEY_PREFIX = "iims"
ACCESS_AUDIENCE = "iims-platform"
ACCESS_ISSUER = "iims-gateway"
_hasher = PasswordHasher()  # argon2id with the library's (OWASP-aligned) defaults


@dataclass(frozen=True)
class Principal:
    """Who is calling the gateway: the caller forwarded to services, plus whether they may
    administer keys and accounts (平台管理员)."""

    caller: Caller
    admin: bool = False
    key_id: str | None = None  # rate limits are per key (or per account for people)

    @property
    def limit_key(self) -> str:
        return self.key_id or self.caller.subject


@dataclass(frozen=True)
class NewKey:
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        """What the client sends as `X-API-Key` — shown once, never stored."""
        return f"{KEY_PREFIX}_{self.key_id}_{self.secret}"


def new_api_key() -> NewKey:
    return NewKey(secrets.token_hex(8), secrets.token_urlsafe(32))


def parse_api_key(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def secret_hash(secret: str) -> str:
    """Key secrets are 256 random bits: a plain SHA-256 cannot be brute-forced, and keeps the
    per-request check cheap (argon2 is for low-entropy passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(secret_hash(secret), stored)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and locked_until > now


def after_failed_login(
    failures: int, now: dt.datetime, threshold: int, minutes: int
) -> tuple[int, dt.datetime | None]:
    """The failure count and lock after one more wrong password."""
    failures += 1
    if failures >= threshold:
        return 0, now + dt.timedelta(minutes=minutes)
    return failures, None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def mint_access_token(secret: str, principal: Principal, ttl_s: int, now: dt.datetime) -> str:
    c = principal.caller
    claims: dict[str, object] = {
        "iss": ACCESS_ISSUER,
        "aud": ACCESS_AUDIENCE,
        "sub": c.subject,
        "role": c.role.value,
        "admin": principal.admin,
        "iat": now,
        "exp": now + dt.timedelta(seconds=ttl_s),
    }
    if c.province_code:
        claims["province_code"] = c.province_code
    if c.organization_id:
        claims["organization_id"] = str(c.organization_id)
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_access_token(secret: str, token: str) -> Principal | None:
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience=ACCESS_AUDIENCE, issuer=ACCESS_ISSUER
        )
        org = claims.get("organization_id")
        return Principal(
            Caller(
                subject=str(claims["sub"]),
                role=Role(claims["role"]),
                province_code=claims.get("province_code"),
                organization_id=uuid.UUID(org) if org else None,
            ),
            admin=bool(claims.get("admin")),
        )
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
