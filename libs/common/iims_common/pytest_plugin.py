"""The test shape every service shares (loaded for the whole suite by the root conftest):
the session broker, the service's settings on its own migrated PostgreSQL database, its app
with relay and consumers running, a client on a clean database, the sessionmaker, the same
service on SQLite, and the migration round-trip tests.

A service's `tests/conftest.py` only names its service::

    import pytest

    @pytest.fixture(scope="session")
    def service_name() -> str:
        return "registry"

and, where its tests need them, test-specific settings (`service_settings_overrides`) or a
SQLite twin with its consumers running (`sqlite_with_consumers`). The
settings class is the `ServiceSettings` subclass in `<service>.settings`, the app comes from
`<service>.main.create_app`, and the tables emptied before each test are every table of the
database except those the migrations fill (reference data, found by looking right after
migrating). Its `test_migrations.py` imports the round-trip tests from here.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.settings import ServiceSettings
from iims_common.testing import (
    ROOT,
    SECRET,
    create_migrated_database,
    create_migrated_sqlite,
    truncate,
)

TEST_SETTINGS: dict[str, Any] = {
    "environment": "test",
    "internal_token_secret": SECRET,
    "relay_poll_interval_s": 0.1,
    "consumer_max_attempts": 3,
    "consumer_retry_backoff_s": 0.05,
    "kafka_request_timeout_ms": 5000,
    "log_json": False,
}


def settings_class(service: str) -> type[ServiceSettings]:
    """The `ServiceSettings` subclass defined in `<service>.settings`."""
    module = importlib.import_module(f"{service}.settings")
    found = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, ServiceSettings)
        and cls is not ServiceSettings
        and cls.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise LookupError(f"{service}.settings must define one ServiceSettings subclass")
    return found[0]


EMPTY_TABLES_SQL = """
SELECT string_agg(format('%I', table_name), ', ' ORDER BY table_name)
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
  AND table_name NOT LIKE 'alembic_version%'
  AND (xpath('/row/n/text()', query_to_xml(
        format('SELECT count(*) AS n FROM (SELECT 1 FROM %I.%I LIMIT 1) x', table_schema,
               table_name), false, true, '')))[1]::text::int = 0
