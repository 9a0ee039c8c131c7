"""Request id + trace context + HTTP metrics middleware, and /healthz, /readyz, /metrics."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.trace import SpanKind
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iims_common.context import (
    new_traceparent,
    request_id_var,
    request_target_var,
    traceparent_var,
    valid_traceparent,
)
from iims_common.errors import PROBLEM_MEDIA_TYPE
from iims_common.events.kafka import broker_reachable
from iims_common.i18n import _, locale_var, negotiate
from iims_common.tracing import span

access_log = logging.getLogger("iims.access")

HTTP_REQUESTS = Counter("iims_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "iims_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
UNMETERED = {"/metrics", "/healthz", "/readyz"}
# A service tells its caller (the gateway) which of its routes answered, so the edge's
# metrics are per endpoint: `X-IIMS-Route: /api/v1/enterprises/{enterprise_id}`. The gateway
# puts it in the request scope under ROUTE_TEMPLATE (and never passes the header on).
ROUTE_HEADER = b"x-iims-route"
ROUTE_TEMPLATE = "iims.route_template"


def request_target(scope: Scope) -> str:
    """`METHOD /path?query` exactly as the client sent the path and query (percent-encoded)."""
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope['method']} {path}" + (f"?{query}" if query else "")


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): X-Request-ID in/out, traceparent, metrics.

    Metrics are labelled with the matched route template; a handler may name another one in
    `scope[ROUTE_TEMPLATE]` (the gateway: the service's template for a forwarded call). With
    `expose_route` the template also goes out as `X-IIMS-Route` (services, for the gateway).
    """

    def __init__(self, app: ASGIApp, *, expose_route: bool = True) -> None:
        self.app = app
        self.expose_route = expose_route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id", "")[:128] or uuid.uuid4().hex
        traceparent = valid_traceparent(headers.get("traceparent")) or new_traceparent()
        rid_token = request_id_var.set(request_id)
        locale_token = locale_var.set(negotiate(headers.get("accept-language")))
        target_token = request_target_var.set(request_target(scope))
        tp_token = traceparent_var.set(traceparent)
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
                matched = getattr(scope.get("route"), "path", None)
                if self.expose_route and matched:
                    message["headers"].append((ROUTE_HEADER, matched.encode("latin-1")))
            await send(message)

        try:
            with span(
                f"{scope['method']} {scope['path']}",
                traceparent,
                SpanKind.SERVER,
                **{"http.request.method": scope["method"], "url.path": scope["path"]},
            ):
                await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            template = (
                scope.get(ROUTE_TEMPLATE)
                or getattr(scope.get("route"), "path", None)
                or "unmatched"
            )
            if template not in UNMETERED:
                HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
                HTTP_LATENCY.labels(scope["method"], template).observe(elapsed)
                level = logging.ERROR if status >= 500 else logging.INFO
                if access_log.isEnabledFor(level):
                    access_log.log(
                        level,
                        "request",
                        extra={
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                        },
                    )
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)
            locale_var.reset(locale_token)
            request_target_var.reset(target_token)


health_router = APIRouter(tags=["operations"])


@health_router.get("/healthz", summary="Process is up (liveness)")
async def get_health() -> dict[str, str]:
    return {"status": "ok"}


@health_router.get("/readyz", summary="Database and broker reachable (readiness)")
async def get_readiness(request: Request) -> Response:
    checks: dict[str, Any] = {}
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    settings = request.app.state.settings
    checks["broker"] = (
        "ok" if await broker_reachable(settings.kafka_bootstrap_servers) else "unreachable"
    )
    if all(v == "ok" for v in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    return JSONResponse(
        {
            "type": "https://iims.miit.gov.cn/problems/not-ready",
            "title": str(_("Not ready")),
            "status": 503,
            "detail": str(_("A dependency is unreachable")),
            "checks": checks,
        },
        status_code=503,
        media_type=PROBLEM_MEDIA_TYPE,
    )


@health_router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
