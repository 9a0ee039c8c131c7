"""Training test fixtures: the app on a migrated PostgreSQL database and the session broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.testing import SECRET, create_migrated_database, create_migrated_sqlite, truncate
from training.main import create_app
from training.settings import TrainingSettings

TABLES = (
    "qualifications, invitations, enterprises, attendance, enrollments, people, sessions, "
    "outbox, processed_events, idempotency_keys"
)


@pytest.fixture(scope="session")
def training_settings(broker: str) -> TrainingSettings:
    return TrainingSettings(
        environment="test",
        database_url=create_migrated_database("iims_training_test", service="training"),
        kafka_bootstrap_servers=broker,
        internal_token_secret=SECRET,
        relay_poll_interval_s=0.1,
        consumer_max_attempts=3,
        consumer_retry_backoff_s=0.05,
        verification_rate_limit="5/minute",
        # As deployed behind the gateway: the test client (127.0.0.1) is the trusted proxy.
        trusted_proxies="127.0.0.1",
        log_json=False,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def training_app(training_settings: TrainingSettings) -> AsyncIterator[FastAPI]:
    application = create_app(training_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def tclient(training_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    maker: async_sessionmaker[AsyncSession] = training_app.state.sessionmaker
    await truncate(maker, TABLES)
    transport = httpx.ASGITransport(app=training_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://training") as c:
        yield c


@pytest.fixture
def tdb(training_app: FastAPI) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = training_app.state.sessionmaker
    return maker


@pytest.fixture(scope="session")
def sqlite_training_settings(
    training_settings: TrainingSettings, tmp_path_factory: pytest.TempPathFactory
) -> TrainingSettings:
    """The same service on SQLite (the `make run` backend), no background workers."""
    url = create_migrated_sqlite(tmp_path_factory.mktemp("training-sqlite"), "training")
    return training_settings.model_copy(update={"database_url": url, "background_workers": False})


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sqlite_training_app(sqlite_training_settings: TrainingSettings) -> AsyncIterator[FastAPI]:
    application = create_app(sqlite_training_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_tclient(sqlite_training_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sqlite_training_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://training") as c:
        yield c
