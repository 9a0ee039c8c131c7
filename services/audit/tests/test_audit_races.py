"""One auditor cannot be booked twice: two team assignments racing for the same lead auditor
on overlapping dates give exactly one audit, on BOTH backends — PostgreSQL (auditor rows
locked) and SQLite (`BEGIN IMMEDIATE`, iims_common.db)."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
from audit_world import Facts, apply, make_world, plan


async def _double_booking_race(client: httpx.AsyncClient, facts: Facts, racers: int = 2) -> None:
    w = await make_world(client, facts)
    worlds = [w]
    for _ in range(racers - 1):
        # Another pilot enterprise applying to the same body: the same auditors could serve it.
        other = facts.enterprise(consultancy_id=w.consultancy)
        worlds.append(dataclasses.replace(w, enterprise=other))
    await facts.settle()
    applications = [await apply(client, x) for x in worlds]
    results = await asyncio.gather(
        *(plan(client, w, a["id"], "stage1", 20, 22, w.team()) for a in applications)
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == 1, [r.text for r in results]
    refused = [r.json() for r in results if r.status_code != 201]
    assert all(p.get("rule") == "team.double-booked" for p in refused), refused
    audits = (await client.get("/api/v1/audits", headers=w.as_body)).json()["items"]
    assert len(audits) == 1


async def test_one_auditor_two_concurrent_assignments_postgresql(
    client: httpx.AsyncClient, facts: Facts
) -> None:
    await _double_booking_race(client, facts)


async def test_one_auditor_two_concurrent_assignments_sqlite(
    sqlite_client: httpx.AsyncClient, sqlite_facts: Facts
) -> None:
    await _double_booking_race(sqlite_client, sqlite_facts)


async def test_one_auditor_eight_concurrent_assignments_sqlite(
    sqlite_client: httpx.AsyncClient, sqlite_facts: Facts
) -> None:
    await _double_booking_race(sqlite_client, sqlite_facts, racers=8)
