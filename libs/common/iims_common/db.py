"""Database plumbing: engine, session factory, the per-request unit of work, column types."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from iims_common.settings import ServiceSettings

# Deterministic constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

M = TypeVar("M")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on PostgreSQL and SQLite alike (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# SQLite transactions (DESIGN.md "Embedded default"; ENGINEERING.md "SQLite and locks").
#
# pysqlite/aiosqlite open a transaction lazily at the first write, and SQLite ignores
# `SELECT ... FOR UPDATE`, so a "count, then insert" rule (pilot quota, session capacity,
# auditor double-booking) reads outside any lock and concurrent requests over-book. We take
# control of BEGIN (SQLAlchemy's pysqlite/aiosqlite recipe "Serializable isolation /
# Savepoints / Transactional DDL": driver autocommit off, BEGIN emitted from the engine's
# `begin` event) and begin every write transaction with `BEGIN IMMEDIATE`, which takes the
# database's write lock before the first read. Writers are serialized per database file, so
# the rule's read and write happen under one lock — what PostgreSQL's row locks give.
#
# Which transactions write: every transaction is IMMEDIATE unless its connection carries the
# execution option `SQLITE_BEGIN=DEFERRED`. The request's unit of work (`unit_of_work`) binds
# the sessions of safe methods (GET, HEAD, OPTIONS) to a deferred view of the engine, so pure
# reads never wait for the write lock (WAL lets them read beside a writer). Everything else —
# POST/PUT/PATCH/DELETE, consumers, the outbox relay's marking, periodic jobs — is a write
# and takes the lock at BEGIN. The choice is made once per request from its method, not at
# the first flush: the first flush is too late (the rule's read already happened).
#
# A writer that cannot get the lock within `sqlite_busy_timeout_s` (setting) raises
# `OperationalError("database is locked")`; `iims_common.errors` answers it 503
# problem+json with `Retry-After` (see `is_database_busy`).
SQLITE_BEGIN = "iims_sqlite_begin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_engine(settings: ServiceSettings) -> AsyncEngine:
    """The service's async engine; SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE`.

    PostgreSQL: a pool of `database_pool_size` (+ `database_max_overflow`) connections.
    SQLite: see the comment above (module level) for the transaction rules.
    """
    url = settings.async_database_url
    if url.startswith("sqlite"):
        timeout = settings.sqlite_busy_timeout_s
        engine = create_async_engine(url, connect_args={"timeout": timeout})
        install_sqlite_transactions(engine, timeout)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        # No pre-ping: it costs a round trip per request; a dropped connection is
        # invalidated on its first error and the pool replaces it.
    )


def install_sqlite_transactions(engine: AsyncEngine, busy_timeout_s: float = 30.0) -> None:
    """WAL, foreign keys, busy timeout (seconds); BEGIN IMMEDIATE unless the connection is
    deferred (`read_only_bind`)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
        # Driver autocommit: pysqlite no longer emits BEGIN on its own; `_sqlite_begin` does.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        # WAL is safe with NORMAL: a power loss may lose the last commits, never corrupt.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _sqlite_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        conn.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


_deferred_engines: dict[int, AsyncEngine] = {}


def read_only_bind(engine: AsyncEngine) -> AsyncEngine:
    """The engine itself on PostgreSQL; on SQLite a view of it whose transactions start
    `BEGIN DEFERRED` (no write lock until a write). Same pool, cached per engine."""
    if engine.dialect.name != "sqlite":
        return engine
    deferred = _deferred_engines.get(id(engine.sync_engine))
    if deferred is None:
        deferred = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
        _deferred_engines[id(engine.sync_engine)] = deferred
    return deferred


def is_database_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked/busy": another writer held the lock longer than
    the busy timeout. Retryable; answered 503 with Retry-After."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    return type(orig).__name__ == "OperationalError" and ("locked" in text or "busy" in text)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit (no lazy IO in async code).
    return async_sessionmaker(engine, expire_on_commit=False)


