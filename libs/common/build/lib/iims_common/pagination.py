"""Keyset (cursor) pagination: `?limit=&cursor=` → `{"items": [...], "next_cursor": ...}`."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from iims_common.errors import FieldError, ValidationFailed

T = TypeVar("T")
S = TypeVar("S", bound=BaseModel)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Page size (1–500)")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200, description="Opaque cursor")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


Pagination = Annotated[PageParams, Depends(page_params)]


def encode_cursor(last_id: UUID) -> str:
    raw = json.dumps({"after": str(last_id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return UUID(json.loads(base64.urlsafe_b64decode(padded))["after"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            "Invalid cursor", errors=[FieldError("cursor", "not a cursor returned by this API")]
        ) from exc


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
    """Run `stmt` ordered by the (UUIDv7, so time-ordered) id column after the cursor."""
    if params.cursor:
        stmt = stmt.where(id_column > decode_cursor(params.cursor))
    rows = list((await session.scalars(stmt.order_by(id_column).limit(params.limit + 1))).all())
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return rows, (encode_cursor(getattr(rows[-1], id_column.key)) if more and rows else None)
