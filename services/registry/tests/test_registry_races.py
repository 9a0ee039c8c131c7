"""The registry's invariants under concurrency, on BOTH backends: PostgreSQL (row locks,
constraints) and SQLite (the `make run` backend: `BEGIN IMMEDIATE` from iims_common.db).

Each test races many requests at one rule and asserts the exact final count — a lost lock
shows up as one too many (the issue this guards: quota 20 ended with 32–34 pilots on SQLite).
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import httpx
from factories import (
    MINISTRY,
    create_batch,
    create_enterprise,
    create_unit,
    enterprise_body,
    recommend,
)

from registry.main import create_app
from registry.settings import RegistrySettings


async def _quota_race(client: httpx.AsyncClient, quota: int = 20, racers: int = 40) -> None:
    batch = await create_batch(client, quota=quota)
    unit = await create_unit(client)
    recs = []
    for _ in range(racers):
        e = await create_enterprise(client)
        recs.append(await recommend(client, batch["id"], e["id"], unit["id"]))

    async def select(rec: dict[str, Any]) -> httpx.Response:
        return await client.post(
            f"/api/v1/batches/{batch['id']}/pilots",
            json={"recommendation_id": rec["id"]},
            headers=MINISTRY,
        )

    results = await asyncio.gather(*(select(r) for r in recs))
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == quota, sorted(statuses)
    refused = [r for r in results if r.status_code != 201]
    assert all(r.json().get("rule") == "batch.pilot-quota" for r in refused), [
        r.text for r in refused[:3]
    ]
    stats = (await client.get(f"/api/v1/batches/{batch['id']}/stats", headers=MINISTRY)).json()
    assert stats["pilots"] == quota


async def _one_pilot_per_recommendation(client: httpx.AsyncClient, racers: int = 10) -> None:
    batch = await create_batch(client, quota=100)
    unit = await create_unit(client)
    e = await create_enterprise(client)
    rec = await recommend(client, batch["id"], e["id"], unit["id"])
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/batches/{batch['id']}/pilots",
                json={"recommendation_id": rec["id"]},
                headers=MINISTRY,
            )
            for _ in range(racers)
        )
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == 1, statuses
    assert all(s in (201, 409, 422) for s in statuses), statuses
    stats = (await client.get(f"/api/v1/batches/{batch['id']}/stats", headers=MINISTRY)).json()
    assert stats["pilots"] == 1


async def _idempotency_key_race(client: httpx.AsyncClient, racers: int = 8) -> None:
    body = enterprise_body()
    headers = {**MINISTRY, "Idempotency-Key": f"race-{body['uscc']}"}
    results = await asyncio.gather(
        *(client.post("/api/v1/enterprises", json=body, headers=headers) for _ in range(racers))
    )
    assert {r.status_code for r in results} == {201}, [r.text for r in results]
    assert len({r.json()["id"] for r in results}) == 1
    found = await client.get(
        "/api/v1/enterprises", params={"name": body["name"], "limit": 10}, headers=MINISTRY
    )
    assert [x["uscc"] for x in found.json()["items"]].count(body["uscc"]) == 1


async def _uscc_race(client: httpx.AsyncClient, racers: int = 8) -> None:
    body = enterprise_body()
    results = await asyncio.gather(
        *(client.post("/api/v1/enterprises", json=body, headers=MINISTRY) for _ in range(racers))
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == 1 and set(statuses) == {201, 409}, statuses
    found = await client.get(
        "/api/v1/enterprises", params={"name": body["name"], "limit": 10}, headers=MINISTRY
    )
    assert [x["uscc"] for x in found.json()["items"]].count(body["uscc"]) == 1


async def test_pilot_quota_20_with_40_racing_postgresql(client: httpx.AsyncClient) -> None:
    await _quota_race(client)


async def test_pilot_quota_20_with_40_racing_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _quota_race(sqlite_client)


async def test_one_pilot_per_recommendation_postgresql(client: httpx.AsyncClient) -> None:
    await _one_pilot_per_recommendation(client)


async def test_one_pilot_per_recommendation_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _one_pilot_per_recommendation(sqlite_client)


async def test_idempotency_key_race_postgresql(client: httpx.AsyncClient) -> None:
    await _idempotency_key_race(client)


async def test_idempotency_key_race_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _idempotency_key_race(sqlite_client)


async def test_uscc_race_postgresql(client: httpx.AsyncClient) -> None:
    await _uscc_race(client)


async def test_uscc_race_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _uscc_race(sqlite_client)


async def test_sqlite_busy_is_503_with_retry_after_and_reads_go_on(
    sqlite_settings: RegistrySettings, sqlite_client: httpx.AsyncClient
) -> None:
    """A writer that cannot get SQLite's write lock within the busy timeout answers 503
    problem+json with Retry-After (never 500); reads (GET, deferred) are not blocked."""
    known = await create_enterprise(sqlite_client)
    app = create_app(sqlite_settings.model_copy(update={"sqlite_busy_timeout_s": 0.2}))
    path = sqlite_settings.database_url.split(":///", 1)[1]
    holder = sqlite3.connect(path, isolation_level=None)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as c,
    ):
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            r = await c.post("/api/v1/enterprises", json=enterprise_body(), headers=MINISTRY)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["retry-after"] == "1"
            got = await c.get(f"/api/v1/enterprises/{known['id']}", headers=MINISTRY)
            assert got.status_code == 200 and got.json()["uscc"] == known["uscc"]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        r = await c.post("/api/v1/enterprises", json=enterprise_body(), headers=MINISTRY)
        assert r.status_code == 201, r.text
