"""Gateway app: `uvicorn gateway.main:app`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute

from gateway import __version__
from gateway.api import auth, console, proxy, views
from gateway.consumers import gateway_consumers
from gateway.domain.openapi import merge
from gateway.service import webhooks
from gateway.service.auth import ensure_bootstrap_admin
from gateway.service.keycache import ApiKeyCache
from gateway.service.labels import LabelCatalogue
from gateway.service.upstream import UpstreamAnswer, UpstreamResponse, Upstreams, relay
from gateway.settings import SERVICES, GatewaySettings, get_settings
from iims_common.app import create_service_app
from iims_common.errors import mark_fallback
from iims_common.personal_data import PersonalDataVault
from iims_common.ratelimit import RateLimit
from iims_common.workers import PeriodicJob
from iims_contracts import asyncapi
from iims_contracts.html import render as render_asyncapi

DESCRIPTION = "两化融合管理体系 咨询与认定服务平台 — gateway (咨询服务平台 API)."
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-API-Key",
    "Idempotency-Key",
    "If-Match",
    "X-Request-ID",
    "traceparent",
]
# Response headers a browser script may read (CORS hides all but a few otherwise); a test
# checks that every header the merged OpenAPI documents is here.
EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Idempotent-Replayed",
    "Content-Disposition",
    "WWW-Authenticate",
    "Allow",
]


def create_app(
    settings: GatewaySettings | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """`transports` lets tests put the real service apps in-process (ASGI) behind it."""
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="IIMS platform API",
        description=DESCRIPTION,
        version=__version__,
        routers=[auth.router, views.router, proxy.router, console.router],
        consumers=gateway_consumers,
        expose_route=False,  # the public edge does not tell clients its route table
        periodic=[
            PeriodicJob(
                "webhook-deliveries",
                settings.webhook_poll_interval_s,
                webhooks.delivery_job(settings, PersonalDataVault.from_settings(settings)),
            )
        ],
    )
    mark_fallback(console.router)  # any path: the console's history routing, not an Allow
    app.router.routes.insert(0, proxy.service_route())  # forwarded calls matched at once
    app.state.upstreams = Upstreams(settings, transports)
    app.state.labels = LabelCatalogue(app.state.upstreams)

    @app.exception_handler(UpstreamAnswer)
    async def _service_answer(request: Request, exc: UpstreamAnswer) -> Response:
        return relay(exc.response)

    storage = settings.rate_limit_storage
    app.state.limits = {
        "key": RateLimit(settings.rate_limit_per_key, storage),
        "public": RateLimit(settings.rate_limit_public, storage),
        "verification": RateLimit(settings.rate_limit_verification, storage),
    }
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    _merged_openapi(app)
    _asyncapi_document(app)
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with service_lifespan(application) as state:
            await ensure_bootstrap_admin(application.state.sessionmaker, settings)
            key_cache = ApiKeyCache(application.state.engine, ttl_s=settings.api_key_cache_ttl_s)
            application.state.key_cache = key_cache
            await key_cache.start()
            try:
                yield state
            finally:
                await key_cache.close()
                await application.state.upstreams.close()

    app.router.lifespan_context = lifespan
    return app


def _merged_openapi(app: FastAPI) -> None:
    """Replace the gateway's own /openapi.json by the platform's merged document (built from
    every service's document; not cached while a service is unreachable)."""
    app.router.routes = [
        r for r in app.router.routes if getattr(r, "path", None) != app.openapi_url
    ]
    cache: dict[str, Any] = {}

    async def openapi(request: Request) -> JSONResponse:
        if "spec" in cache:
            return JSONResponse(cache["spec"])
        upstreams: Upstreams = request.app.state.upstreams
        responses = await asyncio.gather(
            *(upstreams.request(s, "GET", "/openapi.json", caller=None) for s in SERVICES),
            return_exceptions=True,
        )
        specs = {
            s: r.json()
            for s, r in zip(SERVICES, responses, strict=True)
            if isinstance(r, UpstreamResponse) and r.status_code == 200
        }
        spec = merge(app.openapi(), specs)
        if len(specs) == len(SERVICES):
            cache["spec"] = spec
        else:
            missing = sorted(set(SERVICES) - set(specs))
            spec["info"]["description"] += (
                f"\n\n(Unreachable now, not listed: {', '.join(missing)}.)"
            )
        return JSONResponse(spec)

    app.router.routes.insert(0, APIRoute("/openapi.json", openapi, include_in_schema=False))


def _asyncapi_document(app: FastAPI) -> None:
    """`/asyncapi.json`: the AsyncAPI 3.0 document of the platform's events (generated from
    `iims_contracts`), beside `/openapi.json`; `/asyncapi`: its HTML rendering, made here (no
    CDN). Public like the OpenAPI document; the server's host is the deployment's, not shown."""
    doc = asyncapi.document(version=__version__)
    page = render_asyncapi(doc)

    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(doc)

    async def asyncapi_html() -> HTMLResponse:
        return HTMLResponse(page)

    app.router.routes.insert(0, APIRoute("/asyncapi.json", asyncapi_json, include_in_schema=False))
    app.router.routes.insert(0, APIRoute("/asyncapi", asyncapi_html, include_in_schema=False))


app = create_app()
