"""Refusals speak the caller's language through the gateway, from every service: Chinese by
default, English on `Accept-Language: en`, with `type`, `rule` and `field` unchanged — the
gateway's own checks, each service's rules, custom validators and pydantic's messages."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from iims_common.testing import assert_refusal_in_both_languages
from iims_contracts import PilotEnrolled


async def test_refusals_in_chinese_by_default_and_english_on_request(
    gw: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    async def refused(method: str, url: str, status: int, **kwargs: object) -> dict[str, object]:
        headers = kwargs.pop("headers", admin)
        return await assert_refusal_in_both_languages(
            gw, method, url, status=status, headers=headers, **kwargs
        )

    # The gateway: a model validator (a province key needs its province) and a service
    # check with a field message (a webhook target with credentials).
    await refused("POST", "/api/v1/api-keys", 422, json={"name": "省级系统", "role": "province"})
    r = await gw.post(
        "/api/v1/api-keys",
        json={"name": "省级系统", "role": "province", "province_code": "330000"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    province = {"X-API-Key": r.json()["api_key"]}
    p = await refused(
        "POST",
        "/api/v1/webhooks",
        422,
        headers=province,
        json={"url": "http://user:pass@example.com/hook", "event_types": [PilotEnrolled.topic]},
    )
    assert p["errors"] == [{"field": "url", "message": "URL 中不允许包含用户名或密码"}]
    # Registry and training: not found, pydantic's own messages.
    await refused("GET", f"/api/v1/enterprises/{uuid.uuid4()}", 404)
    await refused("POST", "/api/v1/people", 422, json={"name": "李四"})
    # Assessment: pydantic's messages; audit: a custom validator across two fields.
    await refused("POST", "/api/v1/assessments", 422, json={})
    today = dt.date.today()
    p = await refused(
        "POST",
        "/api/v1/schedule-proposals",
        422,
        json={"window_start": str(today), "window_end": str(today - dt.timedelta(days=1))},
    )
    assert p["errors"][0]["message"] == "window_end 不能早于开始日期"
