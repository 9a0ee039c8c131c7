"""Refusals speak the caller's language: Chinese by default, English on
`Accept-Language: en` — problem details of every layer (domain rule, service check, custom
validator, pydantic's own messages), with `type`, `rule` and `field` unchanged."""

from __future__ import annotations

import uuid

import httpx
from factories import MINISTRY, create_enterprise, enterprise_body

from iims_common.identity import Role
from iims_common.testing import assert_refusal_in_both_languages, mint

BEIJING = mint(Role.province, province="110000")


async def test_refusals_in_chinese_by_default_and_english_on_request(
    client: httpx.AsyncClient,
) -> None:
    # A service rule with a field message (another province's enterprise).
    p = await assert_refusal_in_both_languages(
        client,
        "POST",
        "/api/v1/enterprises",
        status=422,
        headers=BEIJING,
        json=enterprise_body("310000"),
    )
    assert p["rule"] == "enterprise.own-province" and p["errors"][0]["field"] == "province_code"
    # A conflict (service check).
    existing = await create_enterprise(client)
    await assert_refusal_in_both_languages(
        client,
        "POST",
        "/api/v1/enterprises",
        status=409,
        headers=MINISTRY,
        json=enterprise_body(uscc=existing["uscc"]),
    )
    # A custom validator's message (period) and pydantic's own (an enum, a UUID).
    p = await assert_refusal_in_both_languages(
        client,
        "GET",
        f"/api/v1/batches/{uuid.uuid4()}/progress-summary?period=2014-13",
        status=422,
        headers=MINISTRY,
    )
    assert [e["field"] for e in p["errors"]] == ["period"]
    await assert_refusal_in_both_languages(
        client,
        "POST",
        "/api/v1/enterprises",
        status=422,
        headers=MINISTRY,
        json=enterprise_body(size="huge"),
    )
    # Not found, and a file the document library refuses (a domain rule).
    await assert_refusal_in_both_languages(
        client, "GET", f"/api/v1/enterprises/{uuid.uuid4()}", status=404, headers=MINISTRY
    )
    r = await client.post(
        "/api/v1/documents",
        json={"title": "培训讲义", "category": "training_material", "access": "public"},
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    p = await assert_refusal_in_both_languages(
        client,
        "PUT",
        f"/api/v1/documents/{r.json()['id']}/content?filename=x.pdf",
        status=422,
        headers={**MINISTRY, "Content-Type": "application/pdf", "If-Match": '"1"'},
        content=b"not a pdf",
    )
    assert p["errors"][0]["field"] == "content"


async def test_enum_refusals_name_the_labels_and_cursor_refusals_name_nothing(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/api/v1/enterprises?size=特大型", headers=MINISTRY)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "size",
            "message": "应为 'large' (大型), 'medium' (中型), 'small' (小型) 或 'micro' (微型)",
        }
    ]
    assert (await client.get("/api/v1/enterprises?size=大型", headers=MINISTRY)).status_code == 200
    r = await client.post(
        "/api/v1/enterprises",
        json=enterprise_body(size="huge"),
        headers={**MINISTRY, "Accept-Language": "en"},
    )
    message = r.json()["errors"][0]["message"]
    assert (
        message
        == "Input should be 'large' (大型), 'medium' (中型), 'small' (小型) or 'micro' (微型)"
    )
    for cursor in ("abc", "A" * 44, "A" * 300):
        r = await client.get(f"/api/v1/enterprises?cursor={cursor}", headers=MINISTRY)
        assert r.status_code == 422
        assert r.json()["errors"] == [
            {"field": "cursor", "message": "不是本列表签发的游标；请不带游标从第一页开始"}
        ]
