"""The programme's own work reaches the dashboards and the enterprise overview through
events only: the seed's tasks (late ones computed on read), a province's periodic 报送,
meetings and their registrations, funds allocated and disbursed to a pilot."""

from __future__ import annotations

import random
from typing import Any

import httpx
from gateway_platform import Platform
from test_gateway_programme_e2e import Api, key, new_batch, uscc

from iims_common.testing import eventually

ZHEJIANG = "330000"


def _year(board: dict[str, Any], year: int) -> dict[str, Any] | None:
    return next((y for y in board["programme"] if y["year"] == year), None)


async def test_tasks_reports_meetings_and_funds_on_the_dashboards(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    rng = random.Random()
    ministry = await key(gw, admin, role="ministry")
    province = await key(gw, admin, role="province", province_code=ZHEJIANG)
    await ministry.call("POST", "/api/v1/programme-tasks/seed?year=2014")

    # Zhejiang's 10 之四 tasks and 宁波's (a separately-planned city counts for its province)
    # plan are all overdue today (the windows are 2014's).
    async def seeded() -> Any:
        board = await province.call("GET", f"/api/v1/dashboards/provinces/{ZHEJIANG}")
        y = _year(board, 2014)
        return y if y and y["tasks"]["total"] == 11 else None

    y = await eventually(seeded, timeout=60)
    assert y["tasks"]["overdue"] == 11 and y["tasks"]["done"] == 0

    async def national_seeded() -> bool:
        board = await ministry.call("GET", "/api/v1/dashboards/national")
        y = _year(board, 2014)
        return bool(y and y["tasks"]["total"] >= 21 + 310 + 5)  # + one per 司局 unit

    await eventually(national_seeded, timeout=60)

    # The province hands in its plan (late) and its June 报送 (late).
    tasks = (await province.call("GET", "/api/v1/programme-tasks?year=2014&source=provincial"))[
        "items"
    ]
    plan = next(t for t in tasks if t["ref"] == "之四 一.1")
    report = next(t for t in tasks if t["periodic"])
    await province.call(
        "POST", f"/api/v1/programme-tasks/{plan['id']}/submissions", 201, json={"summary": "方案"}
    )
    await province.call(
        "POST",
        f"/api/v1/programme-tasks/{report['id']}/submissions",
        201,
        json={"period": "2014-06", "summary": "6月进展"},
    )
    # A meeting of the province, with a registration.
    meeting = await province.call(
        "POST",
        "/api/v1/meetings",
        201,
        json={
            "year": 2014,
            "kind": "provincial_seminar",
            "title": "浙江贯标座谈会",
            "organizer": "浙江",
        },
    )
    await province.call(
        "POST",
        f"/api/v1/meetings/{meeting['id']}/registrations",
        201,
        json={"organization_name": "浙江省经济和信息化委员会", "attendees": 12},
    )

    async def reported() -> Any:
        board = await province.call("GET", f"/api/v1/dashboards/provinces/{ZHEJIANG}")
        y = _year(board, 2014)
        return y if y and y["reporting"]["received"] == 1 and y["meetings"]["registered"] else None

    y = await eventually(reported, timeout=60)
    assert y["tasks"]["done_late"] == 1 and y["tasks"]["overdue"] == 10
    assert y["reporting"] == {"latest_period": "2014-06", "received": 1, "late": 1, "missing": 0}
    mine = [m for m in y["meetings"]["next"] if m["title"] == "浙江贯标座谈会"]
    assert mine and mine[0]["status"] == "planned" and y["meetings"]["registered"] >= 12

    # Funds: a provincial budget supports one of the province's pilots.
    batch = await new_batch(ministry, rng, name="b", pilot_quota=5, certification_target=1)
    year = batch["year"]
    unit = await ministry.call(
        "POST",
        "/api/v1/recommending-units",
        201,
        json={"name": f"推荐单位{rng.randint(0, 10**9)}", "kind": "central_soe"},
    )
    enterprise = await ministry.call(
        "POST",
        "/api/v1/enterprises",
        201,
        json={
            "uscc": uscc(rng, ZHEJIANG),
            "name": f"浙江纺织{rng.randint(0, 10**6)}有限公司",
            "province_code": ZHEJIANG,
            "industry_code": "C17",
            "size": "medium",
        },
    )
    rec = await ministry.call(
        "POST",
        f"/api/v1/batches/{batch['id']}/recommendations",
        201,
        json={"enterprise_id": enterprise["id"], "recommending_unit_id": unit["id"]},
    )
    pilot = await ministry.call(
        "POST", f"/api/v1/batches/{batch['id']}/pilots", 201, json={"recommendation_id": rec["id"]}
    )
    budget = await province.call(
        "POST",
        "/api/v1/fund-budgets",
        201,
        json={"year": year, "source": "provincial", "amount_yuan": 500000},
    )
    allocation = await province.call(
        "POST",
        f"/api/v1/fund-budgets/{budget['id']}/allocations",
        201,
        json={"pilot_id": pilot["id"], "amount_yuan": 200000, "decided_on": f"{year}-03-01"},
    )
    await province.call(
        "POST",
        f"/api/v1/fund-allocations/{allocation['id']}/disbursements",
        201,
        json={"amount_yuan": 80000, "paid_on": f"{year}-04-01"},
    )

    async def funded() -> Any:
        board = await province.call("GET", f"/api/v1/dashboards/provinces/{ZHEJIANG}")
        y = _year(board, year)
        return y if y and y["funds"]["disbursed_yuan"] else None

    y = await eventually(funded, timeout=60)
    assert y["funds"] == {"allocated_yuan": 200000, "disbursed_yuan": 80000, "allocations": 1}
    me: Api = await key(gw, admin, role="enterprise", organization_id=enterprise["id"])
    view = await me.call("GET", f"/api/v1/enterprise-overviews/{enterprise['id']}")
    assert view["funds"] == {"allocated_yuan": 200000, "disbursed_yuan": 80000}
    other = await key(gw, admin, role="province", province_code="320000")
    r = await gw.get(f"/api/v1/dashboards/provinces/{ZHEJIANG}", headers=other.headers)
    assert r.status_code == 404
