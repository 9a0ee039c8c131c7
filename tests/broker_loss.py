"""The broker loses its log in the middle of a stream of pilot selections (issue 11).

The `make run` stack (scripts/dev_run.py: five services on SQLite, relays and consumers in
process) runs against a broker this module starts itself, so it can `kill -9` the broker
mid-stream and start it again on the same port — empty, as the memory-only broker always
restarts. Each consumer's effect is then counted in its own database:

  registry pilots (the truth) · assessment baseline drafts · training invitations ·
  audit eligibility (enterprise.pilot_id) · gateway read model (dash_enterprises) and
  dashboard counter (dash_counters 'pilots') · webhook deliveries (queued and received)

and must equal the number of pilots exactly: none lost, none twice.

`python tests/broker_loss.py 3000 [down_seconds]` runs it once and prints the measurements
the README quotes; `tests/test_broker_loss.py` runs it in `make test`.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.identity import Role
from iims_common.testing import ROOT, SECRET, mint
from iims_contracts import PilotEnrolled

PROVINCE = "110000"


@dataclass
class Receiver:
    """A webhook endpoint on loopback counting deliveries (all, and distinct webhook-id)."""

    ids: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        ids = self.ids

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                self.rfile.read(length)
                ids.append(self.headers.get("webhook-id", ""))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/iims"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()


@dataclass
class Result:
    pilots: int
    down_s: float
    catch_up_s: float
    # Outbox rows re-queued because the broker lost them, counted in the services' databases
    # (survives a service restart, unlike the counter), and the counters' sum.
    republished: int
    republished_metric: int
    counts: dict[str, int]
    duplicates: dict[str, int]


def _count(db: Path, sql: str, *args: Any) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        row = conn.execute(sql, args).fetchone()
    return int(row[0] or 0) if row else 0


def effect_counts(
    var: Path, batch_id: str, enterprise_ids: set[str], hooks: Receiver
) -> dict[str, int]:
    """Each consumer's effect for the batch, counted where it lives; plus distinct counts
    (`*_distinct`) so a duplicate shows up as the difference."""
    b = uuid.UUID(batch_id).hex
    ids = ",".join(f"'{uuid.UUID(e).hex}'" for e in enterprise_ids)
    return {
        "registry_pilots": _count(
            var / "registry.db", "SELECT count(*) FROM pilots WHERE batch_id = ?", b
        ),
        "assessment_baselines": _count(
            var / "assessment.db",
            f"SELECT count(*) FROM assessments WHERE kind = 'baseline' AND enterprise_id IN ({ids})",
        ),
        "training_invitations": _count(
            var / "training.db",
            f"SELECT count(*) FROM invitations WHERE enterprise_id IN ({ids})",
        ),
        "training_invitations_distinct": _count(
            var / "training.db",
            f"SELECT count(DISTINCT pilot_id) FROM invitations WHERE enterprise_id IN ({ids})",
        ),
        "audit_eligible": _count(
            var / "audit.db",
            f"SELECT count(*) FROM enterprises WHERE pilot_id IS NOT NULL AND id IN ({ids})",
        ),
        "gateway_read_model": _count(
            var / "gateway.db",
            "SELECT count(*) FROM dash_enterprises WHERE batch_id = ? AND pilot_status = 'enrolled'",
            b,
        ),
        "gateway_dashboard": _count(
            var / "gateway.db",
            "SELECT value FROM dash_counters WHERE scope = ? AND province_code = ? "
            "AND metric = 'pilots'",
            str(uuid.UUID(batch_id)),
            PROVINCE,
        ),
        "webhook_queued": _count(
            var / "gateway.db",
            "SELECT count(*) FROM webhook_deliveries WHERE event_type = ?",
            PilotEnrolled.topic,
        ),
        "webhook_queued_distinct": _count(
            var / "gateway.db",
            "SELECT count(DISTINCT event_id) FROM webhook_deliveries WHERE event_type = ?",
            PilotEnrolled.topic,
        ),
        "webhook_received": len(hooks.ids),
        "webhook_received_distinct": len(set(hooks.ids)),
    }


SERVICES = ("registry", "training", "assessment", "audit", "gateway")


def republished_rows(var: Path) -> int:
    """Outbox rows the relays re-queued as lost by the broker (their `last_error` says so;
    publishing again keeps it), over every service's database."""
    return sum(
        _count(
            var / f"{name}.db",
            "SELECT count(*) FROM outbox WHERE last_error LIKE 're-published:%'",
        )
        for name in SERVICES
    )


