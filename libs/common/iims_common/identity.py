"""Verified caller identity and the primitives for object-level authorization.

Until the gateway exists, services accept a signed internal token (HS256 JWT with a shared
secret from settings) in the `X-IIMS-Identity` header; the gateway will mint the same token
after authenticating API keys or bearer tokens. Tests mint one with `mint_internal_token`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated
from uuid import UUID

import jwt
from fastapi import Depends, Header, Request

from iims_common.enums import LabelledEnum
from iims_common.errors import Forbidden, Unauthorized
from iims_common.i18n import _

IDENTITY_HEADER = "X-IIMS-Identity"
TOKEN_ISSUER = "iims-gateway"
TOKEN_AUDIENCE = "iims-internal"


class Role(LabelledEnum):
    """Who a caller is (the token's `role`)."""

    ministry = "ministry"  # 信息化推进司/科技司, 联合工作组
    province = "province"  # 地方工信主管部门
    recommender = "recommender"  # 中央企业集团, 行业协会, 部内司局
    enterprise = "enterprise"  # 试点企业
    consultancy = "consultancy"  # 贯标服务机构
    certification_body = "certification_body"  # 认定服务机构
    management_org = "management_org"  # 认定管理组织
    # 认定审核员: a person (subject = person id) who sees the audits whose team they are on.
    auditor = "auditor"

    __labels__ = {
        ministry: _("Ministry (MIIT)"),
        province: _("Provincial authority"),
        recommender: _("Recommending unit"),
        enterprise: _("Pilot enterprise"),
        consultancy: _("Consultancy"),
        certification_body: _("Certification body"),
        management_org: _("Management organization"),
        auditor: _("Certification auditor"),
    }


NATIONAL_ROLES = frozenset({Role.ministry, Role.management_org})


@dataclass(frozen=True)
class Caller:
    subject: str
    role: Role
    province_code: str | None = None
    organization_id: UUID | None = None

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    @property
    def client_key(self) -> str:
        """Who owns Idempotency-Keys: the authenticated principal."""
        return f"{self.role}:{self.subject}"


def mint_internal_token(secret: str, caller: Caller, ttl: dt.timedelta | None = None) -> str:
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
        "sub": caller.subject,
        "role": caller.role.value,
        "iat": now,
        "exp": now + (ttl or dt.timedelta(minutes=5)),
    }
    if caller.province_code:
        claims["province_code"] = caller.province_code
    if caller.organization_id:
        claims["organization_id"] = str(caller.organization_id)
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_internal_token(secret: str, token: str) -> Caller:
    caller, expires = _verify_cached(secret, token)
    if expires <= dt.datetime.now(dt.UTC).timestamp():
        raise Unauthorized(_("Invalid internal identity token: Signature has expired"))
    return caller


@lru_cache(maxsize=4096)
def _verify_cached(secret: str, token: str) -> tuple[Caller, float]:
    """Signature and claims checked once per token (the gateway reuses a token until it
    expires); expiry is re-checked on every call by the caller above."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=TOKEN_AUDIENCE,
            issuer=TOKEN_ISSUER,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
        role = Role(claims["role"])
        org = claims.get("organization_id")
        caller = Caller(
            subject=str(claims["sub"]),
            role=role,
            province_code=claims.get("province_code"),
            organization_id=UUID(org) if org else None,
        )
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized(_("Invalid internal identity token: {exc}", exc=exc)) from exc
    if role is Role.province and not caller.province_code:
        raise Unauthorized(_("A province identity must carry province_code"))
    if role in (Role.enterprise, Role.consultancy, Role.certification_body, Role.recommender) and (
        caller.organization_id is None
    ):
        raise Unauthorized(_("A {role} identity must carry organization_id", role=role))
    return caller, float(claims["exp"])


async def current_caller(
    request: Request,
    x_iims_identity: Annotated[str | None, Header(alias=IDENTITY_HEADER)] = None,
) -> Caller:
    if not x_iims_identity:
        raise Unauthorized(_("Missing {IDENTITY_HEADER} header", IDENTITY_HEADER=IDENTITY_HEADER))
    secret: str = request.app.state.settings.internal_token_secret.get_secret_value()
    return verify_internal_token(secret, x_iims_identity)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require_role(caller: Caller, *roles: Role) -> None:
    """Route-level check (what a role may do at all). Object scope is applied in queries."""
    if caller.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(
            _(
                "Role '{role}' may not do this (allowed: {allowed})",
                role=caller.role,
                allowed=allowed,
            )
        )