def read_session(maker: async_sessionmaker[AsyncSession]) -> AsyncSession:
    """A session for reading only: on SQLite its transaction begins DEFERRED (no write lock);
    on PostgreSQL an ordinary session. Writing through it still works on SQLite (the lock is
    taken at the first write) but may fail busy under contention — use the plain maker."""
    bind = maker.kw.get("bind")
    if isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite":
        return maker(bind=read_only_bind(bind))
    return maker()


_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CREATE", "DROP", "ALTER")


class WriteInSafeRequest(RuntimeError):
    """A GET (or HEAD/OPTIONS) tried to change the database: a programming error."""


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for safe requests: the same pool, in autocommit, refusing writes.

    A read-only request needs no transaction of its own: under READ COMMITTED (the default
    here) every statement takes its own snapshot inside a transaction too, so leaving out
    BEGIN and COMMIT changes no answer and saves two round trips per request (about a fifth
    of a `GET /enterprises/{id}`, measured with py-spy; bench/README.md). Setting AUTOCOMMIT
    on a pooled asyncpg or aiosqlite connection is a flag, not a round trip. A statement that
    writes raises `WriteInSafeRequest` instead of being committed on its own, so a GET that
    writes fails in its tests instead of losing atomicity silently.

    SQLite: a deferred transaction as `read_only_bind` gives (the engine's BEGIN hook owns
    transactions there), with the same refusal of writes.
    """
    if engine.dialect.name == "sqlite":
        reader = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
    else:
        reader = engine.execution_options(isolation_level="AUTOCOMMIT")

    @event.listens_for(reader.sync_engine, "before_cursor_execute")
    def _refuse_writes(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if statement.lstrip()[:8].upper().startswith(_WRITES):
            raise WriteInSafeRequest(f"a safe (GET) request tried to write: {statement[:80]}")

    return async_sessionmaker(reader, expire_on_commit=False)


AFTER_COMMIT = "iims_after_commit"


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[object]]) -> None:
    """Run `action` after the request's transaction committed, before the response is sent
    (e.g. wait until other replicas were told about the change). Dropped on rollback."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """The request owns the transaction: commit on success, roll back on any error.

    Declared with `Depends(unit_of_work, scope="function")` (see `Session` in `iims_common.api`)
    so the commit happens before the response is sent and a failing commit becomes an error
    response instead of a lie. Safe requests (GET, HEAD, OPTIONS) get a session from
    `create_read_sessionmaker` when the app has one (no transaction on PostgreSQL, a deferred
    one on SQLite; no writes); otherwise, on SQLite, safe methods read in a deferred
    transaction and every other method begins `BEGIN IMMEDIATE` (see the module comment).
    """
    if request.method in SAFE_METHODS:
        reader: async_sessionmaker[AsyncSession] | None = getattr(
            request.app.state, "read_sessionmaker", None
        )
        if reader is not None:
            async with reader() as session:
                yield session
                if session.new or session.dirty or session.deleted:
                    raise WriteInSafeRequest("a safe (GET) request changed ORM objects")
            return
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    session = read_session(maker) if request.method in SAFE_METHODS else maker()
    async with session:
        try:
            yield session
            await session.commit()
        except BaseException:
            session.info.pop(AFTER_COMMIT, None)
            await session.rollback()
            raise
        for action in session.info.pop(AFTER_COMMIT, ()):
            await action()


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """`INSERT` with `ON CONFLICT` support for the session's backend (PostgreSQL or SQLite)."""
    return (pg_insert if is_postgres(session) else sqlite_insert)(table)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def keep_copy(
    session: AsyncSession, model: type[M], key: Any, *, lock: bool = False, **values: Any
) -> M:
    """This service's copy of another service's fact (an ORM row keyed by the aggregate id):
    created on the first event about `key`, its columns set to `values` on every one (so a
    redelivery or a newer event leaves the latest facts). `lock` takes the row FOR UPDATE
    (two events about one aggregate consumed at once)."""
    row = await session.get(model, key, with_for_update=lock)
    if row is None:
        row = model(**{sa.inspect(model).primary_key[0].key: key})
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    return row
