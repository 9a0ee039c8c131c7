"""The whole 认定 flow on real PostgreSQL and a real broker: application → stage 1 → stage 2 →
findings → audit-passed → compliance review → notice (with an objection) → decision →
certificate-issued, with the events read back from the broker."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from audit_world import audited, day, end_notice, make_world, management
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit.settings import AuditSettings
from iims_common.testing import eventually, read_topic
from iims_contracts import AuditPassed, CertificateIssued


async def _finding(
    client: httpx.AsyncClient, audit_id: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    r = await client.post(f"/api/v1/audits/{audit_id}/findings", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_application_to_certificate(
    client: httpx.AsyncClient,
    facts: Any,
    db: async_sessionmaker[AsyncSession],
    settings: AuditSettings,
) -> None:
    w = await make_world(client, facts)
    application, stage2 = await audited(client, w)
    app_id = application["id"]
    assert application["status"] == "accepted"

    major = await _finding(
        client,
        stage2["id"],
        w.as_body,
        clause="8.3",
        severity="major",
        description="未开展内部审核",
    )
    minor = await _finding(
        client,
        stage2["id"],
        w.as_body,
        clause="7.3",
        severity="minor",
        description="技术实现记录不全",
    )
    observation = await _finding(
        client, stage2["id"], w.as_body, clause="6.5", severity="observation", description="建议"
    )
    assert major["clause_title"] == "内部审核" and observation["status"] == "closed"
    assert major["clause_numbering_basis"] == "platform"

    conclude = f"/api/v1/applications/{app_id}/conclusion"
    r = await client.post(conclude, headers=w.as_body)
    assert r.status_code == 422 and r.json()["rule"] == "conclusion.open-major-finding"

    r = await client.post(
        f"/api/v1/findings/{major['id']}/verification",
        json={"verification": "已补做内部审核并提交报告"},
        headers=w.as_body,
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = await client.post(conclude, headers=w.as_body)
    assert r.status_code == 422 and r.json()["rule"] == "conclusion.minor-without-accepted-plan"

    action = f"/api/v1/findings/{minor['id']}/corrective-action"
    late = {"action": "补全记录", "deadline": day(-28 + 91)}
    r = await client.post(action, json=late, headers=w.as_enterprise)
    assert r.status_code == 422 and r.json()["rule"] == "finding.minor-deadline"
    r = await client.post(
        action, json={"action": "补全记录", "deadline": day(30)}, headers=w.as_enterprise
    )
    assert r.status_code == 200 and r.json()["status"] == "plan_submitted"
    r = await client.post(f"/api/v1/findings/{minor['id']}/plan-acceptance", headers=w.as_body)
    assert r.status_code == 200 and r.json()["status"] == "plan_accepted"

    r = await client.post(conclude, headers=w.as_body)
    assert r.status_code == 200 and r.json()["outcome"] == "passed", r.text
    assert r.json()["status"] == "audit_passed"
    # Concluding twice is an illegal transition that names the state it is in.
    again = await client.post(conclude, headers=w.as_body)
    assert again.status_code == 409 and again.json()["current_state"] in (
        "audit_passed",
        "under_review",
    )

    bootstrap = settings.kafka_bootstrap_servers
    passed = await read_topic(
        bootstrap, AuditPassed, lambda e: e["data"]["application_id"] == app_id
    )
    assert passed[0][0] == str(w.enterprise).encode()
    assert passed[0][1]["data"]["certification_body_id"] == str(w.body)

    # The certification step consumed `audit-passed`: the compliance review is open.
    async def in_review() -> bool:
        got = await client.get(f"/api/v1/applications/{app_id}", headers=management())
        return bool(got.json()["status"] == "under_review")

    await eventually(in_review)
    r = await client.post(
        f"/api/v1/applications/{app_id}/review",
        json={"approved": True, "comment": "合规"},
        headers=management(),
    )
    assert r.status_code == 200 and r.json()["status"] == "in_notice"
    assert r.json()["notice_ends_on"] == day(7)

    notices = (await client.get("/api/v1/public/notices")).json()["items"]
    assert [n["application_id"] for n in notices] == [app_id]
    one = await client.get(f"/api/v1/public/notices/{app_id}")
    assert one.status_code == 200 and one.json() == notices[0]
    assert one.json()["notice_ends_on"] == day(7)
    missing = await client.get(f"/api/v1/public/notices/{uuid.uuid4()}")
    assert missing.status_code == 404
    decide = f"/api/v1/applications/{app_id}/decision"
    r = await client.post(decide, json={}, headers=management())
    assert r.status_code == 422 and r.json()["rule"] == "decision.notice-period-running"

    r = await client.post(
        f"/api/v1/public/notices/{app_id}/objections",
        json={"text": "该企业管理体系运行不足三个月", "contact": "张三 138****0000"},
    )
    assert r.status_code == 201, r.text
    objection = r.json()
    await end_notice(db, app_id)
    r = await client.post(decide, json={}, headers=management())
    assert r.status_code == 422 and r.json()["rule"] == "decision.open-objection"
    r = await client.post(
        f"/api/v1/applications/{app_id}/objections/{objection['id']}/resolution",
        json={"upheld": False, "resolution": "经核查，体系运行已满三个月"},
        headers=management(),
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    r = await client.post(decide, json={"effective_on": day(-1)}, headers=management())
    assert r.status_code == 422 and r.json()["rule"] == "certificate.effective-before-decision"

    decider = {**management(), "Idempotency-Key": "d-1"}  # one principal, one key
    r = await client.post(decide, json={}, headers=decider)
    assert r.status_code == 201, r.text
    certificate = r.json()
    assert certificate["effective_on"] == day(0)
    assert certificate["valid_until"][:4] == str(int(day(0)[:4]) + 3)
    assert certificate["standard"] == "信息化和工业化融合管理体系 要求"
    assert certificate["number"].startswith("IIMS-RZ-")
    replay = await client.post(decide, json={}, headers=decider)
    assert replay.json()["number"] == certificate["number"]
    gone = await client.get(f"/api/v1/public/notices/{app_id}")
    assert gone.status_code == 404  # decided: no longer in public notice
    listed = (await client.get("/api/v1/public/certified-enterprises")).json()["items"]
    mine = [c for c in listed if c["number"] == certificate["number"]]
    assert len(mine) == 1 and mine[0]["enterprise_name"] == certificate["enterprise_name"]
    assert "enterprise_id" not in mine[0] and "application_id" not in mine[0]
    bad = await client.get("/api/v1/public/certified-enterprises", params={"province_code": "x"})
    assert bad.status_code == 422
    # A province code is folded as every identifier is: full-width is the same code,
    # Arabic-Indic digits are no digits.
    pages = [
        await client.get("/api/v1/public/certified-enterprises", params={"province_code": code})
        for code in ("330000", "３３００００", " 330000\u3000", "٣٣0000")
    ]
    assert [p.status_code for p in pages] == [200, 200, 200, 422]
    assert pages[0].json() == pages[1].json() == pages[2].json()
    r = await client.post(decide, json={}, headers=management())
    assert r.status_code == 409 and r.json()["current_state"] == "certified"

    issued = await read_topic(
        bootstrap,
        CertificateIssued,
        lambda e: e["data"]["enterprise_id"] == str(w.enterprise),
        count=2,
        timeout=3,
    )
    assert len(issued) == 1  # exactly once per application
    assert issued[0][1]["data"]["certificate_no"] == certificate["number"]

    cycle = (
        await client.get(
            f"/api/v1/certificates/{certificate['number']}/cycle", headers=management()
        )
    ).json()
    assert [c["kind"] for c in cycle] == ["surveillance", "surveillance", "recertification"]
    assert cycle[0]["due_by"][:4] == str(int(day(0)[:4]) + 1)

    history = (
        await client.get(f"/api/v1/applications/{app_id}/history", headers=w.as_enterprise)
    ).json()
    assert [h["to_status"] for h in history] == [
        "accepted",
        "stage1_planned",
        "stage1_completed",
        "stage2_planned",
        "stage2_completed",
        "audit_passed",
        "under_review",
        "in_notice",
        "certified",
    ]
    public = await client.get(
        f"/api/v1/public/certificates/{certificate['number']}",
        headers={"X-Forwarded-For": "203.0.113.10"},  # its own rate-limit bucket
    )
    assert public.status_code == 200 and public.json()["status"] == "valid"
    assert "enterprise_id" not in public.json() and "application_id" not in public.json()
