"""`make run`'s zero-install path must not rot: start it (SQLite under a fresh var dir, its own
broker, demo data), create an enterprise, read it back, see its event, see the training service
act on the demo's pilot-enrolled events, and Ctrl-C stops it all."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from iims_common.broker import free_port
from iims_common.identity import Role
from iims_common.testing import ROOT, SECRET, eventually, mint, read_topic
from iims_contracts import EnterpriseRegistered


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


async def _demo_state(g: httpx.AsyncClient) -> dict[str, list[tuple[str, ...]]]:
    """What the demo loads through the gateway, as comparable rows (ids and states)."""

    async def rows(path: str, *fields: str) -> list[tuple[str, ...]]:
        r = await g.get(path, params={"limit": 100})
        assert r.status_code == 200, r.text
        return sorted(tuple(str(x[f]) for f in fields) for x in r.json()["items"])

    return {
        "sessions": await rows("/api/v1/sessions", "id", "programme_code", "starts_on"),
        "auditors": await rows("/api/v1/auditors", "person_id"),
        "applications": await rows("/api/v1/applications", "id", "enterprise_id", "status"),
        "notices": await rows("/api/v1/notices", "id"),
    }


async def test_make_run_sqlite_path(tmp_path: Path) -> None:
    api_port, broker_port, training_port = free_port(), free_port(), free_port()
    assessment_port, audit_port, gateway_port = free_port(), free_port(), free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        REGISTRY_PORT=str(api_port),
        TRAINING_PORT=str(training_port),
        ASSESSMENT_PORT=str(assessment_port),
        AUDIT_PORT=str(audit_port),
        GATEWAY_PORT=str(gateway_port),
        BROKER_PORT=str(broker_port),
        INTERNAL_TOKEN_SECRET=SECRET,
    )
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if "is running" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert ready.wait(180), "make run did not come up:\n" + "".join(output[-40:])
        assert (tmp_path / "var" / "registry.db").exists()
        headers = mint(Role.ministry)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}", headers=headers) as c:
            demo = (await c.get("/api/v1/batches")).json()["items"]
            assert [b["year"] for b in demo] == [2014, 2015, 2016]
            body = {
                "uscc": "91350100M000100Y43",
                "name": "福建冒烟测试有限公司",
                "province_code": "350000",
                "industry_code": "C34",
                "size": "medium",
            }
            r = await c.post("/api/v1/enterprises", json=body)
            assert r.status_code == 201, r.text
            created = r.json()
            again = await c.get(f"/api/v1/enterprises/{created['id']}")
            assert again.status_code == 200 and again.json()["name"] == "福建冒烟测试有限公司"
        found = await read_topic(
            f"127.0.0.1:{broker_port}",
            EnterpriseRegistered,
            lambda v: v.get("data", {}).get("enterprise_id") == created["id"],
            timeout=30,
        )
        assert found and found[0][1]["data"]["uscc"] == "91350100M000100Y43"
        # Across services: the training service consumed the demo's pilot-enrolled events.
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{training_port}", headers=headers
        ) as t:

            async def invited() -> bool:
                r = await t.get("/api/v1/invitations", params={"limit": 500})
                return r.status_code == 200 and len(r.json()["items"]) == 500

            await eventually(invited, timeout=60)
        # ... and the assessment service opened a baseline draft for each pilot.
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{assessment_port}", headers=headers
        ) as a:

            async def baselines() -> bool:
                r = await a.get("/api/v1/assessments", params={"limit": 500})
                return r.status_code == 200 and len(r.json()["items"]) == 500

            await eventually(baselines, timeout=60)
        # ... and the audit service learned the authorized certification bodies.
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{audit_port}", headers=headers
        ) as au:

            async def bodies() -> bool:
                r = await au.get("/api/v1/certification-bodies")
                return r.status_code == 200 and len(r.json()["items"]) == 3

            await eventually(bodies, timeout=60)
        # The gateway fronts them all with the printed admin key; the demo's auditors (trained
        # and qualified through it) reached the audit service's pool.
        admin_key = next(
            line.split()[3] for line in output if line.strip().startswith("admin API key")
        )
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{gateway_port}", headers={"X-API-Key": admin_key}
        ) as g:
            batches = (await g.get("/api/v1/batches")).json()["items"]
            assert [b["year"] for b in batches] == [2014, 2015, 2016]

            async def pool() -> bool:
                r = await g.get("/api/v1/auditors", params={"limit": 100})
                return r.status_code == 200 and len(r.json()["items"]) == 12

            await eventually(pool, timeout=60)
            # The demo's 认定申请: the certification body's workspace has applications
            # waiting for audit planning (已受理).
            accepted = (
                await g.get("/api/v1/applications", params={"status": "accepted", "limit": 100})
            ).json()["items"]
            assert len(accepted) >= 2
            assert all(a["system_running_since"] <= "2014-08-01" for a in accepted)
            before = await _demo_state(g)
        # A second demo run (what a restart of `make run` does) changes nothing.
        await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                str(ROOT / "scripts" / "demo_platform.py"),
                f"http://127.0.0.1:{gateway_port}",
                admin_key,
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{gateway_port}", headers={"X-API-Key": admin_key}
        ) as g:
            assert await _demo_state(g) == before
            spec = (await g.get("/openapi.json")).json()
            assert "/api/v1/applications" in spec["paths"] and "/api/v1/programmes" in spec["paths"]
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    time.sleep(0.5)
    ports = (api_port, broker_port, training_port, assessment_port, audit_port, gateway_port)
    assert not any(_listening(p) for p in ports), "make run left processes behind"
