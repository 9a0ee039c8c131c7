"""Request and response bodies of the gateway's own endpoints; the commands and answers of
its use cases (`gateway.service.dto`) are re-exported here."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from gateway.service.dto import (
    KEY_ROLES,
    ORGANIZATIONAL,
    PROVINCE,
    SCOPE_SCHEMA,
    AccountCreate,
    AccountOut,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    Scoped,
)
from iims_common.schemas import Input, Output


class LoginIn(Input):
    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class RefreshIn(Input):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class TokenOut(Output):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str


class MeOut(Output):
    subject: str
    role: str
    province_code: str | None
    organization_id: uuid.UUID | None
    admin: bool


__all__ = [
    "KEY_ROLES",
    "ORGANIZATIONAL",
    "PROVINCE",
    "SCOPE_SCHEMA",
    "AccountCreate",
    "AccountOut",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "LoginIn",
    "MeOut",
    "RefreshIn",
    "Scoped",
    "TokenOut",
]
