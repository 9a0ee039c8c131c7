"""Who is calling: an API key (`X-API-Key`) for machine clients, a bearer token for people.
Rate limits per key/account, and per client address for public endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from gateway.domain import credentials as cred
from gateway.domain.credentials import Principal
from gateway.service import auth as auth_service
from iims_common.db import utcnow
from iims_common.errors import Unauthorized
from iims_common.i18n import _
from iims_common.ratelimit import RateLimit

# Declared for the OpenAPI document (both schemes); checked by `authenticate`.
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="机器客户端 API key")
bearer_scheme = HTTPBearer(auto_error=False, description="Web frontend bearer token (JWT)")


async def authenticate(request: Request) -> Principal:
    key = request.headers.get("x-api-key")
    if key:
        principal = await auth_service.verify_api_key(
            request.app.state.sessionmaker, key, utcnow(), request.app.state.key_cache
        )
    else:
        header = request.headers.get("authorization", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(_("Send an API key (X-API-Key) or a bearer token"))
        found = cred.verify_access_token(
            request.app.state.settings.jwt_secret.get_secret_value(), token.strip()
        )
        if found is None:
            raise Unauthorized(_("Invalid or expired bearer token"))
        principal = found
    limiter: RateLimit = request.app.state.limits["key"]
    await limiter.hit("api", principal.limit_key)
    return principal


async def current_principal(
    request: Request,
    _key: Annotated[str | None, Depends(api_key_scheme)] = None,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)] = None,
) -> Principal:
    return await authenticate(request)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
