"""Qualifications: granted exactly when hours are complete and the exam passed, for the
programmes that confer one; events on the broker; revocation; lead auditors; public
verification (masked, rate limited, no enumeration); pilot-enrolled invitations, once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_training_api import MINISTRY, make_person, make_session

from iims_common.events.tables import processed_events
from iims_common.identity import Role
from iims_common.testing import cloud_event, eventually, mint, publish, publish_event, read_topic
from iims_contracts import (
    EnterpriseRegistered,
    PilotEnrolled,
    QualificationGranted,
    QualificationRevoked,
)
from training.db.tables import Invitation
from training.domain.programmes import PROGRAMMES
from training.settings import TrainingSettings


async def complete(
    client: httpx.AsyncClient,
    programme: str,
    start: str,
    end: str,
    score: int,
    hours_short: bool = False,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    run = await make_session(client, programme_code=programme, starts_on=start, ends_on=end)
    org = uuid.uuid4()
    person = await make_person(client, org)
    headers = mint(Role.consultancy, org=org)
    e = (
        await client.post(
            f"/api/v1/sessions/{run['id']}/enrollments",
            json={"person_id": person["id"]},
            headers=headers,
        )
    ).json()
    for m in PROGRAMMES[programme].modules:
        hours = float(m.hours) - (1 if hours_short and m.no == 1 else 0)
        r = await client.post(
            f"/api/v1/enrollments/{e['id']}/attendance",
            json={"module_no": m.no, "hours": hours},
            headers=MINISTRY,
        )
        assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/enrollments/{e['id']}/exam", json={"score": score}, headers=MINISTRY
    )
    return person, r.json(), headers


async def qualifications_of(client: httpx.AsyncClient, person_id: str) -> list[dict[str, Any]]:
    r = await client.get(
        "/api/v1/qualifications", params={"person_id": person_id}, headers=MINISTRY
    )
    return list(r.json()["items"])


async def test_granted_exactly_when_conditions_hold(
    client: httpx.AsyncClient, settings: TrainingSettings
) -> None:
    person, result, _headers = await complete(
        client, "agency-professionals", "2014-06-02", "2014-06-06", 85
    )
    assert result["status"] == "passed"
    [q] = await qualifications_of(client, person["id"])
    assert q["kind"] == "consultant" and q["number"].startswith("IIMS-ZX-")
    assert q["valid_until"] > q["granted_on"]
    found = await read_topic(
        settings.kafka_bootstrap_servers,
        QualificationGranted,
        lambda v: v.get("data", {}).get("qualification_no") == q["number"],
    )
    data = found[0][1]["data"]
    assert set(data) == {
        "qualification_no",
        "person_id",
        "person_name",
        "kind",
        "organization_id",
        "province_code",  # beyond DESIGN's minimum: the dashboards count per province
        "granted_on",
        "valid_until",
    }
    assert data["person_id"] == person["id"] and data["kind"] == "consultant"
    assert found[0][0] == person["id"].encode()
    # Failing the exam, missing hours, or a programme that confers nothing: no qualification.
    failed, r1, _ = await complete(client, "agency-professionals", "2014-06-09", "2014-06-13", 60)
    assert r1["status"] == "failed" and await qualifications_of(client, failed["id"]) == []
    short, r2, _ = await complete(
        client, "agency-professionals", "2014-06-09", "2014-06-13", 95, hours_short=True
    )
    assert (
        r2["rule"] == "exam.after-attendance" and await qualifications_of(client, short["id"]) == []
    )
    official, r3, _ = await complete(client, "enterprise-phase-1", "2014-06-16", "2014-06-18", 95)
    assert r3["status"] == "passed" and await qualifications_of(client, official["id"]) == []


async def test_revoke_and_lead_auditor(
    client: httpx.AsyncClient, settings: TrainingSettings
) -> None:
    person, _result, _ = await complete(
        client, "certification-auditors", "2014-10-08", "2014-10-10", 90
    )
    [auditor] = await qualifications_of(client, person["id"])
    assert auditor["kind"] == "auditor"
    mgmt = mint(Role.management_org)
    url = f"/api/v1/qualifications/{auditor['number']}/lead-auditor"
    r = await client.post(url, json={"audits_as_member": 2, "evidence": "2 audits"}, headers=mgmt)
    assert r.status_code == 422 and r.json()["rule"] == "qualification.lead-audits"
    r = await client.post(
        url, json={"audits_as_member": 3, "evidence": "3 audits as member"}, headers=mgmt
    )
    assert r.status_code == 201 and r.json()["kind"] == "lead_auditor"
    # Person qualifications never share the enterprise certificates' IIMS-RZ- prefix.
    assert auditor["number"].startswith("IIMS-RD-") and r.json()["number"].startswith("IIMS-ZZ-")
    r = await client.post(
        f"/api/v1/qualifications/{auditor['number']}/revoke",
        json={"reason": "违反公正性要求"},
        headers=mgmt,
    )
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    found = await read_topic(
        settings.kafka_bootstrap_servers,
        QualificationRevoked,
        lambda v: v.get("data", {}).get("qualification_no") == auditor["number"],
    )
    assert found[0][1]["data"] == {
        "qualification_no": auditor["number"],
        "person_id": person["id"],
        "reason": "违反公正性要求",
    }
    r = await client.post(
        f"/api/v1/qualifications/{auditor['number']}/revoke", json={"reason": "x"}, headers=mgmt
    )
    assert r.status_code == 409 and r.json()["rule"] == "qualification.already-revoked"
    other = mint(Role.consultancy, org=uuid.uuid4())
    assert (
        await client.get(f"/api/v1/qualifications/{auditor['number']}", headers=other)
    ).status_code == 404


async def test_exam_and_lead_auditor_dated_as_the_programme_did(
    client: httpx.AsyncClient,
) -> None:
    """The 2014 programme recorded after the fact: an exam taken on the course's last day
    confers a qualification dated that day, and 审核组长 attested in October 2014 (before the
    first audits of November) is checked against the auditor qualification on that date —
    although both have expired by today."""
    run = await make_session(
        client,
        programme_code="certification-auditors",
        starts_on="2014-10-13",
        ends_on="2014-10-17",
    )
    org = uuid.uuid4()
    person = await make_person(client, org)
    e = (
        await client.post(
            f"/api/v1/sessions/{run['id']}/enrollments",
            json={"person_id": person["id"]},
            headers=mint(Role.certification_body, org=org),
        )
    ).json()
    for m in PROGRAMMES["certification-auditors"].modules:
        await client.post(
            f"/api/v1/enrollments/{e['id']}/attendance",
            json={"module_no": m.no, "hours": float(m.hours)},
            headers=MINISTRY,
        )
    exam = f"/api/v1/enrollments/{e['id']}/exam"
    r = await client.post(exam, json={"score": 90, "taken_on": "2014-10-12"}, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["rule"] == "qualification.exam-date-too-early"
    r = await client.post(exam, json={"score": 90, "taken_on": "2999-01-01"}, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["rule"] == "qualification.exam-date-in-future"
    r = await client.post(exam, json={"score": 90, "taken_on": "2014-10-17"}, headers=MINISTRY)
    assert r.status_code == 200 and r.json()["status"] == "passed"
    [auditor] = await qualifications_of(client, person["id"])
    assert (auditor["granted_on"], auditor["valid_until"]) == ("2014-10-17", "2017-10-16")
    assert auditor["number"].startswith("IIMS-RD-2014-")
    mgmt = mint(Role.management_org)
    url = f"/api/v1/qualifications/{auditor['number']}/lead-auditor"
    body = {"audits_as_member": 3, "evidence": "3 次 GB/T 19001 审核组成员经历"}
    r = await client.post(url, json={**body, "attested_on": "2014-10-16"}, headers=mgmt)
    assert r.status_code == 422 and r.json()["rule"] == "qualification.lead-date-too-early"
    # Today the auditor qualification has expired (valid 3 years): no lead auditor dated today.
    r = await client.post(url, json=body, headers=mgmt)
    assert r.status_code == 422 and r.json()["rule"] == "qualification.lead-needs-auditor"
    r = await client.post(url, json={**body, "attested_on": "2014-10-24"}, headers=mgmt)
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["granted_on"]) == ("lead_auditor", "2014-10-24")
    assert r.json()["valid_until"] == "2017-10-23"


async def test_public_verification_is_masked_rate_limited_and_not_enumerable(
    client: httpx.AsyncClient,
) -> None:
    person, _, _ = await complete(client, "agency-professionals", "2014-06-02", "2014-06-06", 88)
    [q] = await qualifications_of(client, person["id"])
    headers = {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}"}
    r = await client.get(f"/api/v1/public/qualifications/{q['number']}", headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert (
        body["holder_name"] == "张**"
        and body["kind_label"] == "咨询资质"
        and body["status"] == "valid"
    )
    assert "person_id" not in body and "organization_id" not in body
    # Crockford-style numbers match case-insensitively, in any width, padded.
    wide = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in q["number"].lower())
    for typed in (q["number"].lower(), wide, f" {q['number']}\u3000"):
        again = await client.get(f"/api/v1/public/qualifications/{typed}", headers=headers)
        assert again.status_code == 200 and again.json()["number"] == q["number"], typed
    neighbour = q["number"][:-1] + ("2" if q["number"][-1] != "2" else "3")
    miss = await client.get(f"/api/v1/public/qualifications/{neighbour}", headers=headers)
    assert miss.status_code == 404 and q["number"] not in miss.text
    statuses = [
        (
            await client.get(f"/api/v1/public/qualifications/{q['number']}", headers=headers)
        ).status_code
        for _ in range(5)
    ]
    assert 429 in statuses  # 5 per minute per client in the test settings
    # An enterprise certificate's number is recognised by its prefix and pointed elsewhere.
    r = await client.get(
        "/api/v1/public/qualifications/iims-rz-2014-7k3q9m2wxp",
        headers={"X-Forwarded-For": "198.51.100.9"},
    )
    assert r.status_code == 404 and r.json()["number_family"] == "certificate"
    assert "/api/v1/public/certificates/" in r.json()["detail"]
    assert (
        await client.get(
            f"/api/v1/public/qualifications/{q['number']}",
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
    ).status_code == 200


async def test_pilot_enrolled_invites_once(
    client: httpx.AsyncClient,
    settings: TrainingSettings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    run = await make_session(client, starts_on="2014-06-23", ends_on="2014-06-25")
    pilot_id, enterprise_id = str(uuid.uuid4()), str(uuid.uuid4())
    enrolled = PilotEnrolled(
        pilot_id=pilot_id,
        batch_id=uuid.uuid4(),
        year=2014,
        enterprise_id=enterprise_id,
        province_code="320000",
        industry_code="C26",
    )
    event = cloud_event(enrolled, time="2014-06-01T00:00:00Z")
    replay = {**event, "id": str(uuid.uuid4())}  # the same fact under a new event id
    bootstrap = settings.kafka_bootstrap_servers
    for e in (event, event, replay):
        await publish(bootstrap, PilotEnrolled, e, enterprise_id)

    async def processed() -> bool:
        async with db() as s:
            n = await s.scalar(
                select(func.count())
                .select_from(processed_events)
                .where(processed_events.c.event_id == replay["id"])
            )
            return bool(n)

    await eventually(processed)
    async with db() as s:
        rows = (
            await s.scalars(select(Invitation).where(Invitation.pilot_id == uuid.UUID(pilot_id)))
        ).all()
    assert len(rows) == 1 and str(rows[0].session_id) == run["id"] and rows[0].status == "invited"
    js = mint(Role.province, province="320000")
    listed = (await client.get("/api/v1/invitations", headers=js)).json()["items"]
    assert [i["pilot_id"] for i in listed] == [pilot_id]
    other = (
        await client.get("/api/v1/invitations", headers=mint(Role.province, province="110000"))
    ).json()
    assert other["items"] == []


async def test_enterprise_people_belong_to_its_province(
    client: httpx.AsyncClient,
    settings: TrainingSettings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    enterprise_id = str(uuid.uuid4())
    registered = EnterpriseRegistered(
        enterprise_id=enterprise_id,
        uscc="91350100M000100Y43",
        name="福建企业",
        province_code="350000",
        industry_code="C34",
        size="large",
    )
    event = await publish_event(settings.kafka_bootstrap_servers, registered)

    async def copied() -> bool:
        async with db() as s:
            return bool(
                await s.scalar(
                    select(func.count())
                    .select_from(processed_events)
                    .where(processed_events.c.event_id == event["id"])
                )
            )

    await eventually(copied)
    person = await make_person(client, uuid.UUID(enterprise_id))
    assert person["province_code"] == "350000"
    fujian = mint(Role.province, province="350000")
    assert (await client.get(f"/api/v1/people/{person['id']}", headers=fujian)).status_code == 200
    assert (
        await client.get(
            f"/api/v1/people/{person['id']}", headers=mint(Role.province, province="110000")
        )
    ).status_code == 404