"""


def tables_to_empty(url: str) -> str:
    """Every table of a freshly migrated database that holds no rows (the ones with rows are
    the migrations' reference data, kept), comma-separated for TRUNCATE."""
    out = subprocess.run(
        ["psql", url, "-Atq", "-c", EMPTY_TABLES_SQL], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


@contextmanager
def running_broker() -> Iterator[str]:
    """A memory-only broker on a free port for as long as the block runs; its address."""
    port = free_port()
    proc = start_broker(port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop_broker(proc)


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """A broker for the whole session (memory-only; topics start empty)."""
    with running_broker() as address:
        yield address


@pytest.fixture(scope="session")
def service_name() -> str:
    """Overridden by each service's conftest: the service under test."""
    raise pytest.UsageError("name the service: define a `service_name` fixture in conftest.py")


@pytest.fixture(scope="session")
def service_settings_overrides() -> dict[str, Any]:
    """Test-specific settings of a service (overridden where a service's tests need some)."""
    return {}


@pytest.fixture(scope="session")
def sqlite_with_consumers() -> bool:
    """Whether the SQLite twin runs its relay and consumers (then on a broker of its own: its
    consumer groups have the PostgreSQL app's names). Overridden where a service's tests
    need it."""
    return False


class ServiceCache:
    """The session's objects of every service under test, by service name. (pytest caches a
    session-scoped fixture once for the whole session, whichever conftest overrides
    `service_name`; the fixtures below are function-scoped and look their service up here.)"""

    def __init__(self, broker: str, tmp: pytest.TempPathFactory) -> None:
        self.broker = broker
        self.tmp = tmp
        self.stack = AsyncExitStack()
        self.databases: dict[str, str] = {}
        self.tables: dict[str, str] = {}
        self.settings: dict[tuple[str, bool], ServiceSettings] = {}
        self.apps: dict[tuple[str, bool], FastAPI] = {}

    def database(self, service: str) -> str:
        if service not in self.databases:
            url = create_migrated_database(f"iims_{service}_test", service=service)
            self.databases[service] = url
            self.tables[service] = tables_to_empty(url)
        return self.databases[service]

    def settings_of(
        self, service: str, overrides: dict[str, Any], sqlite: bool, consumers: bool
    ) -> ServiceSettings:
        key = (service, sqlite)
        if key not in self.settings:
            base = settings_class(service)(
                database_url=self.database(service),
                kafka_bootstrap_servers=self.broker,
                **{**TEST_SETTINGS, **overrides},
            )
            if sqlite:
                url = create_migrated_sqlite(self.tmp.mktemp(f"{service}-sqlite"), service)
                update: dict[str, Any] = {"database_url": url, "background_workers": consumers}
                if consumers:
                    update["kafka_bootstrap_servers"] = self.stack.enter_context(running_broker())
                base = base.model_copy(update=update)
            self.settings[key] = base
        return self.settings[key]

    async def app_of(self, service: str, settings: ServiceSettings, sqlite: bool) -> FastAPI:
        key = (service, sqlite)
        if key not in self.apps:
            application: FastAPI = importlib.import_module(f"{service}.main").create_app(settings)
            await self.stack.enter_async_context(application.router.lifespan_context(application))
            self.apps[key] = application
        return self.apps[key]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def service_cache(
    broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceCache]:
    cache = ServiceCache(broker, tmp_path_factory)
    async with cache.stack:
        yield cache


@pytest.fixture
def settings(
    service_name: str, service_cache: ServiceCache, service_settings_overrides: dict[str, Any]
) -> ServiceSettings:
    """The service's settings: its test database `iims_<service>_test` (migrated once per
    session by its Alembic history) and the session broker."""
    return service_cache.settings_of(service_name, service_settings_overrides, False, True)


@pytest_asyncio.fixture(loop_scope="session")
async def app(service_name: str, service_cache: ServiceCache, settings: ServiceSettings) -> FastAPI:
    """The service's app (one per session), its relay and consumers running."""
    return await service_cache.app_of(service_name, settings, False)


@pytest.fixture
def db(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    """The app's sessionmaker."""
    maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return maker


@pytest_asyncio.fixture(loop_scope="session")
async def client(
    service_name: str,
    service_cache: ServiceCache,
    app: FastAPI,
    db: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app (ASGI) on an emptied database (the migrations' reference data kept)."""
    await truncate(db, service_cache.tables[service_name])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{service_name}") as c:
        yield c


@pytest.fixture
def sqlite_settings(
    service_name: str,
    service_cache: ServiceCache,
    service_settings_overrides: dict[str, Any],
    sqlite_with_consumers: bool,
) -> ServiceSettings:
    """The same service on SQLite (the `make run` backend), one database file per session;
    background workers only if `sqlite_with_consumers`."""
    return service_cache.settings_of(
        service_name, service_settings_overrides, True, sqlite_with_consumers
    )


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_app(
    service_name: str, service_cache: ServiceCache, sqlite_settings: ServiceSettings
) -> FastAPI:
    return await service_cache.app_of(service_name, sqlite_settings, True)


@pytest_asyncio.fixture(loop_scope="session")
async def sqlite_client(service_name: str, sqlite_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sqlite_app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{service_name}") as c:
        yield c


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(request: pytest.FixtureRequest) -> httpx.AsyncClient:
    """The service's client on each backend in turn: a test taking `backend` runs on
    PostgreSQL (`client`) and on SQLite (`sqlite_client`, the `make run` backend)."""
    client: httpx.AsyncClient = request.getfixturevalue(
        "client" if request.param == "postgresql" else "sqlite_client"
    )
    return client


# --- the migration round trip (a service's test_migrations.py imports these two) ---------


def alembic(service: str, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=ROOT / "services" / service,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )


def test_postgres_models_match_migrations_and_downgrade_works(service_name: str) -> None:
    """The Alembic history matches the models (`alembic check`) and runs down and up again."""
    url = create_migrated_database(f"iims_{service_name}_migrations", service=service_name)
    check = alembic(service_name, url, "check")
    assert check.returncode == 0, check.stderr
    down = alembic(service_name, url, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    up = alembic(service_name, url, "upgrade", "head")
    assert up.returncode == 0, up.stderr


def test_sqlite_runs_the_same_migrations(service_name: str, tmp_path: Path) -> None:
    """The same history on SQLite (the `make run` backend), matching the models."""
    url = f"sqlite:///{tmp_path / f'{service_name}.db'}"
    up = alembic(service_name, url, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    check = alembic(service_name, url, "check")
    assert check.returncode == 0, check.stderr
