"""Certificates over time (missed surveillance → suspended, > 6 months → withdrawn, expiry),
management actions, public verification, and who may see what."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from audit_world import Facts, apply, certify, day, make_world, management, plan
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit.domain.application_flow import months_after
from audit.service.certificates import apply_lifecycle
from audit.settings import AuditSettings
from iims_common.identity import Role
from iims_common.testing import mint, read_topic
from iims_contracts import CertificateStatusChanged

TODAY = dt.date.fromisoformat(day(0))


async def _status(client: httpx.AsyncClient, number: str) -> str:
    r = await client.get(f"/api/v1/certificates/{number}", headers=management())
    return str(r.json()["status"])


async def test_missed_surveillance_suspends_then_withdraws(
    client: httpx.AsyncClient,
    facts: Facts,
    db: async_sessionmaker[AsyncSession],
    settings: AuditSettings,
) -> None:
    w = await make_world(client, facts)
    certificate = await certify(client, w, db)
    number = certificate["number"]
    cycle = (await client.get(f"/api/v1/certificates/{number}/cycle", headers=management())).json()
    first_due = dt.date.fromisoformat(cycle[0]["due_by"])
    assert first_due == months_after(TODAY, 12)

    async with db() as s, s.begin():
        assert await apply_lifecycle(s, first_due) == 0  # due today is not missed yet
    async with db() as s, s.begin():
        assert await apply_lifecycle(s, first_due + dt.timedelta(days=1)) == 1
    assert await _status(client, number) == "suspended"
    r = await client.post(
        f"/api/v1/certificates/{number}/restoration", json={"reason": "恢复"}, headers=management()
    )
    assert r.status_code == 422 and r.json()["rule"] == "certificate.surveillance-still-missing"

    async with db() as s, s.begin():
        assert await apply_lifecycle(s, months_after(first_due, 7)) == 1
    assert await _status(client, number) == "withdrawn"
    changes = await read_topic(
        settings.kafka_bootstrap_servers,
        CertificateStatusChanged,
        lambda e: e["data"]["certificate_no"] == number,
        count=2,
    )
    assert [c[1]["data"]["status"] for c in changes] == ["suspended", "withdrawn"]
    assert "surveillance audit 1" in changes[0][1]["data"]["reason"]


async def test_expiry_and_management_actions(
    client: httpx.AsyncClient, facts: Facts, db: async_sessionmaker[AsyncSession]
) -> None:
    w = await make_world(client, facts)
    certificate = await certify(client, w, db)
    number = certificate["number"]
    base = f"/api/v1/certificates/{number}"
    # Only the management organization suspends/restores/withdraws.
    r = await client.post(f"{base}/suspension", json={"reason": "x"}, headers=w.as_body)
    assert r.status_code == 403
    r = await client.post(
        f"{base}/suspension", json={"reason": "企业申请暂停"}, headers=management()
    )
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    public = (
        await client.get(
            f"/api/v1/public/certificates/{number}", headers={"X-Forwarded-For": "192.0.2.5"}
        )
    ).json()
    assert public["status"] == "suspended" and public["status_label"] == "暂停"
    r = await client.post(f"{base}/restoration", json={"reason": "整改完成"}, headers=management())
    assert r.status_code == 200 and r.json()["status"] == "valid"
    r = await client.post(f"{base}/restoration", json={"reason": "再次"}, headers=management())
    assert r.status_code == 409 and r.json()["current_state"] == "valid"

    # A surveillance audit fills its slot of the cycle.
    s = await client.post(
        "/api/v1/audits",
        json={
            "certificate_id": certificate["id"],
            "kind": "surveillance",
            "starts_on": day(1),
            "ends_on": day(2),
            "team": w.team(),
        },
        headers=w.as_body,
    )
    assert s.status_code == 201, s.text
    cycle = (await client.get(f"{base}/cycle", headers=management())).json()
    assert cycle[0]["audit_id"] == s.json()["id"]

    until = dt.date.fromisoformat(certificate["valid_until"])
    async with db() as session, session.begin():
        await apply_lifecycle(session, until + dt.timedelta(days=1))
    assert await _status(client, number) == "expired"
    r = await client.post(f"{base}/withdrawal", json={"reason": "x"}, headers=management())
    assert r.status_code == 409 and r.json()["current_state"] == "expired"


async def test_public_verification_reveals_nothing_on_a_miss(
    client: httpx.AsyncClient, facts: Facts, db: async_sessionmaker[AsyncSession]
) -> None:
    w = await make_world(client, facts)
    certificate = await certify(client, w, db)
    number = certificate["number"]
    me = {"X-Forwarded-For": "198.51.100.7"}  # this test's own rate-limit bucket
    good = await client.get(f"/api/v1/public/certificates/{number}", headers=me)
    assert good.status_code == 200
    for typed in (number.lower(), "".join(chr(ord(c) - 0x21 + 0xFF01) for c in number)):
        same = await client.get(
            f"/api/v1/public/certificates/{typed}", headers={"X-Forwarded-For": "198.51.100.17"}
        )
        assert same.status_code == 200 and same.json()["number"] == number, typed
    assert set(good.json()) == {
        "number",
        "enterprise_name",
        "site",
        "scope",
        "standard",
        "edition",
        "certification_body_name",
        "effective_on",
        "valid_until",
        "status",
        "status_label",
    }
    neighbour = number[:-1] + ("2" if number[-1] != "2" else "3")
    misses = [
        await client.get(f"/api/v1/public/certificates/{n}", headers=me)
        for n in (neighbour, "IIMS-RZ-2014-0000000000", "x" * 500)
    ]
    assert [m.status_code for m in misses] == [404, 404, 404]
    assert len({m.json()["detail"] for m in misses}) == 1  # the same words whatever the miss
    # A person's qualification number is recognised by its prefix (no lookup) and pointed
    # to the qualification register.
    r = await client.get(
        "/api/v1/public/certificates/IIMS-ZZ-2014-7K3Q9M2WXP",
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert r.status_code == 404 and r.json()["number_family"] == "qualification"
    statuses = [
        (await client.get(f"/api/v1/public/certificates/{number}", headers=me)).status_code
        for _ in range(2)
    ]
    assert statuses == [200, 429]  # 5 per minute in the tests
    limited = await client.get(f"/api/v1/public/certificates/{number}", headers=me)
    assert limited.status_code == 429 and "retry-after" in {k.lower() for k in limited.headers}


async def test_who_sees_what(
    client: httpx.AsyncClient, facts: Facts, db: async_sessionmaker[AsyncSession]
) -> None:
    w = await make_world(client, facts)
    other = await make_world(client, facts)
    application = await apply(client, w)
    audit = await plan(client, w, application["id"], "stage1", 3, 3)
    assert audit.status_code == 201
    url = f"/api/v1/applications/{application['id']}"
    audit_url = f"/api/v1/audits/{audit.json()['id']}"
    allowed = {
        "own body": w.as_body,
        "own enterprise": w.as_enterprise,
        "province": mint(Role.province, province="320000"),
        "consultancy serving it": mint(Role.consultancy, org=w.consultancy),
        "management": management(),
        "ministry": mint(Role.ministry),
        "auditor on the team": _auditor(w.member),
    }
    denied = {
        "other body": other.as_body,
        "other enterprise": other.as_enterprise,
        "other province": mint(Role.province, province="110000"),
        "other consultancy": mint(Role.consultancy, org=other.consultancy),
        "auditor not on the team": _auditor(other.member),
        "recommender": mint(Role.recommender, org=uuid.uuid4()),
    }
    for who, headers in allowed.items():
        assert (await client.get(url, headers=headers)).status_code == 200, who
        assert (await client.get(audit_url, headers=headers)).status_code == 200, who
    for who, headers in denied.items():
        assert (await client.get(url, headers=headers)).status_code == 404, who
        assert (await client.get(audit_url, headers=headers)).status_code == 404, who
        listed = await client.get("/api/v1/applications", headers=headers)
        assert application["id"] not in listed.text, who
    # Bodies act only on their own: another body's audit is "not found", not "forbidden".
    r = await client.post(f"{audit_url}/completion", json={}, headers=other.as_body)
    assert r.status_code == 404
    # An enterprise may not plan audits or decide.
    r = await plan(client, w, application["id"], "stage1", 9, 9)
    assert r.status_code == 409  # the body already planned stage 1
    r = await client.post(
        "/api/v1/audits",
        json={
            "application_id": application["id"],
            "kind": "stage1",
            "starts_on": day(9),
            "ends_on": day(9),
            "team": w.team(),
        },
        headers=w.as_enterprise,
    )
    assert r.status_code == 403
    auditors = (await client.get("/api/v1/auditors", headers=w.as_body)).json()["items"]
    assert {a["person_id"] for a in auditors} == {str(w.lead), str(w.member)}
    assert (
        await client.get(f"/api/v1/auditors/{w.lead}", headers=other.as_body)
    ).status_code == 404


def _auditor(person_id: uuid.UUID) -> dict[str, str]:
    from iims_common.identity import Caller, mint_internal_token
    from iims_common.testing import SECRET

    token = mint_internal_token(SECRET, Caller(subject=str(person_id), role=Role.auditor))
    return {"X-IIMS-Identity": token}
