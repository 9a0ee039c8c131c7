"""App factory: every service is built the same way (errors, middleware, health, workers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from iims_common.db import create_engine, create_read_sessionmaker, create_sessionmaker
from iims_common.errors import install_error_handlers
from iims_common.fastread import FastReader
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


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    version: str,
    routers: Sequence[APIRouter],
    consumers: ConsumerFactory | None = None,
    periodic: Sequence[PeriodicJob] = (),
) -> FastAPI:
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
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    # Every route refuses query parameters it does not declare (422 naming them).
    contract = [Depends(refuse_unknown_query)]
    app.include_router(health_router, dependencies=contract)
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
