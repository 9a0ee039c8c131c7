"""Assessment test fixtures: the app on a migrated PostgreSQL database and the session broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assessment.main import create_app
from assessment.settings import AssessmentSettings
from iims_common.testing import SECRET, create_migrated_database, truncate

TABLES = "benchmark_cells, assessments, enterprises, outbox, processed_events, idempotency_keys"


@pytest.fixture(scope="session")
def assessment_settings(broker: str) -> AssessmentSettings:
    return AssessmentSettings(
        environment="test",
        database_url=create_migrated_database("iims_assessment_test", service="assessment"),
        kafka_bootstrap_servers=broker,
        internal_token_secret=SECRET,
        relay_poll_interval_s=0.1,
        consumer_max_attempts=3,
        consumer_retry_backoff_s=0.05,
        log_json=False,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def assessment_app(assessment_settings: AssessmentSettings) -> AsyncIterator[FastAPI]:
    application = create_app(assessment_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def aclient(assessment_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    maker: async_sessionmaker[AsyncSession] = assessment_app.state.sessionmaker
    await truncate(maker, TABLES)
    transport = httpx.ASGITransport(app=assessment_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://assessment") as c:
        yield c


@pytest.fixture
def adb(assessment_app: FastAPI) -> async_sessionmaker[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = assessment_app.state.sessionmaker
    return maker
