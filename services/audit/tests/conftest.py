"""Audit tests: the shared fixtures of `iims_common.pytest_plugin` for this service, its
test settings, and what is its own: a feed that publishes the facts other services would
(agencies, enterprises, pilots, qualifications) as real events, waiting until the audit
service has consumed them, and the SQLite app with its consumers on a broker of its own."""

from __future__ import annotations

from typing import Any

import pytest
from audit_world import Facts
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.settings import ServiceSettings


@pytest.fixture(scope="session")
def service_name() -> str:
    return "audit"


@pytest.fixture(scope="session")
def service_settings_overrides() -> dict[str, Any]:
    return {
        "verification_rate_limit": "5/minute",
        # As deployed behind the gateway: the test client (127.0.0.1) is the trusted proxy.
        "trusted_proxies": "127.0.0.1",
        "notice_period_days": 7,
        "scheduler_time_limit_s": 5.0,
    }


@pytest.fixture
def facts(settings: ServiceSettings, db: async_sessionmaker[AsyncSession]) -> Facts:
    return Facts(settings.kafka_bootstrap_servers, db)


@pytest.fixture(scope="session")
def sqlite_with_consumers() -> bool:
    """The SQLite twin consumes the facts too (on a broker of its own)."""
    return True


@pytest.fixture
def sqlite_facts(sqlite_settings: ServiceSettings, sqlite_app: FastAPI) -> Facts:
    return Facts(sqlite_settings.kafka_bootstrap_servers, sqlite_app.state.sessionmaker)
