"""Every rule refused with its name (422 `rule`, and `member` for a person), on real
PostgreSQL with the facts arriving as events; illegal transitions are 409 naming the state."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from audit_world import (
    Facts,
    application_body,
    apply,
    audited,
    body_headers,
    day,
    make_world,
    management,
    plan,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.identity import Role
from iims_common.testing import mint


def refused(r: httpx.Response, rule: str, member: uuid.UUID | None = None) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["rule"] == rule, body
    assert r.headers["content-type"].startswith("application/problem+json")
    if member is not None:
        assert body["member"] == str(member), body


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"system_running_since": day(-60)}, "application.system-running-3-months"),
        ({"internal_audit_done": False}, "application.internal-audit-done"),
        ({"management_review_done": False}, "application.management-review-done"),
    ],
)
async def test_application_preconditions(
    client: httpx.AsyncClient, facts: Facts, overrides: dict[str, Any], rule: str
) -> None:
    w = await make_world(client, facts)
    r = await client.post(
        "/api/v1/applications", json=application_body(w, **overrides), headers=w.as_enterprise
    )
    refused(r, rule)
    assert r.json()["detail"].startswith("该申请不能受理：")  # zh-CN by default


async def test_application_needs_an_authorized_body_and_a_known_enterprise(
    client: httpx.AsyncClient, facts: Facts
) -> None:
    w = await make_world(client, facts)
    suspended = facts.body(status="suspended")
    consultancy = facts.consultancy()
    await facts.settle()
    for body_id in (suspended, consultancy, uuid.uuid4()):
        r = await client.post(
            "/api/v1/applications",
            json=application_body(w, certification_body_id=str(body_id)),
            headers=w.as_enterprise,
        )
        refused(r, "application.body-not-authorized")
    stranger = uuid.uuid4()
    r = await client.post(
        "/api/v1/applications",
        json=application_body(w, enterprise_id=str(stranger)),
        headers=mint(Role.enterprise, org=stranger),
    )
    refused(r, "application.enterprise-unknown")
    # Another enterprise cannot apply for this one (404, not a hint that it exists).
    r = await client.post(
        "/api/v1/applications",
        json=application_body(w),
        headers=mint(Role.enterprise, org=stranger),
    )
    assert r.status_code == 404
    await apply(client, w)
    r = await client.post("/api/v1/applications", json=application_body(w), headers=w.as_enterprise)
    assert r.status_code == 409 and "existing_id" in r.json()


async def test_team_rules_each_named(client: httpx.AsyncClient, facts: Facts) -> None:
    w = await make_world(client, facts)
    other_body = facts.body()
    outsider = facts.auditor(other_body, lead=True)
    expired = facts.auditor(w.body, granted_on="2010-01-01", valid_until=day(-50))
    plain = facts.auditor(w.body)  # auditor, not lead
    former_consultant = facts.auditor(w.body)
    facts.qualification(
        former_consultant,
        "consultant",
        w.consultancy,
        granted_on="2012-01-01",
        valid_until=day(-400),
    )
    long_ago = facts.auditor(w.body)
    facts.qualification(
        long_ago, "consultant", w.consultancy, granted_on="2010-01-01", valid_until=day(-800)
    )
    incompetent = facts.auditor(w.body, lead=True)
    await facts.settle()
    for person in (expired, plain, former_consultant, long_ago, outsider):
        await client.put(
            f"/api/v1/auditors/{person}/competences",
            json={"industries": ["C"]},
            headers=body_headers(other_body if person == outsider else w.body),
        )
    application = await apply(client, w)
    a = application["id"]

    refused(
        await plan(client, w, a, "stage1", 5, 5, w.team(member=uuid.uuid4())),
        "team.member-qualified",
    )
    refused(
        await plan(client, w, a, "stage1", 5, 5, w.team(member=expired)),
        "team.member-qualified",
        expired,
    )
    refused(
        await plan(client, w, a, "stage1", 5, 5, w.team(lead=plain)), "team.lead-qualified", plain
    )
    refused(
        await plan(client, w, a, "stage1", 5, 5, w.team(member=outsider)),
        "team.member-of-body",
        outsider,
    )
    refused(
        await plan(client, w, a, "stage1", 5, 5, w.team(member=former_consultant)),
        "team.impartiality",
        former_consultant,
    )
    refused(
        await plan(
            client,
            w,
            a,
            "stage1",
            5,
            6,
            [{"person_id": str(incompetent), "role": "lead"}],
        ),
        "team.industry-competence",
    )
    refused(
        await plan(
            client,
            w,
            a,
            "stage1",
            5,
            5,
            [
                {"person_id": str(w.lead), "role": "lead"},
                {"person_id": str(w.member), "role": "lead"},
            ],
        ),
        "team.one-lead",
    )
    refused(await plan(client, w, a, "stage1", 5, 5, audit_days=1), "audit.days-below-minimum")
    refused(await plan(client, w, a, "stage2", 5, 7), "audit.stage1-not-completed")

    # A consultancy job that ended more than 2 years ago no longer conflicts.
    ok = await plan(client, w, a, "stage1", 5, 5, w.team(member=long_ago))
    assert ok.status_code == 201, ok.text

    # Unavailable dates and double booking, including on another body's audit.
    r = await client.post(
        f"/api/v1/auditors/{w.member}/unavailability",
        json={"starts_on": day(20), "ends_on": day(22), "reason": "年假"},
        headers=w.as_body,
    )
    assert r.status_code == 201
    refused(
        await client.post(
            f"/api/v1/auditors/{long_ago}/unavailability",
            json={"starts_on": day(5), "ends_on": day(5)},
            headers=w.as_body,
        ),
        "team.double-booked",
        long_ago,
    )
    w2 = await make_world(client, facts)
    second = await apply(client, w2)
    # long_ago moves to the second body; its booking at the first body still counts.
    facts.qualification(long_ago, "auditor", w2.body)
    await facts.settle()
    await client.put(
        f"/api/v1/auditors/{long_ago}/competences", json={"industries": ["C"]}, headers=w2.as_body
    )
    refused(
        await plan(client, w2, second["id"], "stage1", 5, 5, w2.team(member=long_ago)),
        "team.double-booked",
        long_ago,
    )
    ok = await plan(client, w2, second["id"], "stage1", 6, 6, w2.team(member=long_ago))
    assert ok.status_code == 201, ok.text


async def test_unavailable_and_onsite_share(client: httpx.AsyncClient, facts: Facts) -> None:
    w = await make_world(client, facts)
    r = await client.post(
        f"/api/v1/auditors/{w.lead}/unavailability",
        json={"starts_on": day(-45), "ends_on": day(-41)},
        headers=w.as_body,
    )
    assert r.status_code == 201
    application = await apply(client, w)
    refused(
        await plan(client, w, application["id"], "stage1", -42, -42), "team.unavailable", w.lead
    )
    s1 = await plan(client, w, application["id"], "stage1", -40, -40)
    assert s1.status_code == 201
    await client.post(f"/api/v1/audits/{s1.json()['id']}/completion", json={}, headers=w.as_body)
    refused(
        await plan(client, w, application["id"], "stage2", -40, -38), "audit.stage1-not-completed"
    )
    refused(
        await plan(client, w, application["id"], "stage2", -30, -28, onsite_days=4),
        "audit.onsite-share",
    )
    refused(
        await plan(client, w, application["id"], "stage2", -30, -30),
        "audit.team-too-small-for-days",
    )
    # A change of a planned audit is checked the same way (and needs If-Match).
    s2 = await plan(client, w, application["id"], "stage2", -30, -28)
    assert s2.status_code == 201, s2.text
    url = f"/api/v1/audits/{s2.json()['id']}/plan"
    body = {"starts_on": day(-43), "ends_on": day(-41), "team": w.team()}
    assert (await client.put(url, json=body, headers=w.as_body)).status_code == 428
    r = await client.put(url, json=body, headers={**w.as_body, "If-Match": s2.headers["etag"]})
    refused(r, "audit.stage1-not-completed")
    body["starts_on"], body["ends_on"] = day(-20), day(-18)
    r = await client.put(url, json=body, headers={**w.as_body, "If-Match": s2.headers["etag"]})
    assert r.status_code == 200 and r.json()["starts_on"] == day(-20)


async def test_revoked_qualification_no_longer_counts(
    client: httpx.AsyncClient, facts: Facts
) -> None:
    w = await make_world(client, facts)
    revoked = uuid.uuid4()
    number = facts.qualification(revoked, "auditor", w.body)
    await facts.settle()
    facts.revoke(revoked, number)
    await facts.settle()
    application = await apply(client, w)
    refused(
        await plan(client, w, application["id"], "stage1", 3, 3, w.team(member=revoked)),
        "team.member-qualified",
        revoked,
    )


async def test_illegal_transitions_name_the_state(client: httpx.AsyncClient, facts: Facts) -> None:
    w = await make_world(client, facts)
    application = await apply(client, w)
    a = application["id"]
    r = await client.post(f"/api/v1/applications/{a}/conclusion", headers=w.as_body)
    assert r.status_code == 409 and r.json()["current_state"] == "accepted"
    r = await client.post(
        f"/api/v1/applications/{a}/review", json={"approved": True}, headers=management()
    )
    assert r.status_code == 409 and r.json()["current_state"] == "accepted"
    r = await client.post(f"/api/v1/applications/{a}/decision", json={}, headers=management())
    assert r.status_code == 409 and r.json()["current_state"] == "accepted"
    r = await client.post(
        f"/api/v1/public/notices/{a}/objections", json={"text": "异议", "contact": "李四"}
    )
    assert r.status_code == 404
    s1 = await plan(client, w, a, "stage1", -10, -10)
    assert s1.status_code == 201
    r = await plan(client, w, a, "stage1", -5, -5)
    assert r.status_code == 409 and r.json()["current_state"] == "stage1_planned"
    r = await client.post(
        f"/api/v1/applications/{a}/withdrawal", json={"reason": "暂缓"}, headers=w.as_enterprise
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = await client.post(f"/api/v1/applications/{a}/withdrawal", json={}, headers=w.as_enterprise)
    assert r.status_code == 409 and r.json()["current_state"] == "withdrawn"


async def test_major_open_six_months_after_stage2_forces_a_new_stage2(
    client: httpx.AsyncClient, facts: Facts, db: async_sessionmaker[AsyncSession]
) -> None:
    w = await make_world(client, facts)
    application, stage2 = await audited(client, w, stage1=(-260, -260), stage2=(-200, -198))
    r = await client.post(
        f"/api/v1/audits/{stage2['id']}/findings",
        json={"clause": "5.4", "severity": "major", "description": "未制定两化融合方针"},
        headers=w.as_body,
    )
    major = r.json()
    r = await client.post(
        f"/api/v1/findings/{major['id']}/corrective-action",
        json={"action": "制定方针", "deadline": day(-198 + 200)},
        headers=w.as_enterprise,
    )
    refused(r, "finding.major-deadline")
    r = await client.post(
        f"/api/v1/findings/{major['id']}/verification",
        json={"verification": "已关闭"},
        headers=w.as_body,
    )
    refused(r, "finding.major-overdue")
    r = await client.post(f"/api/v1/applications/{application['id']}/conclusion", headers=w.as_body)
    assert r.status_code == 200, r.text
    assert (
        r.json()["outcome"] == "new_stage2_required" and r.json()["rule"] == "finding.major-overdue"
    )
    assert r.json()["status"] == "stage2_required"
    again = await plan(client, w, application["id"], "stage2", -20, -18)
    assert again.status_code == 201, again.text
