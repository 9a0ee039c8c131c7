"""A background worker that ends early (an exception it did not expect, a cancellation leaking
out of a client library) is restarted, and says so; stopping the workers stops it for good."""

from __future__ import annotations

import asyncio

from iims_common.db import create_engine, create_sessionmaker
from iims_common.settings import ServiceSettings
from iims_common.testing import eventually
from iims_common.workers import WORKER_RESTARTS, Workers


async def test_a_worker_that_dies_is_restarted_until_stop(tmp_path: object) -> None:
    settings = ServiceSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/w.db")
    engine = create_engine(settings)
    workers = Workers(settings, engine, create_sessionmaker(engine))
    runs: list[str] = []

    async def flaky() -> None:
        runs.append("run")
        if len(runs) == 1:
            raise RuntimeError("boom")  # an error it did not expect
        if len(runs) == 2:
            raise asyncio.CancelledError  # a cancellation leaking from a library
        await workers.stop_event.wait()  # the third run lives until stop

    before = WORKER_RESTARTS.labels("flaky")._value.get()
    try:
        workers._spawn("flaky", flaky)
        await eventually(lambda: len(runs) == 3, timeout=30)
        assert WORKER_RESTARTS.labels("flaky")._value.get() - before == 2
        await workers.stop(timeout=10)
        assert all(t.done() and not t.cancelled() for t in workers.tasks)
        assert len(runs) == 3
    finally:
        await engine.dispose()
