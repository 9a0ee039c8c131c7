"""Session capacity and waitlist order under concurrency, on BOTH backends: PostgreSQL (the
session row locked `FOR UPDATE`) and SQLite (`BEGIN IMMEDIATE`, iims_common.db). The issue
this guards: capacity 5 with 30 racing enrollments ended with 6, 5 and 7 seats on SQLite."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from test_training_api import MINISTRY, make_person, make_session

from iims_common.identity import Role
from iims_common.testing import mint


async def _capacity_race(client: httpx.AsyncClient, capacity: int = 5, racers: int = 30) -> None:
    run = await make_session(client, capacity=capacity)
    org = uuid.uuid4()
    people = [await make_person(client, org) for _ in range(racers)]
    headers = mint(Role.enterprise, org=org)
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/sessions/{run['id']}/enrollments",
                json={"person_id": p["id"]},
                headers=headers,
            )
            for p in people
        )
    )
    assert all(r.status_code == 201 for r in results), [r.text for r in results][:3]
    enrollments = [r.json() for r in results]
    enrolled = [e for e in enrollments if e["status"] == "enrolled"]
    waitlisted = [e for e in enrollments if e["status"] == "waitlisted"]
    assert (len(enrolled), len(waitlisted)) == (capacity, racers - capacity)
    detail = (await client.get(f"/api/v1/sessions/{run['id']}", headers=MINISTRY)).json()
    assert (detail["seats_taken"], detail["waitlisted"]) == (capacity, racers - capacity)
    # Waitlist order: every seat went to an enrollment written before every waitlisted one
    # (ids are UUIDv7, assigned at insert time under the lock).
    assert max(uuid.UUID(e["id"]) for e in enrolled) < min(uuid.UUID(e["id"]) for e in waitlisted)
    # Two seats freed at once go to the two earliest waitlisted enrollments, in order.
    first_two = sorted(waitlisted, key=lambda e: uuid.UUID(e["id"]))[:2]
    cancels = await asyncio.gather(
        *(
            client.post(f"/api/v1/enrollments/{e['id']}/cancel", headers=headers)
            for e in enrolled[:2]
        )
    )
    assert [r.status_code for r in cancels] == [200, 200]
    for e in first_two:
        got = await client.get(f"/api/v1/enrollments/{e['id']}", headers=headers)
        assert got.json()["status"] == "enrolled"
    detail = (await client.get(f"/api/v1/sessions/{run['id']}", headers=MINISTRY)).json()
    assert (detail["seats_taken"], detail["waitlisted"]) == (capacity, racers - capacity - 2)


async def test_capacity_5_with_30_racing_postgresql(client: httpx.AsyncClient) -> None:
    await _capacity_race(client)


async def test_capacity_5_with_30_racing_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _capacity_race(sqlite_client)
