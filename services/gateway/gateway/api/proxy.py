"""The one public API: every `/api/v1/...` path of a service, forwarded to its owner with the
caller's signed identity (services reject requests without it)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from starlette.requests import ClientDisconnect
from starlette.routing import Match, Route
from starlette.types import Scope

from gateway.api.security import authenticate
from gateway.domain.routing import route
from gateway.service.upstream import Upstreams, relay
from iims_common.errors import allowed_methods, mark_fallback, method_not_allowed
from iims_common.observability import ROUTE_HEADER, ROUTE_TEMPLATE
from iims_common.ratelimit import RateLimit

router = APIRouter()
mark_fallback(router)  # matches any /api/v1 path: not evidence of a method (Allow)
FORWARDED_REQUEST_HEADERS = (
    "content-type",
    "accept",
    "accept-language",
    "if-match",
    "if-none-match",
    "idempotency-key",
)
_FORWARDED = frozenset(h.encode() for h in FORWARDED_REQUEST_HEADERS)
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def raw_path(request: Request) -> str:
    """The path as the client sent it (still percent-encoded), so odd characters reach the
    service exactly as they came and are its to refuse."""
    raw = request.scope.get("raw_path")
    return raw.decode("ascii", "replace") if raw else quote(request.url.path)


def forwarded_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The client's headers that go on to the service (`FORWARDED_REQUEST_HEADERS`), in one
    pass over the raw ASGI pairs (a repeated one: the first, as `request.headers[h]`)."""
    out: dict[str, str] = {}
    for name, value in raw:
        if name in _FORWARDED:  # ASGI servers lowercase header names
            key = name.decode("latin-1")
            if key not in out:
                out[key] = value.decode("latin-1")
    return out


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def forward(request: Request) -> Response:
    """Forward to the owning service. A path no service owns may still be one of the
    gateway's own with another method: 405 (OPTIONS: 204) with its `Allow`, else 404.
    OPTIONS goes to the service without an identity: its routing answers `Allow` before any
    authorization runs."""
    target = route(request.url.path)
    if target is None:
        return method_not_allowed(request, allowed_methods(request))
    limits: dict[str, RateLimit] = request.app.state.limits
    caller = None
    if target.public:
        await limits["verification" if target.verification else "public"].check(request, target.key)
    elif request.method == "OPTIONS":
        await limits["public"].check(request, "options")
    else:
        caller = (await authenticate(request)).caller
    try:
        body = await request.body() if request.method in WITH_BODY else b""
    except ClientDisconnect:  # the client left (e.g. a load generator stopping): nobody to answer
        return Response(status_code=499)
    upstreams: Upstreams = request.app.state.upstreams
    upstream = await upstreams.request(
        target.service,
        request.method,
        raw_path(request),
        caller=caller,
        params=request.query_params.multi_items(),
        content=body or None,
        headers=forwarded_headers(request.scope["headers"]),
        client_address=client_address(request),
    )
    # Metrics at the edge per endpoint of the service, not per `/api/v1/{path:path}`.
    for name, value in upstream.raw_headers:
        if name.lower() == ROUTE_HEADER:
            request.scope[ROUTE_TEMPLATE] = value.decode("latin-1")
            break
    return relay(upstream)


FORWARDED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# A plain Starlette route, not a FastAPI one: it has no parameters to solve, and FastAPI's
# request handling (dependency solving, the router's query-contract dependency, which skips
# undocumented routes anyway) was ~10 % of the gateway's CPU per forwarded call (py-spy).
# This one, last in the routes, answers the paths no service owns (404, or 405 with the
# gateway's own methods); the paths a service owns are matched first by `ServiceRoute`.
router.add_route("/api/v1/{path:path}", forward, methods=FORWARDED_METHODS, include_in_schema=False)


class ServiceRoute(Route):
    """`forward` for the paths a service owns (`gateway.domain.routing.ROUTES`), placed first
    in the app's routes so a forwarded call is matched at once: behind the gateway's own
    routers FastAPI matched it by trying each included router in turn (~8 % of the gateway's
    CPU per forwarded call by py-spy; bench/README.md, fifth round). It matches nothing
    else, so the gateway's own paths (none of them is a service collection: the routing
    test compares the table with every service's OpenAPI) reach their routes as before."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and route(scope["path"]) is not None:
            return super().matches(scope)
        return Match.NONE, {}


def service_route() -> ServiceRoute:
    """The first route of the gateway app (see `ServiceRoute`); marked as a fallback, so it is
    no evidence of which methods a path has (`iims_common.errors.allowed_methods`)."""
    first = ServiceRoute(
        "/api/v1/{path:path}", forward, methods=FORWARDED_METHODS, include_in_schema=False
    )
    mark_fallback(first)
    return first
