"""Small HTTP helpers shared by routes: ETag / If-Match, JSON responses, common dependencies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import unit_of_work
from iims_common.errors import PreconditionFailed, PreconditionRequired
from iims_common.i18n import _

# scope="function": the unit of work commits before the response is sent.
Session = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]
IfMatch = Annotated[str | None, Header(alias="If-Match")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """`If-Match` against the current version, compared strongly (RFC 9110 §13.1.1: a weak
    `W/"2"` never matches, `*` matches any current version); 428 when missing, 412 when no
    listed ETag is the current one."""
    if if_match is None:
        raise PreconditionRequired(_("Send If-Match with the ETag you last read"))
    candidates = [c.strip() for c in if_match.split(",")]
    if "*" not in candidates and etag(version) not in candidates:
        raise PreconditionFailed(
            _("The resource is at version {etag}; re-read it and retry", etag=etag(version)),
            current_etag=etag(version),
        )


def json_response(
    body: Any, status_code: int = 200, *, version: int | None = None, location: str | None = None
) -> JSONResponse:
    headers: dict[str, str] = {}
    if version is not None:
        headers["ETag"] = etag(version)
    if location:
        headers["Location"] = location
    if isinstance(body, BaseModel):
        # pydantic-core serializes straight to JSON bytes (no intermediate dict walk).
        return PydanticJSONResponse(body, status_code=status_code, headers=headers)
    return JSONResponse(jsonable_encoder(body), status_code=status_code, headers=headers)


class PydanticJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            return content.model_dump_json().encode()
        return super().render(content)
