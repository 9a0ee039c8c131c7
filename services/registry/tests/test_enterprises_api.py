"""Enterprises over HTTP: create/read/update with ETag, list filters + cursors, uniqueness,
Idempotency-Key, scoping (404 outside scope) and bad input as problem+json."""

from __future__ import annotations

import uuid

import httpx
from factories import MINISTRY, create_enterprise, enterprise_body, uscc
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.fastroute import FastGetRoute
from iims_common.identity import Role
from iims_common.testing import mint
from registry.domain.uscc import check_character


async def test_create_read_update_with_etag(client: httpx.AsyncClient) -> None:
    body = enterprise_body(name="北京华通钢铁有限公司", contact_email="a@b.cn")
    r = await client.post("/api/v1/enterprises", json=body, headers=MINISTRY)
    assert r.status_code == 201
    created = r.json()
    assert r.headers["location"] == f"/api/v1/enterprises/{created['id']}"
    assert created["province_name"] == "北京市" and created["status"] == "registered"
    assert r.headers["x-request-id"]

    r = await client.get(f"/api/v1/enterprises/{created['id']}", headers=MINISTRY)
    assert r.status_code == 200 and r.json()["name"] == "北京华通钢铁有限公司"
    etag = r.headers["etag"]

    patch = {"name": "北京华通钢铁集团有限公司"}
    r = await client.patch(f"/api/v1/enterprises/{created['id']}", json=patch, headers=MINISTRY)
    assert r.status_code == 428
    r = await client.patch(
        f"/api/v1/enterprises/{created['id']}", json=patch, headers={**MINISTRY, "If-Match": etag}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await client.patch(
        f"/api/v1/enterprises/{created['id']}",
        json={"size": "small"},
        headers={**MINISTRY, "If-Match": etag},
    )
    assert r.status_code == 412
    assert r.headers["content-type"] == "application/problem+json"


async def test_wrong_check_character_names_field_and_expected(client: httpx.AsyncClient) -> None:
    good = uscc()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    r = await client.post("/api/v1/enterprises", json=enterprise_body(uscc=wrong), headers=MINISTRY)
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"] == [
        {
            "field": "uscc",
            "message": f"第18位（校验码）为“{wrong[17]}”，按 GB 32100-2015 计算应为"
            f"“{check_character(good[:17])}”",
        }
    ]


async def test_duplicate_uscc_is_409_naming_existing(client: httpx.AsyncClient) -> None:
    e = await create_enterprise(client)
    r = await client.post(
        "/api/v1/enterprises", json=enterprise_body(uscc=e["uscc"]), headers=MINISTRY
    )
    assert r.status_code == 409
    assert r.json()["existing_id"] == e["id"]


