"""Refusals speak the caller's language: Chinese by default, English on
`Accept-Language: en`, with `type`, `rule` and `field` unchanged (service checks, the ID
number check, pydantic's own messages)."""

from __future__ import annotations

import uuid

import httpx
from test_training_api import MINISTRY, id_number, make_person

from iims_common.identity import Role
from iims_common.testing import assert_refusal_in_both_languages, mint


async def test_refusals_in_chinese_by_default_and_english_on_request(
    client: httpx.AsyncClient,
) -> None:
    org = uuid.uuid4()
    number = id_number()
    await make_person(client, org, number)
    body = {"name": "李四", "id_number": number, "organization_kind": "enterprise"}
    enterprise = mint(Role.enterprise, org=org)
    await assert_refusal_in_both_languages(
        client, "POST", "/api/v1/people", status=409, headers=enterprise, json=body
    )
    p = await assert_refusal_in_both_languages(
        client, "POST", "/api/v1/people", status=422, headers=MINISTRY, json=body
    )
    assert p["rule"] == "person.organization-required"
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    p = await assert_refusal_in_both_languages(
        client,
        "POST",
        "/api/v1/people",
        status=422,
        headers=enterprise,
        json={**body, "id_number": bad, "organization_kind": "nobody"},
    )
    assert sorted(e["field"] for e in p["errors"]) == ["id_number", "organization_kind"]
