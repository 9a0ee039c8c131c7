"""App factory: every service is built the same way (errors, middleware, health, workers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from iims_common.control_characters import ControlCharacterMiddleware
from iims_common.db import create_engine, create_read_sessionmaker, create_sessionmaker
from iims_common.docs import install_docs
from iims_common.errors import PayloadTooLarge, install_error_handlers, problem_response
from iims_common.fastread import FastReader
from iims_common.i18n import _, negotiate
from iims_common.identifiers import is_ascii_digits
from iims_common.logging import configure_logging
from iims_common.observability import RequestContextMiddleware, health_router
from iims_common.openapi import operation_id, refine_openapi, refuse_unknown_query
from iims_common.settings import ServiceSettings
from iims_common.tracing import configure_tracing
from iims_common.workers import ConsumerFactory, PeriodicJob, Workers

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "rule": {"type": "string", "description": "The business rule that refused the request"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}


class BodyLimitMiddleware:
    """`MAX_BODY_BYTES` for every route of every service and the gateway: a declared
    `Content-Length` over the limit is answered 413 before routing (the body is never read,
    whatever the route or its authentication would say); a body without one (chunked) is
    counted as the app reads it and refused as soon as the count passes the limit.

    (FastAPI's own `max_body_size` replaces any response to such a request, problems
    included, by a text/plain 413, so this one answers problem+json instead.)
    """

    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Bulk imports may be larger (IMPORT_MAX_BYTES): ServiceSettings.body_limit.
        limit = self.settings.body_limit(scope["method"], scope["path"])
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if is_ascii_digits(value.decode("latin-1")) else None
                break
        if declared is not None:
            if declared > limit:
                await self._refuse(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)  # the server delivers no more than declared
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # An HTTPException passes FastAPI's body parsing unchanged; the error
                    # handlers render it as the same 413 problem.
                    raise StarletteHTTPException(413, headers={"Connection": "close"})
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        language = None
        for name, value in scope["headers"]:
            if name == b"accept-language":
                language = value.decode("latin-1")
        locale = negotiate(language)
        too_large = PayloadTooLarge(
            _("The request body is larger than {limit} bytes", limit=limit),
            max_body_bytes=limit,
        )
        response = problem_response(
            too_large.to_problem(scope["path"], locale), {"Connection": "close"}, locale
        )
        await response(scope, receive, send)


def labels_router(labels: Callable[[], dict[str, dict[str, str]]]) -> APIRouter:
    """`GET /labels`: the service's enum labels (kind → code → label) in the request's
    language (zh-CN, English with Accept-Language: en). Internal — not under `/api/v1`, so
    neither routed by the gateway nor in the public OpenAPI document; no caller needed (the
    words of the platform's vocabulary, no data)."""
    router = APIRouter(tags=["operations"])

    @router.get(
        "/labels", summary="Enum labels in the request's language", operation_id="getLabels"
    )
    async def get_labels() -> dict[str, dict[str, str]]:
        return labels()

    return router


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    version: str,
    routers: Sequence[APIRouter],
    consumers: ConsumerFactory | None = None,
    periodic: Sequence[PeriodicJob] = (),
    expose_route: bool = True,
    labels: Callable[[], dict[str, dict[str, str]]] | None = None,
) -> FastAPI:
    """A service's FastAPI app: settings, logging, tracing, database, workers, error
    handlers, middleware, health, docs and `routers`. `labels` (the service's enum labels in
    the request's language, e.g. `served_labels(...)`) is served at `GET /labels`, outside
    `/api/v1`: the gateway merges every service's into the public `GET /api/v1/labels`."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_read_sessionmaker(engine)
        app.state.fast_reader = FastReader(
            engine, app.state.read_sessionmaker, pool_size=settings.database_read_pool_size
        )
        await app.state.fast_reader.start()
        workers = None
        if settings.background_workers:
            workers = Workers(settings, engine, app.state.sessionmaker, consumers, periodic)
            workers.start()
        app.state.workers = workers
        try:
            yield
        finally:
            if workers is not None:
                await workers.stop()
            await app.state.fast_reader.close()
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # FastAPI's pages load from a CDN: iims_common.docs serves its own
        redoc_url=None,
        # FastAPI's own OpenTelemetry bridge is off: RequestContextMiddleware makes the server
        # span (iims_common.tracing), and the bridge asked for the tracer, meter and logger
        # providers on every request (environment look-ups, ~3 % of the gateway's CPU per
        # forwarded call by py-spy; bench/README.md, fifth round).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Inside the body limit: it reads a body only after that limit has let it through.
    app.add_middleware(ControlCharacterMiddleware)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(RequestContextMiddleware, expose_route=expose_route)
    if settings.trusted_proxy_list:
        # Outermost, so every later layer (logs, rate limits, the gateway's X-Forwarded-For
        # to the services) sees the real client. Servers must not do this themselves:
        # uvicorn runs with --no-proxy-headers (Dockerfile, make run).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    # Every route refuses query parameters it does not declare (422 naming them).
    contract = [Depends(refuse_unknown_query)]
    app.include_router(health_router, dependencies=contract)
    install_docs(app)
    if labels is not None:
        app.include_router(labels_router(labels), dependencies=contract)
    for router in routers:
        app.include_router(router, dependencies=contract)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        refine_openapi(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