async def test_idempotency_key_replays_and_rejects_other_body(client: httpx.AsyncClient) -> None:
    body = enterprise_body()
    headers = {**MINISTRY, "Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/api/v1/enterprises", json=body, headers=headers)
    again = await client.post("/api/v1/enterprises", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = await client.post("/api/v1/enterprises", json=enterprise_body(), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_list_filters_and_cursor_pagination(client: httpx.AsyncClient) -> None:
    for i in range(7):
        await create_enterprise(
            client, "320000", name=f"江苏恒盛纺织{i}有限公司", industry_code="C17"
        )
    await create_enterprise(
        client, "320000", name="江苏软件有限公司", industry_code="I65", size="small"
    )
    await create_enterprise(client, "110000", name="北京恒盛纺织有限公司", industry_code="C17")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"province_code": "320000", "industry_code": "C", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = await client.get("/api/v1/enterprises", params=params, headers=MINISTRY)
        assert r.status_code == 200
        page = r.json()
        seen += [e["name"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and len(set(seen)) == 7
    r = await client.get("/api/v1/enterprises", params={"name": "恒盛纺织"}, headers=MINISTRY)
    assert len(r.json()["items"]) == 8
    r = await client.get(
        "/api/v1/enterprises", params={"size": "small", "province_code": "320000"}, headers=MINISTRY
    )
    assert [e["name"] for e in r.json()["items"]] == ["江苏软件有限公司"]
    r = await client.get("/api/v1/enterprises", params={"name": "100%_"}, headers=MINISTRY)
    assert r.json()["items"] == []


async def test_province_sees_only_its_province(client: httpx.AsyncClient) -> None:
    beijing = await create_enterprise(client, "110000")
    jiangsu = await create_enterprise(client, "320000")
    js = mint(Role.province, province="320000")
    assert (await client.get(f"/api/v1/enterprises/{jiangsu['id']}", headers=js)).status_code == 200
    r = await client.get(f"/api/v1/enterprises/{beijing['id']}", headers=js)
    assert r.status_code == 404  # not 403: ids cannot be probed
    listed = (await client.get("/api/v1/enterprises", headers=js)).json()["items"]
    assert {e["province_code"] for e in listed} == {"320000"}
    # A province registers only its own enterprises.
    r = await client.post("/api/v1/enterprises", json=enterprise_body("110000"), headers=js)
    assert r.status_code == 422 and r.json()["rule"] == "enterprise.own-province"
    # Updates of an invisible enterprise are also 404.
    r = await client.patch(
        f"/api/v1/enterprises/{beijing['id']}",
        json={"size": "small"},
        headers={**js, "If-Match": '"1"'},
    )
    assert r.status_code == 404


async def test_enterprise_role_reads_itself_only(client: httpx.AsyncClient) -> None:
    me = await create_enterprise(client)
    other = await create_enterprise(client)
    headers = mint(Role.enterprise, org=uuid.UUID(me["id"]))
    assert (await client.get(f"/api/v1/enterprises/{me['id']}", headers=headers)).status_code == 200
    assert (
        await client.get(f"/api/v1/enterprises/{other['id']}", headers=headers)
    ).status_code == 404
    r = await client.post("/api/v1/enterprises", json=enterprise_body(), headers=headers)
    assert r.status_code == 403


async def test_missing_or_forged_identity_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/enterprises")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    forged = mint(Role.ministry)["X-IIMS-Identity"][:-4] + "AAAA"
    assert (
        await client.get("/api/v1/enterprises", headers={"X-IIMS-Identity": forged})
    ).status_code == 401


BAD_INPUTS = [
    # (body or raw, expected status, expected field)
    (b"{not json", 400, "body"),
    ({**enterprise_body(), "size": 3}, 422, "size"),
    ({**enterprise_body(), "size": "huge"}, 422, "size"),
    ({**enterprise_body(), "name": ["x"]}, 422, "name"),
    ({**enterprise_body(), "uscc": "91110108MA0123456"}, 422, "uscc"),
    ({**enterprise_body(), "uscc": "91110108MA01234S6Z"}, 422, "uscc"),
    ({**enterprise_body(), "province_code": "110100"}, 422, "province_code"),
    ({**enterprise_body(), "province_code": 110000}, 422, "province_code"),
    ({**enterprise_body(), "industry_code": "Z"}, 422, "industry_code"),
    ({**enterprise_body(), "industry_code": "C05"}, 422, "industry_code"),
    ({**enterprise_body(), "contact_email": "nope"}, 422, "contact_email"),
    ({**enterprise_body(), "unknown": 1}, 422, "unknown"),
    ([1, 2], 422, "body"),
]


async def test_bad_input_is_problem_json_naming_the_field(client: httpx.AsyncClient) -> None:
    for payload, status, field in BAD_INPUTS:
        if isinstance(payload, bytes):
            r = await client.post(
                "/api/v1/enterprises",
                content=payload,
                headers={**MINISTRY, "content-type": "application/json"},
            )
        else:
            r = await client.post("/api/v1/enterprises", json=payload, headers=MINISTRY)
        assert r.status_code == status, (payload, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        fields = [e["field"] for e in r.json()["errors"]]
        assert field in fields, (payload, fields)


async def test_bad_query_parameters(client: httpx.AsyncClient) -> None:
    cases = [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"province_code": "999999"}, "province_code"),
        ({"industry_code": "C99"}, "industry_code"),
        ({"size": "giant"}, "size"),
    ]
    for params, field in cases:
        r = await client.get("/api/v1/enterprises", params=params, headers=MINISTRY)
        assert r.status_code == 422, (params, r.text)
        assert [e["field"] for e in r.json()["errors"]] == [field]
    r = await client.get("/api/v1/enterprises/not-a-uuid", headers=MINISTRY)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "enterprise_id"


async def test_failed_create_leaves_no_event(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    from iims_common.events.tables import outbox

    e = await create_enterprise(client)
    async with db() as s:
        before = (await s.execute(select(func.count()).select_from(outbox))).scalar_one()
    r = await client.post(
        "/api/v1/enterprises", json=enterprise_body(uscc=e["uscc"]), headers=MINISTRY
    )
    assert r.status_code == 409
    async with db() as s:
        after = (await s.execute(select(func.count()).select_from(outbox))).scalar_one()
    assert after == before


async def test_unknown_method_and_path_are_problems(client: httpx.AsyncClient) -> None:
    r = await client.delete("/api/v1/batches", headers=MINISTRY)
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert r.headers["content-type"] == "application/problem+json"
    r = await client.get("/api/v1/nothing-here", headers=MINISTRY)
    assert r.status_code == 404 and r.json()["status"] == 404


async def test_concurrent_creates_with_one_idempotency_key_create_once(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    from registry.db.tables import Enterprise

    body = enterprise_body()
    headers = {**MINISTRY, "Idempotency-Key": f"race-{uuid.uuid4()}"}
    import asyncio

    results = await asyncio.gather(
        *(client.post("/api/v1/enterprises", json=body, headers=headers) for _ in range(5))
    )
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
    async with db() as s:
        n = await s.execute(
            select(func.count()).select_from(Enterprise).where(Enterprise.uscc == body["uscc"])
        )
    assert n.scalar_one() == 1


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/provinces", headers={**MINISTRY, "X-Request-ID": "req-42"})
    assert r.headers["x-request-id"] == "req-42"


async def test_concurrent_creates_of_one_uscc_give_one_201_and_409s(
    client: httpx.AsyncClient,
) -> None:
    import asyncio

    body = enterprise_body()
    results = await asyncio.gather(
        *(client.post("/api/v1/enterprises", json=body, headers=MINISTRY) for _ in range(6))
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1 and set(statuses) == {201, 409}, statuses
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in results
        if r.status_code == 409
    )


async def test_an_enterprise_edits_its_profile_but_not_its_status(
    client: httpx.AsyncClient,
) -> None:
    me = await create_enterprise(client)
    headers = mint(Role.enterprise, org=uuid.UUID(me["id"]))
    url = f"/api/v1/enterprises/{me['id']}"
    r = await client.patch(
        url, json={"contact_name": "王经理"}, headers={**headers, "If-Match": '"1"'}
    )
    assert r.status_code == 200 and r.json()["contact_name"] == "王经理"
    r = await client.patch(
        url, json={"status": "deregistered"}, headers={**headers, "If-Match": r.headers["etag"]}
    )
    assert r.status_code == 403


async def test_identifiers_fold_and_gb32100_table(client: httpx.AsyncClient) -> None:
    """Full-width, lower-case, padded spellings of a USCC and a province code are the same
    identifiers; registration department 0 (GB 32100-2015 assigns none) is refused naming
    position 1 and the allowed values, although its check character is right."""
    body = enterprise_body("330000")
    wide = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in body["uscc"].lower())
    r = await client.post(
        "/api/v1/enterprises",
        json={**body, "uscc": f"\u3000{wide} ", "province_code": "３３００００"},
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["uscc"], r.json()["province_code"]) == (body["uscc"], "330000")
    again = await client.post("/api/v1/enterprises", json=body, headers=MINISTRY)
    assert again.status_code == 409
    r = await client.post(
        "/api/v1/enterprises",
        json=enterprise_body(uscc="01846145LN10WXACYU"),
        headers=MINISTRY,
    )
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "uscc" and error["message"].startswith("第1位（登记管理部门代码）")
    assert "9 工商" in error["message"]
    listed = await client.get(
        "/api/v1/enterprises", params={"province_code": "３３００００"}, headers=MINISTRY
    )
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1


async def test_read_by_id_plain_case_answers_as_the_documented_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """GET by id's plain case is served without FastAPI's request handling
    (iims_common.fastroute); the documented route answers everything else, and both the
    same way: body, ETag, the route template, scoping, 401/404 as problem+json."""
    me = await create_enterprise(client, "320000")
    url = f"/api/v1/enterprises/{me['id']}"
    fast = next(r for r in app.router.routes if isinstance(r, FastGetRoute))
    js = mint(Role.province, province="320000")
    bj = mint(Role.province, province="110000")
    cases = [
        (url, MINISTRY),
        (url, js),
        (url, bj),  # outside the caller's scope: 404
        (url.upper().replace("/API/V1/ENTERPRISES", "/api/v1/enterprises"), MINISTRY),
        (f"/api/v1/enterprises/{uuid.uuid4()}", MINISTRY),  # none: 404
        (url, {"X-IIMS-Identity": "forged"}),  # 401
    ]
    answers = []
    for served_fast in (True, False):
        if not served_fast:
            app.router.routes.remove(fast)
        try:
            for path, headers in cases:
                r = await client.get(path, headers={**headers, "Accept-Language": "en"})
                answers.append(
                    (
                        r.status_code,
                        r.content if r.status_code == 200 else r.json()["title"],
                        r.headers.get("etag"),
                        r.headers["content-type"],
                        r.headers.get("x-iims-route"),
                    )
                )
        finally:
            if not served_fast:
                app.router.routes.insert(0, fast)
    assert answers[: len(cases)] == answers[len(cases) :]
    assert [a[0] for a in answers[: len(cases)]] == [200, 200, 404, 200, 404, 401]
    assert answers[0][4] == "/api/v1/enterprises/{enterprise_id}"
    # not the plain case: the documented route (its query contract, its path validation)
    r = await client.get(url, params={"fields": "name"}, headers=MINISTRY)
    assert r.status_code == 422
    r = await client.get("/api/v1/enterprises/not-a-uuid", headers=MINISTRY)
    assert r.status_code == 422
    assert (await client.get(url)).status_code == 401
