"""身份认证 — login, refresh, logout for people; API keys and accounts for administrators."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api import schemas as s
from gateway.api.security import CurrentPrincipal, require_admin
from gateway.db.tables import Account, ApiKey
from gateway.service import auth as service
from gateway.service.keycache import ApiKeyCache
from iims_common.db import after_commit, utcnow
from iims_common.http import Session, json_response
from iims_common.pagination import Page, Pagination, page_of
from iims_common.ratelimit import RateLimit

router = APIRouter(prefix="/api/v1")


@router.post("/auth/login", response_model=s.TokenOut, tags=["auth 身份认证"])
async def log_in(body: s.LoginIn, session: Session, request: Request) -> s.TokenOut:
    """Password login for the web frontend: a short-lived bearer token and a refresh token.
    Repeated wrong passwords lock the account for a while."""
    limiter: RateLimit = request.app.state.limits["public"]
    await limiter.check(request, "login")
    tokens = await service.login(session, body.username, body.password, request.app.state.settings)
    return s.TokenOut.model_validate(tokens)


@router.post("/auth/refresh", response_model=s.TokenOut, tags=["auth 身份认证"])
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
    require_admin(principal)
    key, token = await service.create_api_key(
        session,
        name=body.name,
        role=body.role,
        province_code=body.province_code,
        organization_id=body.organization_id,
        is_admin=body.is_admin,
        created_by=principal.caller.subject,
    )
    out = s.ApiKeyCreated.model_validate(
        {**s.ApiKeyOut.model_validate(key).model_dump(), "api_key": token}
    )
    return json_response(out, 201, location=f"/api/v1/api-keys/{key.id}")


@router.get("/api-keys", response_model=Page[s.ApiKeyOut], tags=["admin 平台管理"])
async def list_api_keys(
    principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[s.ApiKeyOut]:
    require_admin(principal)
    return await page_of(session, sa.select(ApiKey), ApiKey.id, page, s.ApiKeyOut)


@router.post("/api-keys/{key_id}/rotation", response_model=s.ApiKeyCreated, tags=["admin 平台管理"])
async def rotate_api_key(
    key_id: uuid.UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> s.ApiKeyCreated:
    """A new secret; the previous one keeps working for the overlap period."""
    require_admin(principal)
    key = await service.key_by_id(session, key_id)
    overlap = dt.timedelta(hours=request.app.state.settings.key_rotation_overlap_hours)
    token = await service.rotate_api_key(session, key, overlap, utcnow())
    _settle_on_every_replica(request, session, key.key_id)
    return s.ApiKeyCreated.model_validate(
        {**s.ApiKeyOut.model_validate(key).model_dump(), "api_key": token}
    )


@router.delete("/api-keys/{key_id}", response_model=s.ApiKeyOut, tags=["admin 平台管理"])
async def revoke_api_key(
    key_id: uuid.UUID, principal: CurrentPrincipal, session: Session, request: Request
) -> s.ApiKeyOut:
    """Revoked at once: the next request with it is refused, on every replica."""
    require_admin(principal)
    key = await service.key_by_id(session, key_id)
    revoked = await service.revoke_api_key(session, key, utcnow())
    _settle_on_every_replica(request, session, key.key_id)
    return s.ApiKeyOut.model_validate(revoked)


def _settle_on_every_replica(request: Request, session: AsyncSession, key_id: str) -> None:
    """Answer only once this replica's listener heard of the change (gateway.service.keycache):
    PostgreSQL has then handed the notification to every replica's listener."""
    cache: ApiKeyCache = request.app.state.key_cache
    waiter = cache.expect(key_id)
    after_commit(session, lambda: cache.settle(waiter))


@router.post("/accounts", status_code=201, response_model=s.AccountOut, tags=["admin 平台管理"])
async def create_account(
    body: s.AccountCreate, principal: CurrentPrincipal, session: Session
) -> JSONResponse:
    require_admin(principal)
    account = await service.create_account(
        session,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        role=body.role,
        province_code=body.province_code,
        organization_id=body.organization_id,
        is_admin=body.is_admin,
    )
    return json_response(
        s.AccountOut.model_validate(account), 201, location=f"/api/v1/accounts/{account.id}"
    )


@router.get("/accounts", response_model=Page[s.AccountOut], tags=["admin 平台管理"])
async def list_accounts(
    principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[s.AccountOut]:
    require_admin(principal)
    return await page_of(session, sa.select(Account), Account.id, page, s.AccountOut)
