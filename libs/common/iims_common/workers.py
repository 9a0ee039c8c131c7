"""Background workers of a service (outbox relay + event consumers) with graceful stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from iims_common.db import create_engine, create_sessionmaker
from iims_common.events.consumer import ConsumerFactory
from iims_common.events.relay import OutboxRelay
from iims_common.settings import ServiceSettings

log = logging.getLogger("iims.workers")

WORKER_RESTARTS = Counter(
    "iims_worker_restarts_total",
    "Background workers (relay, consumers, periodic jobs) restarted after they ended early",
    ["worker"],
)


@dataclass(frozen=True)
class PeriodicJob:
    """Work a service does on a clock (e.g. certificate lifecycle by date), next to its relay."""

    name: str
    interval_s: float
    run: Callable[[async_sessionmaker[AsyncSession]], Awaitable[object]]

    async def loop(
        self, sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event
    ) -> None:
        while not stop.is_set():
            try:
                await self.run(sessionmaker)
            except Exception:  # a failed run is logged and retried on the next tick
                log.exception("periodic job %s failed", self.name)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)


class Workers:
    def __init__(
        self,
        settings: ServiceSettings,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        consumers: ConsumerFactory | None = None,
        periodic: Sequence[PeriodicJob] = (),
    ) -> None:
        self.relay = OutboxRelay(settings, engine, sessionmaker)
        self.consumers = consumers(settings, sessionmaker) if consumers else []
        self.periodic = list(periodic)
        self.sessionmaker = sessionmaker
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._spawn("relay", lambda: self.relay.run(self.stop_event))
        for c in self.consumers:
            self._spawn(f"consumer:{c.name}", lambda c=c: c.run(self.stop_event))  # type: ignore[misc]
        for job in self.periodic:
            self._spawn(
                f"periodic:{job.name}",
                lambda job=job: job.loop(self.sessionmaker, self.stop_event),  # type: ignore[misc]
            )

    def _spawn(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        self.tasks.append(asyncio.create_task(self._supervise(name, run), name=name))

    async def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Run a worker until stop; if it ends before (an exception it did not expect, a
        cancellation leaking out of a client library), log it and run it again. A relay or
        consumer that silently stopped would leave events unpublished or unconsumed with
        nothing but a stale `iims_consumer_last_poll_timestamp_seconds` to show for it."""
        restarts = 0
        while not self.stop_event.is_set():
            try:
                await run()
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if self.stop_event.is_set() or (task is not None and task.cancelling()):
                    raise  # our own stop
                log.error("worker %s was cancelled from inside; restarting it", name)
            except Exception:
                log.exception("worker %s failed; restarting it", name)
            else:
                if self.stop_event.is_set():
                    return
                log.error("worker %s ended on its own; restarting it", name)
            restarts += 1
            WORKER_RESTARTS.labels(name).inc()
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), min(30.0, 0.5 * 2**restarts))

    async def stop(self, timeout: float = 15.0) -> None:
        """Let in-flight batches finish (they commit or roll back), then cancel stragglers."""
        self.stop_event.set()
        if not self.tasks:
            return
        _, pending = await asyncio.wait(self.tasks, timeout=timeout)
        for t in pending:
            t.cancel()
        for t in pending:
            with suppress(asyncio.CancelledError, Exception):
                await t


async def run_workers_forever(
    settings: ServiceSettings,
    consumers: ConsumerFactory | None = None,
    periodic: Sequence[PeriodicJob] = (),
) -> None:
    """Standalone worker process (`python -m <service>.worker`): stops on SIGTERM/SIGINT."""
    engine = create_engine(settings)
    workers = Workers(settings, engine, create_sessionmaker(engine), consumers, periodic)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, workers.stop_event.set)
    workers.start()
    log.info("workers started")
    await workers.stop_event.wait()
    await workers.stop()
    await engine.dispose()