def republished_total(ports: list[int]) -> int:
    """Sum of iims_outbox_republished_total over the services' /metrics (a service that was
    restarted meanwhile starts from 0: `republished_rows` is the number to trust)."""
    total = 0.0
    for port in ports:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=60).text
        except httpx.HTTPError:
            continue
        for m in re.finditer(r"^iims_outbox_republished_total\{[^}]*\} ([0-9.e+]+)$", text, re.M):
            total += float(m.group(1))
    return int(total)


class Stack:
    """scripts/dev_run.py (`make run`) on a fresh var dir against an external broker."""

    def __init__(self, var: Path, broker_port: int) -> None:
        self.var = var
        self.ports = {
            n: free_port() for n in ("REGISTRY", "TRAINING", "ASSESSMENT", "AUDIT", "GATEWAY")
        }
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL",) and not k.endswith("_DATABASE_URL")
        }
        env.update({f"{n}_PORT": str(p) for n, p in self.ports.items()})
        env.update(
            VAR_DIR=str(var),
            KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{broker_port}",
            DEMO_DATA="0",
            INTERNAL_TOKEN_SECRET=SECRET,
            RELAY_OFFSET_CHECK_INTERVAL_S="2",
            WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
            WEBHOOK_POLL_INTERVAL_S="0.2",
            WEBHOOK_BACKOFF_BASE_S="0.5",
            LOG_LEVEL="WARNING",
        )
        self.log = open(var.parent / "make-run.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "dev_run.py")],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 1200) -> str:
        """The admin key once `make run` printed its banner. Generous: a fresh clone builds
        the web console first (minutes on a loaded machine)."""
        deadline = time.monotonic() + timeout
        path = Path(self.log.name)
        while time.monotonic() < deadline:
            text = path.read_text(errors="replace")
            if "is running" in text and "admin API key" in text:
                line = next(x for x in text.splitlines() if x.strip().startswith("admin API key"))
                return line.split()[3]
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError("make run did not come up:\n" + self.tail())

    def tail(self, n: int = 60) -> str:
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-n:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


async def prepare(var: Path, n: int) -> tuple[str, list[str], set[str]]:
    """A batch (quota n), a unit, n enterprises and their recommendations, written in one
    transaction through the registry's own service layer into its SQLite file (the running
    registry's relay publishes their events like any other); (batch, recs, enterprises)."""
    from iims_common.db import create_engine, create_sessionmaker
    from iims_common.identity import Caller
    from registry.api import schemas
    from registry.domain.enums import RecommendingUnitKind
    from registry.domain.uscc import ALPHABET, make_uscc
    from registry.service import enterprises, programme
    from registry.settings import RegistrySettings

    ministry = Caller(subject="broker-loss-test", role=Role.ministry)
    rng = random.Random(n)
    engine = create_engine(RegistrySettings(database_url=f"sqlite+aiosqlite:///{var}/registry.db"))
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            batch = await programme.create_batch(
                session,
                schemas.BatchCreate(
                    year=2030 + rng.randint(0, 60),
                    name="断点测试批次",
                    pilot_quota=n,
                    certification_target=0,
                ),
            )
            unit = await programme.create_unit(
                session,
                schemas.RecommendingUnitCreate(
                    name="断点测试推荐单位", kind=RecommendingUnitKind.central_soe
                ),
            )
            recs, ents = [], set()
            for i in range(n):
                code = "".join(rng.choice(ALPHABET) for _ in range(9))
                e = await enterprises.register(
                    session,
                    ministry,
                    schemas.EnterpriseCreate(
                        uscc=make_uscc("91" + PROVINCE[:2] + "0108" + code),
                        name=f"北京断点测试{i:05d}有限公司",
                        province_code=PROVINCE,
                        industry_code="C26",
                        size="medium",
                    ),
                )
                r = await programme.recommend(
                    session,
                    ministry,
                    batch,
                    schemas.RecommendationCreate(enterprise_id=e.id, recommending_unit_id=unit.id),
                )
                recs.append(str(r.id))
                ents.add(str(e.id))
            batch_id = str(batch.id)
    finally:
        await engine.dispose()
    return batch_id, recs, ents


async def select_all(registry: str, batch_id: str, recs: list[str], on_progress: Any) -> None:
    """Select every recommendation as a pilot (8 at a time), calling `on_progress(done)`."""
    headers = mint(Role.ministry)
    done = 0
    sem = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=registry, headers=headers, timeout=120) as c:

        async def one(rec: str) -> None:
            nonlocal done
            async with sem:
                r = await c.post(
                    f"/api/v1/batches/{batch_id}/pilots",
                    json={"recommendation_id": rec},
                    headers={"Idempotency-Key": f"bl-p-{rec}"},
                )
                assert r.status_code == 201, r.text
                done += 1
                await on_progress(done)

        await asyncio.gather(*(one(r) for r in recs))


