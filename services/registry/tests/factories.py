"""Small builders for test data through the public API."""

from __future__ import annotations

import random
from typing import Any

import httpx

from iims_common.identity import Role
from iims_common.testing import mint
from registry.domain.uscc import ALPHABET, make_uscc

MINISTRY = mint(Role.ministry)


def uscc(province: str = "110000", rng: random.Random | None = None) -> str:
    r = rng or random.Random()
    return make_uscc("91" + province[:2] + "0108" + "".join(r.choice(ALPHABET) for _ in range(9)))


def enterprise_body(province: str = "110000", **over: Any) -> dict[str, Any]:
    body = {
        "uscc": uscc(province),
        "name": f"北京测试{random.randint(0, 10**9)}制造有限公司",
        "province_code": province,
        "industry_code": "C26",
        "size": "large",
    }
    body.update(over)
    return body


async def create_enterprise(
    client: httpx.AsyncClient, province: str = "110000", **over: Any
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/enterprises", json=enterprise_body(province, **over), headers=MINISTRY
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def create_batch(
    client: httpx.AsyncClient, quota: int = 500, year: int | None = None
) -> dict[str, Any]:
    first = year or random.randint(2017, 2100)
    body = {
        "year": first,
        "name": "测试批次",
        "pilot_quota": quota,
        "certification_target": 200,
        "plan_deadline": "2014-05-31",
    }
    r = await client.post("/api/v1/batches", json=body, headers=MINISTRY)
    # One batch per year, and one session's tests share the database: a random year that is
    # taken is 409 — try the next (a year the caller chose is the caller's to get right).
    for other in [*range(first + 1, 2101), *range(2017, first)] if year is None else []:
        if r.status_code != 409:
            break
        body["year"] = other  # BatchCreate: year ≤ 2100
        r = await client.post("/api/v1/batches", json=body, headers=MINISTRY)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def create_unit(
    client: httpx.AsyncClient, kind: str = "central_soe", region: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": f"推荐单位{random.randint(0, 10**9)}", "kind": kind}
    if region:
        body["region_code"] = region
    r = await client.post("/api/v1/recommending-units", json=body, headers=MINISTRY)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def create_consultancy(
    client: httpx.AsyncClient, status: str = "authorized"
) -> dict[str, Any]:
    body = {
        "uscc": uscc(),
        "name": f"咨询机构{random.randint(0, 10**9)}",
        "kind": "consultancy",
        "status": status,
        "province_code": "110000",
    }
    r = await client.post("/api/v1/agencies", json=body, headers=MINISTRY)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def recommend(
    client: httpx.AsyncClient, batch_id: str, enterprise_id: str, unit_id: str
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/batches/{batch_id}/recommendations",
        json={"enterprise_id": enterprise_id, "recommending_unit_id": unit_id},
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def pilot(
    client: httpx.AsyncClient, province: str = "110000", consultancy_id: str | None = None
) -> dict[str, Any]:
    """A full chain: enterprise → batch → unit → recommendation → selected pilot."""
    e = await create_enterprise(client, province)
    b = await create_batch(client)
    u = await create_unit(client)
    rec = await recommend(client, b["id"], e["id"], u["id"])
    body: dict[str, Any] = {"recommendation_id": rec["id"]}
    if consultancy_id:
        body["consultancy_id"] = consultancy_id
    r = await client.post(f"/api/v1/batches/{b['id']}/pilots", json=body, headers=MINISTRY)
    assert r.status_code == 201, r.text
    return {"enterprise": e, "batch": b, "unit": u, "recommendation": rec, "pilot": r.json()}
