"""Registry test fixtures: the app on a migrated PostgreSQL database with its relay and
consumers running against the session broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.testing import SECRET, create_migrated_database, create_migrated_sqlite, truncate
from registry.main import create_app
from registry.settings import RegistrySettings

TABLES = (
    "task_submissions, programme_tasks, meeting_registrations, meetings, notice_reads, "
    "notices, document_versions, documents, fund_disbursements, fund_allocations, "
    "fund_eligibility, fund_budgets, agency_staff_qualifications, agency_list_entries, "
    "agency_lists, call_candidates, certification_calls, batch_quota_changes, "
    "pilot_status_changes, progress_reports, province_plans, pilots, recommendations, "
    "batches, agencies, recommending_units, enterprises, outbox, processed_events, "
    "idempotency_keys"
)


@pytest.fixture(scope="session")
def registry_db() -> str:
    return create_migrated_database("iims_registry_test")


@pytest.fixture(scope="session")
def settings(registry_db: str, broker: str) -> RegistrySettings:
    return RegistrySettings(
        environment="test",
        database_url=registry_db,
        kafka_bootstrap_servers=broker,
        internal_token_secret=SECRET,
        relay_poll_interval_s=0.1,
        consumer_max_attempts=3,
        consumer_retry_backoff_s=0.05,
        kafka_request_timeout_ms=5000,
        log_json=False,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    await truncate(sessionmaker, TABLES)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as c:
        yield c


@pytest.fixture
def db(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return maker


@pytest.fixture(scope="session")
def sqlite_settings(
    settings: RegistrySettings, tmp_path_factory: pytest.TempPathFactory
) -> RegistrySettings:
    """The same service on SQLite (the `make run` backend), no background workers."""
    url = create_migrated_sqlite(tmp_path_factory.mktemp("registry-sqlite"), "registry")
    return settings.model_copy(update={"database_url": url, "background_workers": False})


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_app(sqlite_settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    application = create_app(sqlite_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_client(sqlite_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sqlite_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as c:
        yield c
