"""The programme work's invariants under concurrency on BOTH backends: a meeting's capacity
(people) and a budget's amount are never exceeded, whatever the number of racing requests."""

from __future__ import annotations

import asyncio

import httpx
from factories import MINISTRY, pilot

from iims_common.identity import Role
from iims_common.testing import mint

PROVINCES = [
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
    "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
]  # fmt: skip


async def _capacity_race(client: httpx.AsyncClient, capacity: int = 10) -> None:
    r = await client.post(
        "/api/v1/meetings",
        json={
            "year": 2014,
            "kind": "site_meeting",
            "title": "现场会",
            "organizer": "信息化司",
            "capacity": capacity,
        },
        headers=MINISTRY,
    )
    meeting = r.json()
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/meetings/{meeting['id']}/registrations",
                json={"organization_name": code, "attendees": 2},
                headers=mint(Role.province, province=code),
            )
            for code in PROVINCES
        )
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == capacity // 2, sorted(statuses)
    assert all(r.json()["rule"] == "meeting.capacity" for r in results if r.status_code != 201)
    listed = await client.get(f"/api/v1/meetings/{meeting['id']}/registrations", headers=MINISTRY)
    assert sum(x["attendees"] for x in listed.json()["items"]) == capacity


async def _budget_race(client: httpx.AsyncClient, racers: int = 12) -> None:
    chain = await pilot(client, "330000")
    r = await client.post(
        "/api/v1/fund-budgets",
        json={
            "year": chain["batch"]["year"],
            "source": "provincial",
            "province_code": "330000",
            "amount_yuan": 1000,
        },
        headers=MINISTRY,
    )
    budget = r.json()
    body = {"pilot_id": chain["pilot"]["id"], "amount_yuan": 150, "decided_on": "2014-12-01"}
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/fund-budgets/{budget['id']}/allocations", json=body, headers=MINISTRY
            )
            for _ in range(racers)
        )
    )
    statuses = [r.status_code for r in results]
    assert statuses.count(201) == 6, sorted(statuses)  # 6 × 150 ≤ 1000 < 7 × 150
    assert all(r.json()["rule"] == "fund.budget-exceeded" for r in results if r.status_code != 201)


async def test_meeting_capacity_race_postgresql(client: httpx.AsyncClient) -> None:
    await _capacity_race(client)


async def test_meeting_capacity_race_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _capacity_race(sqlite_client)


async def test_budget_race_postgresql(client: httpx.AsyncClient) -> None:
    await _budget_race(client)


async def test_budget_race_sqlite(sqlite_client: httpx.AsyncClient) -> None:
    await _budget_race(sqlite_client)