async def run(n: int, down_s: float, workdir: Path, kill_at: float = 0.3) -> Result:
    """Start the stack, stream n selections, kill -9 the broker after kill_at·n of them,
    keep it down `down_s`, restart it empty on the same port, wait until every effect count is
    n (or fail after a deadline). Returns the measurements."""
    broker_port = free_port()
    broker = start_broker(broker_port, topics=True)
    var = workdir / "var"
    stack = Stack(var, broker_port)
    hooks = Receiver()
    hook_url = hooks.start()
    restarted_at: list[float] = []
    try:
        key = stack.wait_ready()
        gateway = f"http://127.0.0.1:{stack.ports['GATEWAY']}"
        registry = f"http://127.0.0.1:{stack.ports['REGISTRY']}"
        async with httpx.AsyncClient() as client:
            sub = await client.post(
                f"{gateway}/api/v1/webhooks",
                json={
                    "url": hook_url,
                    "event_types": [PilotEnrolled.topic],
                    "province_code": PROVINCE,
                },
                headers={"X-API-Key": key},
                timeout=30,
            )
        assert sub.status_code == 201, sub.text
        batch_id, recs, enterprises = await prepare(var, n)
        killed = asyncio.Event()

        async def on_progress(done: int) -> None:
            if done >= kill_at * n and not killed.is_set():
                killed.set()
                broker.kill()  # kill -9: the memory-only log is gone
                broker.wait()

        async def restart_later() -> None:
            nonlocal broker
            await killed.wait()
            await asyncio.sleep(down_s)
            broker = await asyncio.to_thread(start_broker, broker_port, topics=True)
            restarted_at.append(time.monotonic())

        restarter = asyncio.create_task(restart_later())
        await select_all(registry, batch_id, recs, on_progress)
        await restarter
        # Generous (a loaded CI machine re-reads re-published partitions slowly): this only
        # bounds how long a real loss takes to fail; the pass is decided by counts, not time.
        deadline = time.monotonic() + max(900.0, n / 2)
        counts: dict[str, int] = {}
        while time.monotonic() < deadline:
            counts = effect_counts(var, batch_id, enterprises, hooks)
            if all(v >= n for v in counts.values()):
                break
            await asyncio.sleep(0.5)
        caught_up = time.monotonic()
        await asyncio.sleep(3)  # anything late and double would show now
        counts = effect_counts(var, batch_id, enterprises, hooks)
        service_ports = list(stack.ports.values())
        republished_metric = republished_total(service_ports)
        republished = republished_rows(var)
        duplicates = {
            "training_invitations": counts["training_invitations"]
            - counts["training_invitations_distinct"],
            "webhook_queued": counts["webhook_queued"] - counts["webhook_queued_distinct"],
            "webhook_received": counts["webhook_received"] - counts["webhook_received_distinct"],
        }
        duplicates.update(
            {k: v - n for k, v in counts.items() if not k.endswith("_distinct") and v > n}
        )
        return Result(
            pilots=n,
            down_s=down_s,
            catch_up_s=caught_up - restarted_at[0],
            republished=republished,
            republished_metric=republished_metric,
            counts=counts,
            duplicates={k: v for k, v in duplicates.items() if v},
        )
    except BaseException:
        print(stack.tail(), file=sys.stderr)
        raise
    finally:
        stack.stop()
        hooks.stop()
        stop_broker(broker)


def main() -> None:
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    down = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    keep = os.environ.get("BROKER_LOSS_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(keep) if keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(run(n, down, workdir))
    print(result)


if __name__ == "__main__":
    main()
