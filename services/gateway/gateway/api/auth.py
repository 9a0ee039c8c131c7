"""身份认证 — login, refresh, logout for people; API keys and accounts for administrators."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gateway.api import schemas as s
from gateway.api.security import CurrentPrincipal
from gateway.db.tables import Account, ApiKey
from gateway.service import accounts, api_keys
from gateway.service import auth as service
from iims_common.http import Session, json_response
from iims_common.pagination import Page, Pagination, page_of
from iims_common.ratelimit import RateLimit

router = APIRouter(prefix="/api/v1")


# Sign-in counts against the client address (the `public` limit): 429 declared here, since
# iims_common.openapi declares it by shape only outside /auth/.
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Rate limited per client address; see `Retry-After`"}
}


@router.post(
    "/auth/login", response_model=s.TokenOut, tags=["auth 身份认证"], responses=RATE_LIMITED
)
async def log_in(body: s.LoginIn, session: Session, request: Request) -> s.TokenOut:
    """Password login for the web frontend: a short-lived bearer token and a refresh token.
    Repeated wrong passwords lock the account for a while."""
    limiter: RateLimit = request.app.state.limits["public"]
    await limiter.check(request, "login")
    tokens = await service.login(session, body.username, body.password, request.app.state.settings)
    return s.TokenOut.model_validate(tokens)


@router.post(
    "/auth/refresh", response_model=s.TokenOut, tags=["auth 身份认证"], responses=RATE_LIMITED
)
async def refresh_token(body: s.RefreshIn, session: Session, request: Request) -> s.TokenOut:
    limiter: RateLimit = request.app.state.limits["public"]
    await limiter.check(request, "refresh")
    tokens = await service.refresh(session, body.refresh_token, request.app.state.settings)
    return s.TokenOut.model_validate(tokens)


@router.post("/auth/logout", status_code=204, tags=["auth 身份认证"])
async def log_out(body: s.RefreshIn, session: Session) -> Response:
    await service.logout(session, body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=s.MeOut, tags=["auth 身份认证"])
async def get_current_identity(principal: CurrentPrincipal) -> s.MeOut:
    c = principal.caller
    return s.MeOut(
        subject=c.subject,
        role=c.role.value,
        province_code=c.province_code,
        organization_id=c.organization_id,
        admin=principal.admin,
    )


@router.post("/api-keys", status_code=201, response_model=s.ApiKeyCreated, tags=["admin 平台管理"])
async def create_api_key(
    body: s.ApiKeyCreate, principal: CurrentPrincipal, session: Session
) -> JSONResponse:
    """An API key for a machine client, scoped to a role and a province/organization. The
    key is in this response only."""
    out = await api_keys.create(session, principal, body)
    return json_response(out, 201, location=f"/api/v1/api-keys/{out.id}")


@router.get("/api-keys", response_model=Page[s.ApiKeyOut], tags=["admin 平台管理"])
async def list_api_keys(
    principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[s.ApiKeyOut]:
    return await page_of(session, api_keys.query(principal), ApiKey.id, page, s.ApiKeyOut)


@router.post("/api-keys/{key_id}/rotation", response_model=s.ApiKeyCreated, tags=["admin 平台管理"])
async def rotate_api_key(
    key_id: uuid.UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> s.ApiKeyCreated:
    """A new secret; the previous one keeps working for the overlap period."""
    overlap = dt.timedelta(hours=request.app.state.settings.key_rotation_overlap_hours)
    cache = request.app.state.key_cache
    return await api_keys.rotate(session, principal, key_id, overlap=overlap, cache=cache)


@router.delete("/api-keys/{key_id}", response_model=s.ApiKeyOut, tags=["admin 平台管理"])
async def revoke_api_key(
    key_id: uuid.UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> s.ApiKeyOut:
    """Revoked at once: the next request with it is refused, on every replica."""
    cache = request.app.state.key_cache
    return await api_keys.revoke(session, principal, key_id, cache=cache)


@router.post("/accounts", status_code=201, response_model=s.AccountOut, tags=["admin 平台管理"])
async def create_account(
    body: s.AccountCreate, principal: CurrentPrincipal, session: Session
) -> JSONResponse:
    account = await accounts.create(session, principal, body)
    return json_response(
        s.AccountOut.model_validate(account), 201, location=f"/api/v1/accounts/{account.id}"
    )


@router.get("/accounts", response_model=Page[s.AccountOut], tags=["admin 平台管理"])
async def list_accounts(
    principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[s.AccountOut]:
    return await page_of(session, accounts.query(principal), Account.id, page, s.AccountOut)
