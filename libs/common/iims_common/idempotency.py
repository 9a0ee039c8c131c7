"""Idempotency-Key for creates (Stripe / IETF draft semantics).

The key row is written in the same transaction as the create. Same key + same request → the
first response again; same key + a different request → 422. "The request" is the method, the
full target (path and query, as sent) and the body: the fingerprint takes the method and
target from the request context (`iims_common.context.request_target_var`, set by the
middleware of every app), so no route can leave them out — the same key and body sent to
`/applications/A/decision` and then `/applications/B/decision` is a 422, never a replay of
A's answer. A concurrent duplicate waits on the unique index until the first commits, then
replays its response (PostgreSQL); it never runs the create twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.context import request_target_var
from iims_common.db import upsert_insert, utcnow
from iims_common.errors import Conflict, FieldError, ValidationFailed
from iims_common.events.tables import idempotency_keys
from iims_common.http import IdempotencyKey, Session
from iims_common.i18n import _
from iims_common.identity import Caller, CurrentCaller

REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200


def fingerprint(body: Any, target: str | None = None) -> str:
    """SHA-256 over the request target (`METHOD /path?query`, default: the current request's)
    and the canonical JSON of the body."""
    target = request_target_var.get() if target is None else target
    canonical = json.dumps(jsonable_encoder(body), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{target}\n{canonical}".encode()).hexdigest()


class Idempotency:
    """The Idempotency-Key of one request, as a FastAPI dependency (`Idempotent`).

    A create route asks it first, then calls its use case and lets it remember the answer:

        if (replayed := await idem.replay(body)) is not None:
            return replayed
        row = await use_case(session, caller, body)
        return await idem.remember(json_response(..., 201))

    Without the header both calls do nothing. The key row is written in the request's
    transaction, so a failing use case (any error) releases the key with everything else.
    """

    def __init__(self, session: AsyncSession, caller: Caller, key: str | None) -> None:
        self.session, self.caller, self.key = session, caller, key
        self._claimed = False

    async def replay(self, body: Any) -> JSONResponse | None:
        """Claim the key for this request (method, target and `body`); the first answer again
        (with `Idempotent-Replayed: true`) when this request was answered already; 422 when the
        key was used for a different request, 409 while that request is still running."""
        if self.key is None:
            return None
        key = self.key
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed(
                _("Invalid Idempotency-Key"),
                errors=[
                    FieldError(
                        "Idempotency-Key", _("must be 1–{max} characters", max=MAX_KEY_LENGTH)
                    )
                ],
            )
        fp = fingerprint(body)
        client = self.caller.client_key
        claimed = await self.session.execute(
            upsert_insert(self.session, idempotency_keys)
            .values(client=client, key=key, fingerprint=fp, created_at=utcnow())
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if claimed.first() is not None:
            self._claimed = True
            return None
        row = (
            await self.session.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.client == client, idempotency_keys.c.key == key
                )
            )
        ).one()
        if row.fingerprint != fp:
            raise ValidationFailed(
                _("This Idempotency-Key was used with a different request (method, path or body)"),
                errors=[
                    FieldError(
                        "Idempotency-Key", _("reused with a different request; use a new key")
                    )
                ],
            )
        if row.status_code is None:
            raise Conflict(_("A request with this Idempotency-Key is still being processed"))
        return JSONResponse(
            row.response,
            status_code=row.status_code,
            headers={**(row.headers or {}), REPLAY_HEADER: "true"},
        )

    async def remember(self, response: JSONResponse) -> JSONResponse:
        """Store `response` as the answer to the claimed key (status, body, ETag, Location)."""
        if self._claimed:
            await self.session.execute(
                update(idempotency_keys)
                .where(
                    idempotency_keys.c.client == self.caller.client_key,
                    idempotency_keys.c.key == self.key,
                )
                .values(
                    status_code=response.status_code,
                    response=json.loads(bytes(response.body)),
                    headers={
                        k: v for k, v in response.headers.items() if k in ("etag", "location")
                    },
                )
            )
        return response


async def idempotency(
    session: Session, caller: CurrentCaller, key: IdempotencyKey = None
) -> Idempotency:
    return Idempotency(session, caller, key)


# The dependency a create route declares: `idem: Idempotent`.
Idempotent = Annotated[Idempotency, Depends(idempotency)]


async def idempotent(
    session: AsyncSession,
    caller: Caller,
    key: str | None,
    body: Any,
    create: Callable[[], Awaitable[JSONResponse]],
) -> JSONResponse:
    """The same as `Idempotency` for a route that still wraps its create in a closure."""
    idem = Idempotency(session, caller, key)
    replayed = await idem.replay(body)
    if replayed is not None:
        return replayed
    return await idem.remember(await create())
