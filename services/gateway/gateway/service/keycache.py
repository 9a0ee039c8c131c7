"""Verified API keys kept in memory per replica, dropped the moment they change anywhere.

Why: looking the key up cost a database round trip (BEGIN, SELECT, ROLLBACK: ~20% of the
gateway's CPU per forwarded request, py-spy; bench/README.md). What keeps revocation
immediate on every replica:

- PostgreSQL: a trigger on `api_keys` (migration 0002) NOTIFYs channel `iims_api_keys` with
  the key id on every UPDATE or DELETE, delivered at commit to every listening replica. Each
  replica LISTENs on a connection of its own and drops that key. A replica caches only while
  its listener is connected; when it is lost (or a 2 s health check fails) the cache is
  emptied and bypassed — every request reads the database — until it is back.
- The replica that changes a key drops it in-process at commit (SQLAlchemy `after_commit`),
  and `settle()` lets the revoking request wait (≤ 1 s) for its own copy of the
  notification, so by the time the client hears "revoked" PostgreSQL has handed the
  notification to every listener.
- A fill that raced with a notification is not stored (a generation counter), and entries
  expire after `api_key_cache_ttl_s` regardless.
- Only what verifies a key is cached (hashes, expiry of the previous secret, the principal);
  the secret is checked on every request, and a secret that does not match the cached
  hashes is looked up again (a rotation elsewhere), never refused from the cache alone.

SQLite (`make run`: one process) needs no listener; the in-process drop at commit suffices.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import weakref
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from gateway.db.tables import ApiKey
from gateway.domain.credentials import Principal

log = logging.getLogger("iims.gateway.keycache")
CHANNEL = "iims_api_keys"
_CHANGED = "iims_api_keys_changed"
_caches: weakref.WeakSet[ApiKeyCache] = weakref.WeakSet()


@dataclass(frozen=True)
class KeyRecord:
    """What verifies one key: its principal and the hashes of its secrets."""

    principal: Principal
    secret_hash: str
    previous_secret_hash: str | None
    previous_valid_until: dt.datetime | None


@sa_event.listens_for(Session, "after_flush")
def _collect_changed_keys(session: Session, _: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ApiKey):
            session.info.setdefault(_CHANGED, set()).add(obj.key_id)


@sa_event.listens_for(Session, "after_commit")
def _drop_changed_keys(session: Session) -> None:
    for key_id in session.info.pop(_CHANGED, ()):
        for cache in list(_caches):
            cache.invalidate(key_id)


@sa_event.listens_for(Session, "after_rollback")
def _forget_changed_keys(session: Session) -> None:
    session.info.pop(_CHANGED, None)


class ApiKeyCache:
    """Per-process cache of `KeyRecord`s by key id (see the module docstring for the rules).

    `ttl_s` ≤ 0 turns caching off. `start()` begins listening (PostgreSQL), `close()` stops.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ttl_s: float = 10.0,
        max_entries: int = 10_000,
        health_interval_s: float = 2.0,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.health_interval_s = health_interval_s
        self._postgres = engine.dialect.name == "postgresql"
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._entries: dict[str, tuple[KeyRecord, float]] = {}
        self._generation = 0
        self._live = ttl_s > 0 and not self._postgres
        self._task: asyncio.Task[None] | None = None
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self.listener_pid: int | None = None
        _caches.add(self)

    @property
    def live(self) -> bool:
        """Whether entries may be served (PostgreSQL: the listener is connected)."""
        return self._live

    @property
    def generation(self) -> int:
        """Read before a database lookup and hand to `put`: a change seen in between voids it."""
        return self._generation

    def get(self, key_id: str) -> KeyRecord | None:
        if not self._live:
            return None
        found = self._entries.get(key_id)
        if found is None:
            return None
        if found[1] < time.monotonic():
            self._entries.pop(key_id, None)
            return None
        return found[0]

    def put(self, key_id: str, record: KeyRecord, generation: int) -> None:
        if not self._live or generation != self._generation:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key_id] = (record, time.monotonic() + self.ttl_s)

    def invalidate(self, key_id: str | None = None) -> None:
        """Drop one key (None: all of them) and void fills in flight."""
        self._generation += 1
        if key_id is None:
            self._entries.clear()
        else:
            self._entries.pop(key_id, None)

    def expect(self, key_id: str) -> asyncio.Future[None] | None:
        """A future resolved when this replica's listener hears about `key_id` (None when no
        listener runs). Register before the commit that changes the key."""
        if not (self._postgres and self._live):
            return None
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key_id, []).append(future)
        return future

    async def settle(self, future: asyncio.Future[None] | None, timeout_s: float = 1.0) -> None:
        """Wait (bounded) for the notification `expect` asked for."""
        if future is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(future, timeout_s)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, key_id: str) -> None:
        self.invalidate(key_id)
        for future in self._waiters.pop(key_id, []):
            if not future.done():
                future.set_result(None)

    async def start(self) -> None:
        if self._postgres and self.ttl_s > 0:
            self._task = asyncio.create_task(self._listen_forever(), name="api-key-listener")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._live = False
        _caches.discard(self)

    async def _listen_forever(self) -> None:
        backoff = 0.5
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._on_notify)
                self.listener_pid = conn.get_server_pid()
                self.invalidate()  # anything may have changed while nobody listened
                self._live = True
                backoff = 0.5
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), self.health_interval_s)
                    if not lost.is_set():  # a silently dead connection fails this
                        await asyncio.wait_for(conn.fetchval("SELECT 1"), 1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("API-key listener lost (%s); caching off until it is back", exc)
            finally:
                self._live = False
                self.invalidate()
                if conn is not None:
                    conn.terminate()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
