"""Audit test fixtures: the app on a migrated PostgreSQL database, the session broker, and a
feed that publishes the facts other services would (agencies, enterprises, pilots,
qualifications) as real events, waiting until the audit service has consumed them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from audit_world import Facts
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit.main import create_app
from audit.settings import AuditSettings
from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.testing import SECRET, create_migrated_database, create_migrated_sqlite, truncate

TABLES = (
    "findings, audit_team, audits, surveillance_plans, certificates, objections, "
    "application_history, applications, auditor_unavailability, auditors, qualifications, "
    "agencies, enterprises, schedule_proposals, outbox, processed_events, idempotency_keys"
)


@pytest.fixture(scope="session")
def audit_settings(broker: str) -> AuditSettings:
    return AuditSettings(
        environment="test",
        database_url=create_migrated_database("iims_audit_test", service="audit"),
        kafka_bootstrap_servers=broker,
        internal_token_secret=SECRET,
        relay_poll_interval_s=0.1,
        consumer_max_attempts=3,
        consumer_retry_backoff_s=0.05,
        verification_rate_limit="5/minute",
        # As deployed behind the gateway: the test client (127.0.0.1) is the trusted proxy.
        trusted_proxies="127.0.0.1",
        notice_period_days=7,
        scheduler_time_limit_s=5.0,
        log_json=False,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def audit_app(audit_settings: AuditSettings) -> AsyncIterator[FastAPI]:
    application = create_app(audit_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def adb(audit_app: FastAPI) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = audit_app.state.sessionmaker
    return maker


@pytest_asyncio.fixture(loop_scope="session")
async def aclient(
    audit_app: FastAPI, adb: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    await truncate(adb, TABLES)
    transport = httpx.ASGITransport(app=audit_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit") as c:
        yield c


@pytest.fixture
def facts(audit_settings: AuditSettings, adb: async_sessionmaker[AsyncSession]) -> Facts:
    return Facts(audit_settings.kafka_bootstrap_servers, adb)


@pytest.fixture(scope="session")
def sqlite_broker() -> Iterator[str]:
    """A broker of its own for the SQLite app: its consumers use the same group names as the
    PostgreSQL app's, which on one broker would split the partitions between the two."""
    port = free_port()
    proc = start_broker(port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop_broker(proc)


@pytest.fixture(scope="session")
def sqlite_audit_settings(
    audit_settings: AuditSettings, sqlite_broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AuditSettings:
    """The same service on SQLite (the `make run` backend) with its consumers running."""
    url = create_migrated_sqlite(tmp_path_factory.mktemp("audit-sqlite"), "audit")
    return audit_settings.model_copy(
        update={"database_url": url, "kafka_bootstrap_servers": sqlite_broker}
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_audit_app(sqlite_audit_settings: AuditSettings) -> AsyncIterator[FastAPI]:
    application = create_app(sqlite_audit_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_aclient(sqlite_audit_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sqlite_audit_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit") as c:
        yield c


@pytest.fixture
def sqlite_facts(sqlite_audit_settings: AuditSettings, sqlite_audit_app: FastAPI) -> Facts:
    return Facts(sqlite_audit_settings.kafka_bootstrap_servers, sqlite_audit_app.state.sessionmaker)
