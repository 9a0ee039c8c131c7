"""Hot GETs without FastAPI's per-request dependency solving.

Why: in-process, `GET /api/v1/enterprises/{id}` spent ~25 % of its CPU in FastAPI's
`solve_dependencies` (this FastAPI version re-inspects the parameters' annotations on every
request) and ~14 % finding the route (the included routers are tried in turn), against ~13 %
reading the row (bench/README.md, third round).

`fast_get(app, documented, handler)` puts a plain Starlette route in front of the app's
routes for the *plain case only* of a documented FastAPI GET route: method GET, no query
string, every path parameter a canonical UUID, the identity header present. It hands the
handler the caller (verified exactly as `current_caller` does) and the parsed path
parameters. Everything else — HEAD, a query string (the router's query contract answers it),
a malformed id, no identity — does not match, and the documented route answers as before.
The handler is the same function the documented route calls, so both give the same answer;
the OpenAPI document is built from the documented route and does not change. Metrics and
`X-IIMS-Route` name the documented template (`scope["route"].path`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, compile_path, get_route_path
from starlette.types import Receive, Scope, Send

from iims_common.identity import IDENTITY_HEADER, Caller, verify_internal_token

FastHandler = Callable[[Request, Caller, dict[str, uuid.UUID]], Awaitable[Response]]
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_IDENTITY = IDENTITY_HEADER.lower().encode("latin-1")


class FastGetRoute(BaseRoute):
    """The plain case of a documented GET route (see the module docstring)."""

    def __init__(self, documented: APIRoute, handler: FastHandler) -> None:
        _regex, _format, convertors = compile_path(documented.path)
        names = list(convertors)
        pattern = re.escape(documented.path)
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>{_UUID})")
        self.regex = re.compile(f"^{pattern}$")
        self.path = documented.path  # the template metrics and X-IIMS-Route report
        self.path_format = documented.path
        self.name = f"{documented.name}_fast"
        self.include_in_schema = False
        self.documented = documented
        self.handler = handler

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope.get("query_string")
            or (found := self.regex.match(get_route_path(scope))) is None
        ):
            return Match.NONE, {}
        for name, value in scope["headers"]:
            if name == _IDENTITY:
                params = {k: uuid.UUID(v) for k, v in found.groupdict().items()}
                return Match.FULL, {"path_params": params, "route": self, "iims.identity": value}
        return Match.NONE, {}  # no identity: the documented route's 401

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        secret: str = scope["app"].state.settings.internal_token_secret.get_secret_value()
        caller = verify_internal_token(secret, scope["iims.identity"].decode("latin-1"))
        response = await self.handler(request, caller, scope["path_params"])
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return self.documented.url_path_for(name, **path_params)


def fast_get(app: FastAPI, router: APIRouter, path: str, handler: FastHandler) -> None:
    """Serve the plain case of `router`'s documented `GET path` (the full path: `router` is
    included in `app` without a further prefix) through `handler` (module docstring)."""
    documented = [
        r
        for r in router.routes
        if isinstance(r, APIRoute) and r.path == path and "GET" in (r.methods or ())
    ]
    if len(documented) != 1:
        raise LookupError(f"no single documented GET {path}")
    app.router.routes.insert(0, FastGetRoute(documented[0], handler))
