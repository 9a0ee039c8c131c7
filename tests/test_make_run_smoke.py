"""`make run`'s zero-install path must not rot: start it (SQLite under a fresh var dir, its own
broker, demo data), create an enterprise, read it back, see its event, see the training service
act on the demo's pilot-enrolled events, and Ctrl-C stops it all."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx

from iims_common.identity import Role
from iims_common.testing import ROOT, MakeRun, eventually, listening, mint, platform_env, read_topic
from iims_contracts import EnterpriseRegistered


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
    env, ports = platform_env(tmp_path / "var")
    api_port, broker_port, training_port = ports["REGISTRY"], ports["BROKER"], ports["TRAINING"]
    assessment_port, audit_port, gateway_port = (
        ports["ASSESSMENT"],
        ports["AUDIT"],
        ports["GATEWAY"],
    )
    run = MakeRun(env)
    try:
        admin_key = run.wait_ready(180)
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
        run.ctrl_c()
    time.sleep(0.5)
    assert not any(listening(p) for p in ports.values()), "make run left processes behind"
