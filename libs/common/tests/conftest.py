"""Event-bus tests run on their own PostgreSQL database (migrated with the registry's real
migrations, which carry the common outbox/inbox tables) with no app running beside them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from iims_common.db import create_engine, create_sessionmaker
from iims_common.settings import ServiceSettings
from iims_common.testing import SECRET, create_migrated_database, truncate


@pytest.fixture(scope="session")
def events_db() -> str:
    return create_migrated_database("iims_events_test")


@pytest.fixture(scope="session")
def bus_settings(events_db: str, broker: str) -> ServiceSettings:
    return ServiceSettings(
        environment="test",
        database_url=events_db,
        kafka_bootstrap_servers=broker,
        internal_token_secret=SECRET,
        relay_poll_interval_s=0.05,
        relay_batch_size=50,
        consumer_max_attempts=3,
        consumer_retry_backoff_s=0.02,
        kafka_request_timeout_ms=2000,
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine(bus_settings: ServiceSettings) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(bus_settings)
    yield eng
    await eng.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    maker = create_sessionmaker(engine)
    await truncate(
        maker, "outbox, outbox_pending, outbox_acks, processed_events, recommending_units"
    )
    return maker
