"""Single-row reads on the hot path: a SQLAlchemy Core statement, compiled once per shape,
run on the asyncpg driver directly.

Why: `GET /enterprises/{id}` through an ORM session cost ~390 µs of CPU per request, a Core
statement on a pooled SQLAlchemy connection ~190 µs, the same SQL on asyncpg ~20 µs (py-spy
and process CPU counters, bench/README.md). The statement is still built with SQLAlchemy —
so the caller's scope (`Scope.condition`) stays the one place authorization lives — and is
compiled by SQLAlchemy's asyncpg dialect exactly as it would send it (same SQL, same bind
casts, same bind and result processors); only the execution machinery is skipped.

PostgreSQL only: on SQLite (`make run`) and for statements the plan cannot handle
(IN-list expansion, uncacheable constructs) the statement runs through a read session as
usual, with the same result. Errors are mapped like SQLAlchemy's: a database that cannot be
reached is a 503, a value it refuses (SQLSTATE class 22) a 400.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request

from iims_common.errors import BadRequest, ServiceUnavailable
from iims_common.i18n import _

Processor = Callable[[Any], Any] | None
_UNREACHABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


@dataclass(frozen=True)
class _Plan:
    sql: str
    binds: tuple[tuple[str, Processor], ...]  # bind name and its bind processor, in $n order
    columns: tuple[tuple[str, Processor], ...]  # result key and its result processor
    compiled: Any  # SQLAlchemy's Compiled: turns a statement's cache key into bind values


async def _init_connection(conn: asyncpg.Connection) -> None:
    """The codecs SQLAlchemy's asyncpg dialect installs on its own connections (JSON and
    JSONB decoded to Python values), so rows read here equal rows read through it."""
    await conn.set_type_codec(
        "json", encoder=str, decoder=json.loads, schema="pg_catalog", format="text"
    )
    await conn.set_type_codec(
        "jsonb", encoder=str, decoder=json.loads, schema="pg_catalog", format="text"
    )


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    return None


class FastReader:
    """Runs single-row Core selects. `start()` opens a small asyncpg pool (PostgreSQL with
    asyncpg only; otherwise every read goes through `fallback`), `close()` closes it.

    Plans (compiled SQL plus processors) are cached per statement shape — SQLAlchemy's own
    cache key — at most `max_plans` of them, least recently used dropped first.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        fallback: async_sessionmaker[AsyncSession],
        *,
        pool_size: int = 10,
        max_plans: int = 500,
    ) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.fallback = fallback
        self.pool_size = pool_size
        self.max_plans = max_plans
        self.pool: asyncpg.Pool | None = None
        self._plans: OrderedDict[Any, _Plan | None] = OrderedDict()
        # Prepared statements (`one(stmt, params)`): plan and cache key per statement object.
        self._prepared: OrderedDict[int, tuple[sa.Select[Any], _Plan | None, Any]] = OrderedDict()

    async def start(self) -> None:
        if self.dialect.name != "postgresql" or self.dialect.driver != "asyncpg":
            return
        url = self.engine.url.set(drivername="postgresql")
        self.pool = await asyncpg.create_pool(
            url.render_as_string(hide_password=False),
            min_size=0,  # connects on first use: the app starts while the database is down
            max_size=self.pool_size,
            init=_init_connection,
            # asyncpg resets a connection on release (RESET ALL, UNLISTEN *, unlock advisory
            # locks, CLOSE ALL): one more round trip per read. These connections only ever
            # run single SELECTs outside a transaction, so there is no state to reset.
            reset=_nothing_to_reset,
        )

    async def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.close()

    def _plan(
        self, stmt: sa.Select[Any], values: Mapping[str, Any] | None = None
    ) -> tuple[_Plan, list[Any]] | None:
        prepared = self._prepared.get(id(stmt)) if values is not None else None
        if prepared is not None and prepared[0] is stmt:
            _stmt, plan, key = prepared
        else:
            key = stmt._generate_cache_key()
            if key is None:
                return None
            if key.key in self._plans:
                self._plans.move_to_end(key.key)
                plan = self._plans[key.key]
            else:
                plan = self._compile(stmt, key)
                self._plans[key.key] = plan
                if len(self._plans) > self.max_plans:
                    self._plans.popitem(last=False)
            if values is not None:
                # Kept with the statement object itself (so its id cannot be reused meanwhile).
                self._prepared[id(stmt)] = (stmt, plan, key)
                if len(self._prepared) > self.max_plans:
                    self._prepared.popitem(last=False)
        if plan is None:
            return None
        params = plan.compiled.construct_params(values, extracted_parameters=key.bindparams)
        args = [proc(params[n]) if proc else params[n] for n, proc in plan.binds]
        return plan, args

    def _compile(self, stmt: sa.Select[Any], key: Any) -> _Plan | None:
        compiled: Any = stmt.compile(dialect=self.dialect, cache_key=key)
        if compiled.literal_execute_params or compiled.post_compile_params:
            return None  # IN-list expansion and the like: SQLAlchemy renders those per call
        positions: Sequence[str] = compiled.positiontup or ()
        bind_processors: Mapping[str, Processor] = compiled._bind_processors
        return _Plan(
            sql=compiled.string,
            binds=tuple((name, bind_processors.get(name)) for name in positions),
            columns=tuple(
                (entry.keyname, entry.type._cached_result_processor(self.dialect, None))
                for entry in compiled._result_columns
            ),
            compiled=compiled,
        )

    async def one(
        self, stmt: sa.Select[Any], values: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The first row of `stmt` as {column key: value}, or None when there is none.

        With `values` (for its `bindparam`s), `stmt` is a prepared statement: one object
        built once and run many times (e.g. per caller, `functools.lru_cache`). Its plan and
        SQLAlchemy cache key are kept with the object, so neither is computed again — on GET
        by id building the statement and its cache key were ~40 % of the handler's CPU."""
        planned = self._plan(stmt, values) if self.pool is not None else None
        if planned is None:
            async with self.fallback() as session:
                row = (await session.execute(stmt, values)).first()
            return dict(row._mapping) if row is not None else None
        plan, args = planned
        assert self.pool is not None
        try:
            async with self.pool.acquire() as conn:
                record = await conn.fetchrow(plan.sql, *args)
        except _UNREACHABLE as exc:
            raise ServiceUnavailable(_("The database is unavailable; retry later")) from exc
        except asyncpg.PostgresError as exc:
            if str(getattr(exc, "sqlstate", "")).startswith("22"):
                raise BadRequest(
                    _("The request contains a value the database cannot store")
                ) from exc
            raise
        if record is None:
            return None
        return {
            key: proc(value) if proc else value
            for (key, proc), value in zip(plan.columns, record.values(), strict=True)
        }


async def read_one(
    request: Request, stmt: sa.Select[Any], values: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The first row of `stmt` (build it with the caller's scope) through the app's
    `FastReader` (set up by `iims_common.app.create_service_app`), or None. `values`: see
    `FastReader.one`."""
    reader: FastReader = request.app.state.fast_reader
    return await reader.one(stmt, values)
