"""Keyset (cursor) pagination: `?limit=&cursor=` → `{"items": [...], "next_cursor": ...}`.

A cursor is opaque to clients and only valid on the list that issued it (DESIGN.md §3 "lists
refuse what they did not issue"). It is ``base64url(version ‖ last id (16 bytes) ‖ tag)``
where ``tag`` is the first 16 bytes of HMAC-SHA256 over the list's identity (service name,
method and route template) and the id, keyed by a key derived from `INTERNAL_TOKEN_SECRET`
(shared by every replica of a service, so a cursor survives load balancing). Anything else —
any JSON, any base64, any length, a cursor issued by another list or signed with another
secret — is a 422 problem+json naming the `cursor` field, decided in the `Pagination`
dependency before the route runs. Rotating the secret invalidates open cursors (the client
restarts the listing).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, WithJsonSchema
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from iims_common.errors import FieldError, ValidationFailed
from iims_common.i18n import _

T = TypeVar("T")
S = TypeVar("S", bound=BaseModel)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CURSOR_VERSION = 1
_TAG_BYTES = 16
_CURSOR_BYTES = 1 + 16 + _TAG_BYTES
CURSOR_LENGTH = len(base64.urlsafe_b64encode(b"\0" * _CURSOR_BYTES).rstrip(b"="))
_KEY_LABEL = b"iims-list-cursor-v1"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    """A validated page request: `after` is the last id of the previous page (None: first
    page); `list_key` identifies the list, `signing_key` signs the next cursor."""

    model_config = ConfigDict(frozen=True)

    limit: int = DEFAULT_LIMIT
    after: UUID | None = None
    list_key: str = ""
    signing_key: bytes = b""


def cursor_signing_key(secret: str) -> bytes:
    """The cursor key derived from the service's internal secret (never the secret itself)."""
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def list_key_of(request: Request) -> str:
    """The identity of the list a request reads: service, method and route template."""
    route = request.scope.get("route")
    template = getattr(route, "path", None) or request.url.path
    settings = getattr(request.app.state, "settings", None)
    service = getattr(settings, "service_name", "") or request.app.title
    return f"{service} {request.method} {template}"


def _tag(signing_key: bytes, list_key: str, after: bytes) -> bytes:
    mac = hmac.new(signing_key, list_key.encode() + b"\n" + after, hashlib.sha256)
    return mac.digest()[:_TAG_BYTES]


def encode_cursor(last_id: UUID, list_key: str, signing_key: bytes) -> str:
    """The cursor that continues `list_key` after `last_id`."""
    raw = bytes([CURSOR_VERSION]) + last_id.bytes
    token = base64.urlsafe_b64encode(raw + _tag(signing_key, list_key, raw[1:]))
    return token.decode().rstrip("=")


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        _("Invalid cursor"),
        errors=[FieldError("cursor", _("not a cursor issued by this list; start without one"))],
    )


def decode_cursor(cursor: str, list_key: str, signing_key: bytes) -> UUID:
    """The last id a cursor of `list_key` carries; `ValidationFailed` (422) for anything that
    this list did not issue (wrong length, alphabet, version, list or signature)."""
    if len(cursor) != CURSOR_LENGTH or not cursor.isascii():
        raise _invalid_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _invalid_cursor() from exc
    if len(raw) != _CURSOR_BYTES or raw[0] != CURSOR_VERSION:
        raise _invalid_cursor()
    after, tag = raw[1:17], raw[17:]
    if not hmac.compare_digest(tag, _tag(signing_key, list_key, after)):
        raise _invalid_cursor()
    # Refuse non-canonical spellings (e.g. trailing bits set): one cursor, one spelling.
    if encode_cursor(UUID(bytes=after), list_key, signing_key) != cursor:
        raise _invalid_cursor()
    return UUID(bytes=after)


# The cursor's shape is stated for clients and generators but checked by `decode_cursor`
# alone: a refusal says only that the cursor was not issued by this list, never how one is made.
CursorText = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "minLength": CURSOR_LENGTH,
            "maxLength": CURSOR_LENGTH,
            "pattern": r"^[A-Za-z0-9_-]+$",
        }
    ),
]


def page_params(
    request: Request,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Page size (1–500)")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        CursorText | None,
        Query(description="Opaque cursor: the `next_cursor` this same list returned"),
    ] = None,
) -> PageParams:
    """The `Pagination` dependency: validates `limit` and the cursor against this list."""
    settings = request.app.state.settings
    signing_key = cursor_signing_key(settings.internal_token_secret.get_secret_value())
    list_key = list_key_of(request)
    after = decode_cursor(cursor, list_key, signing_key) if cursor is not None else None
    return PageParams(limit=limit, after=after, list_key=list_key, signing_key=signing_key)


Pagination = Annotated[PageParams, Depends(page_params)]


def where_given(stmt: Select[Any], *filters: tuple[Any, Any]) -> Select[Any]:
    """Apply `column == value` for each optional filter that was given (not None)."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


async def page_of(
    session: AsyncSession,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[UUID],
    params: PageParams,
    schema: type[S],
) -> Page[S]:
    """One page of `stmt`, each row rendered as `schema` (a from_attributes model)."""
    rows, cursor = await paginate(session, stmt, id_column, params)
    return Page[S](items=[schema.model_validate(r) for r in rows], next_cursor=cursor)


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[UUID],
    params: PageParams,
) -> tuple[list[Any], str | None]:
    """Run `stmt` ordered by the (UUIDv7, so time-ordered) id column after the cursor; the
    next cursor (or None on the last page) is bound to the same list."""
    if params.after is not None:
        stmt = stmt.where(id_column > params.after)
    rows = list((await session.scalars(stmt.order_by(id_column).limit(params.limit + 1))).all())
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    if not (more and rows):
        return rows, None
    last = getattr(rows[-1], id_column.key)
    return rows, encode_cursor(last, params.list_key, params.signing_key)
