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
