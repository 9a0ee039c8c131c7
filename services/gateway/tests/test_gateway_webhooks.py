"""Webhook deliveries: retried with backoff while the receiver fails, delivered when it
recovers, the log keeps every status code, manual redelivery, 410 disables; only events of
the subscribing province; SSRF guard."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from typing import Any

import httpx
import pytest
from gateway_platform import Platform
from test_gateway_programme_e2e import key
from webhook_receiver import receiver

from gateway.domain import webhooks as rules
from iims_common.testing import eventually, publish_event
from iims_contracts import NoticeIssued, PilotEnrolled, TaskSubmissionReceived


async def _province_key(
    gw: httpx.AsyncClient, admin: dict[str, str], province: str
) -> dict[str, str]:
    r = await gw.post(
        "/api/v1/api-keys",
        json={
            "name": "省级系统",
            "role": "province",
            "province_code": province,
            "organization_id": str(uuid.uuid4()),
        },
        headers=admin,
    )
    return {"X-API-Key": r.json()["api_key"]}


async def _pilot_event(platform: Platform, province: str) -> str:
    enrolled = PilotEnrolled(
        pilot_id=uuid.uuid4(),
        batch_id=uuid.uuid4(),
        year=2014,
        enterprise_id=uuid.uuid4(),
        province_code=province,
        industry_code="C34",
    )
    event = await publish_event(platform.settings.kafka_bootstrap_servers, enrolled)
    return str(event["id"])


async def test_retry_recover_redeliver_and_410(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    province = f"{random.randint(11, 65)}0000"
    other = "990000" if province != "990000" else "980000"
    headers = await _province_key(gw, admin, province)
    async with receiver() as (url, got):
        got.status = 500
        r = await gw.post(
            "/api/v1/webhooks",
            json={"url": url, "event_types": [PilotEnrolled.topic]},
            headers=headers,
        )
        assert r.status_code == 201 and r.json()["secret"].startswith("whsec_")
        sub = r.json()
        assert (
            "secret" not in (await gw.get("/api/v1/webhooks", headers=headers)).json()["items"][0]
        )
        mine = await _pilot_event(platform, province)
        await _pilot_event(platform, other)  # another province's event is not delivered
        deliveries = f"/api/v1/webhooks/{sub['id']}/deliveries"

        async def retried() -> bool:
            items = (await gw.get(deliveries, headers=headers)).json()["items"]
            return bool(items) and items[0]["attempts"] >= 2

        await eventually(retried, timeout=20)
        got.status = 204

        async def delivered() -> dict[str, object] | None:
            items = (await gw.get(deliveries, headers=headers)).json()["items"]
            return items[0] if items and items[0]["status"] == "delivered" else None

        done = await eventually(delivered, timeout=20)
        assert done["event_id"] == mine
        codes = [a["status_code"] for a in done["log"]]
        assert codes[:2] == [500, 500] and codes[-1] == 204
        assert {h["webhook-id"] for h, _ in got.requests} == {mine}

        before = len(got.requests)
        r = await gw.post(f"/api/v1/webhook-deliveries/{done['id']}/redelivery", headers=headers)
        assert r.status_code == 200
        await eventually(lambda: len(got.requests) > before, timeout=20)

        got.status = 410
        await _pilot_event(platform, province)

        async def disabled() -> bool:
            subs = (await gw.get("/api/v1/webhooks", headers=headers)).json()["items"]
            return bool(subs[0]["status"] == "disabled")

        await eventually(disabled, timeout=20)
        # Another province cannot see or redeliver these.
        stranger = await _province_key(gw, admin, other)
        assert (await gw.get(deliveries, headers=stranger)).status_code == 404


async def test_subscription_input_is_checked(gw: httpx.AsyncClient, admin: dict[str, str]) -> None:
    headers = await _province_key(gw, admin, "330000")
    bad = [
        {"url": "ftp://example.com/x", "event_types": [PilotEnrolled.topic]},
        {"url": "https://example.com/x", "event_types": ["everything"]},
        {"url": "https://example.com/x", "event_types": []},
    ]
    for body in bad:
        r = await gw.post("/api/v1/webhooks", json=body, headers=headers)
        assert r.status_code == 422, body
    enterprise = await gw.post(
        "/api/v1/api-keys",
        json={"name": "企业", "role": "enterprise", "organization_id": str(uuid.uuid4())},
        headers=admin,
    )
    r = await gw.post(
        "/api/v1/webhooks",
        json={"url": "https://example.com/x", "event_types": [PilotEnrolled.topic]},
        headers={"X-API-Key": enterprise.json()["api_key"]},
    )
    assert r.status_code == 403


async def test_the_choices_offered_are_the_ones_accepted(
    gw: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """`GET /webhook-event-types` (the console's checkboxes) lists exactly what a subscription
    may name, labelled from the contracts, and all of them together are accepted."""
    assert (await gw.get("/api/v1/webhook-event-types")).status_code == 401
    headers = await _province_key(gw, admin, "330000")
    r = await gw.get("/api/v1/webhook-event-types", headers=headers)
    assert r.status_code == 200, r.text
    offered = r.json()
    assert [e["code"] for e in offered] == list(rules.EVENT_TYPES)
    by_code = {e["code"]: e for e in offered}
    assert by_code[PilotEnrolled.topic]["label"] == PilotEnrolled.label
    assert by_code[PilotEnrolled.topic]["cloudevents_type"] == PilotEnrolled.event_type()
    assert all(e["description"] for e in offered)
    r = await gw.post(
        "/api/v1/webhooks",
        json={"url": "https://example.com/all", "event_types": [e["code"] for e in offered]},
        headers=headers,
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://user:pass@example.com/hook",
        "gopher://example.com/",
    ],
)
def test_ssrf_guard_refuses_non_public_targets(url: str) -> None:
    assert rules.target_problem(url, allow_private=False) is not None
    if "@" not in url and url.startswith("http"):
        assert rules.target_problem(url, allow_private=True) is None


def test_signature_backoff_and_outcomes() -> None:
    from standardwebhooks.webhooks import Webhook

    secret = rules.new_secret()
    now = dt.datetime.now(dt.UTC)
    headers = rules.sign(secret, "evt-1", now, '{"a":1}')
    assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}
    rng = random.Random(1)
    delays = [(rules.next_attempt(n, 2.0, now, rng) - now).total_seconds() for n in range(1, 8)]
    assert all(1 <= d <= 2 for d in delays[:1]) and delays[-1] > delays[0] * 10
    assert rules.outcome(204) == "delivered" and rules.outcome(410) == "disable"
    assert rules.outcome(500) == "retry" and rules.outcome(None) == "retry"


async def test_notices_and_submissions_reach_province_webhooks(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    """Issue 18: a province's system subscribes to `notice-issued` and
    `task-submission-received`; the registry's events come through its outbox, the broker and
    the gateway to the subscriber, signed. A notice to the provinces reaches every province's
    subscription (云南, 贵州); a submission only the submitting province's."""

    ministry = await key(gw, admin, role="ministry")
    yunnan = await key(gw, admin, role="province", province_code="530000")
    guizhou = await key(gw, admin, role="province", province_code="520000")
    types = [NoticeIssued.topic, TaskSubmissionReceived.topic]
    async with receiver() as (yn_url, yn_got), receiver() as (gz_url, gz_got):
        await yunnan.call(
            "POST", "/api/v1/webhooks", 201, json={"url": yn_url, "event_types": types}
        )
        await guizhou.call(
            "POST", "/api/v1/webhooks", 201, json={"url": gz_url, "event_types": types}
        )
        title = f"关于报送贯标进展情况的通知 {uuid.uuid4().hex[:6]}"
        notice = await ministry.call(
            "POST",
            "/api/v1/notices",
            201,
            json={
                "title": title,
                "body": "请按月报送。",
                "issued_on": "2014-06-03",
                "audience_roles": ["province"],
            },
        )
        await ministry.call("POST", "/api/v1/programme-tasks/seed?year=2014")
        tasks = (
            await yunnan.call(
                "GET", "/api/v1/programme-tasks", params={"year": 2014, "source": "provincial"}
            )
        )["items"]
        plan = next(t for t in tasks if t["ref"] == "之四 一.1")
        submission = await yunnan.call(
            "POST",
            f"/api/v1/programme-tasks/{plan['id']}/submissions",
            201,
            json={"summary": "方案"},
        )

        def bodies(got: Any) -> list[dict[str, Any]]:
            return [json.loads(b) for _h, b in got.requests]

        def of(got: Any, kind: str) -> list[dict[str, Any]]:
            return [b for b in bodies(got) if b["type"] == kind]

        async def both_arrived() -> bool:
            return bool(
                any(b["data"]["notice_id"] == notice["id"] for b in of(yn_got, NoticeIssued.topic))
                and any(
                    b["data"]["notice_id"] == notice["id"] for b in of(gz_got, NoticeIssued.topic)
                )
                and any(
                    b["data"]["submission_id"] == submission["id"]
                    for b in of(yn_got, TaskSubmissionReceived.topic)
                )
            )

        await eventually(both_arrived, timeout=60)
        delivered = next(b for b in of(yn_got, NoticeIssued.topic) if b["data"]["title"] == title)
        assert delivered["data"]["audience_roles"] == ["province"]
        headers = next(h for h, b in yn_got.requests if json.loads(b) == delivered)
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(headers)
        # 贵州 never gets 云南's submission.
        assert not any(
            b["data"]["submission_id"] == submission["id"]
            for b in of(gz_got, TaskSubmissionReceived.topic)
        )
