"""The one public API: every `/api/v1/...` path of a service, forwarded to its owner with the
caller's signed identity (services reject requests without it)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from starlette.requests import ClientDisconnect

from gateway.api.security import authenticate
from gateway.domain.routing import route
from gateway.service.upstream import Upstreams, relay
from iims_common.errors import NotFound, PayloadTooLarge
from iims_common.ratelimit import RateLimit

router = APIRouter()
FORWARDED_REQUEST_HEADERS = (
    "content-type",
    "accept",
    "accept-language",
    "if-match",
    "if-none-match",
    "idempotency-key",
)
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def raw_path(request: Request) -> str:
    """The path as the client sent it (still percent-encoded), so odd characters reach the
    service exactly as they came and are its to refuse."""
    raw = request.scope.get("raw_path")
    return raw.decode("ascii", "replace") if raw else quote(request.url.path)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.api_route(
    "/api/v1/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def forward(path: str, request: Request) -> Response:
    target = route(request.url.path)
    if target is None:
        raise NotFound(f"No resource at {request.url.path}")
    limits: dict[str, RateLimit] = request.app.state.limits
    caller = None
    if target.public:
        await limits["verification" if target.verification else "public"].check(request, target.key)
    else:
        caller = (await authenticate(request)).caller
    try:
        body = await request.body() if request.method in WITH_BODY else b""
    except ClientDisconnect:  # the client left (e.g. a load generator stopping): nobody to answer
        return Response(status_code=499)
    if len(body) > request.app.state.settings.max_body_bytes:
        raise PayloadTooLarge("The request body is too large")
    upstreams: Upstreams = request.app.state.upstreams
    upstream = await upstreams.request(
        target.service,
        request.method,
        raw_path(request),
        caller=caller,
        params=request.query_params.multi_items(),
        content=body or None,
        headers={h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers},
        client_address=client_address(request),
    )
    return relay(upstream)
