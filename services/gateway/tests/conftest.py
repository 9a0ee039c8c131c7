"""Gateway fixtures: the whole platform in one process — the four services' real apps on
their own migrated PostgreSQL databases, with their relays and consumers on the session
broker, behind the gateway (each service reached through an ASGI transport instead of a
socket; everything else is as deployed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from gateway_platform import ADMIN_PASSWORD, COMMON, Platform, _settings

from assessment.main import create_app as assessment_app
from assessment.settings import AssessmentSettings
from audit.main import create_app as audit_app
from audit.settings import AuditSettings
from gateway.main import create_app as gateway_app
from gateway.settings import GatewaySettings
from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.testing import create_migrated_database
from registry.main import create_app as registry_app
from registry.settings import RegistrySettings
from training.main import create_app as training_app
from training.settings import TrainingSettings


@pytest.fixture(scope="session")
def service_name() -> str:
    """For the shared fixtures and the migration round trip (iims_common.pytest_plugin)."""
    return "gateway"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def platform() -> AsyncIterator[Platform]:
    """Its own broker: the session broker carries every other test's events, which the
    platform's consumers (reading from the earliest offset) would otherwise wade through."""
    port = free_port()
    process = start_broker(port)
    try:
        async for p in _platform(f"127.0.0.1:{port}"):
            yield p
    finally:
        stop_broker(process)


async def _platform(broker: str) -> AsyncIterator[Platform]:
    factories = {
        "registry": (registry_app, RegistrySettings),
        "training": (training_app, TrainingSettings),
        "assessment": (assessment_app, AssessmentSettings),
        "audit": (audit_app, AuditSettings),
    }
    async with AsyncExitStack() as stack:
        services: dict[str, FastAPI] = {}
        for name, (factory, cls) in factories.items():
            app = factory(_settings(cls, name, broker))  # type: ignore[operator]
            await stack.enter_async_context(app.router.lifespan_context(app))
            services[name] = app
        settings = GatewaySettings(
            database_url=create_migrated_database("iims_gw_gateway_test", service="gateway"),
            kafka_bootstrap_servers=broker,
            admin_password=ADMIN_PASSWORD,  # type: ignore[arg-type]
            jwt_secret="jwt-secret-for-the-gateway-tests-32+",  # type: ignore[arg-type]
            cors_origins="https://iims.example.cn",
            webhook_backoff_base_s=0.2,
            webhook_poll_interval_s=0.1,
            # The test receiver listens on loopback: the operator allows private targets here.
            webhook_allow_private_targets=True,
            lockout_after_failures=3,
            rate_limit_verification="5/minute",
            **COMMON,  # type: ignore[arg-type]
        )
        transports = {n: httpx.ASGITransport(app=a) for n, a in services.items()}
        gateway = gateway_app(settings, transports)
        await stack.enter_async_context(gateway.router.lifespan_context(gateway))
        yield Platform(gateway, services, settings)


@pytest_asyncio.fixture(loop_scope="session")
async def served(platform: Platform) -> AsyncIterator[str]:
    """The gateway on a real loopback socket (the services behind it in-process), for
    clients that are separate programs (a browser, a generated client)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            platform.gateway, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(loop_scope="session")
async def gw(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=platform.gateway, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
        yield c


@pytest_asyncio.fixture(loop_scope="session")
async def admin(gw: httpx.AsyncClient) -> dict[str, str]:
    """Bearer headers of the bootstrap administrator (from settings)."""
    r = await gw.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
