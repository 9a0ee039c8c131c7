"""`POST /audits/plan-check`: the dry run of planning an audit names every rule a plan breaks
(the same rules `POST /audits` enforces), writes nothing, and agrees with the real planning."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from audit_world import Facts, apply, body_headers, day, make_world, plan


async def check(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/audits/plan-check",
        json={"application_id": application_id, **body},
        headers=headers,
    )


async def test_plan_check_lists_every_broken_rule_and_writes_nothing(
    client: httpx.AsyncClient, facts: Facts
) -> None:
    w = await make_world(client, facts)
    plain = facts.auditor(w.body)  # an auditor, not a lead auditor
    await facts.settle()
    application = await apply(client, w)
    a = application["id"]
    stranger = uuid.uuid4()

    team = [
        {"person_id": str(plain), "role": "lead"},
        {"person_id": str(stranger), "role": "member"},
    ]
    r = await check(
        client, w.as_body, a, kind="stage1", starts_on=day(5), ends_on=day(5), team=team
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ok"] is False
    rules = {(v["rule"], v["member"]) for v in out["violations"]}
    assert ("team.lead-qualified", str(plain)) in rules
    assert ("team.member-qualified", str(stranger)) in rules
    assert len(out["violations"]) >= 2  # every rule, not only the first

    # The real planning refuses the same plan with the first of those rules.
    refused = await plan(client, w, a, "stage1", 5, 5, team)
    assert refused.status_code == 422
    assert refused.json()["rule"] == out["violations"][0]["rule"]

    # Stage order: stage 2 before stage 1 is named, as planning would.
    r = await check(
        client, w.as_body, a, kind="stage2", starts_on=day(5), ends_on=day(7), team=w.team()
    )
    assert r.json()["violations"][0]["rule"] == "audit.stage1-not-completed"

    # A valid team passes, with the audit days it would get; nothing was written.
    r = await check(
        client, w.as_body, a, kind="stage1", starts_on=day(5), ends_on=day(5), team=w.team()
    )
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
    assert r.json()["violations"] == [] and r.json()["audit_days"] >= 1
    audits = await client.get(f"/api/v1/audits?application_id={a}", headers=w.as_body)
    assert audits.json()["items"] == []
    got = await client.get(f"/api/v1/applications/{a}", headers=w.as_body)
    assert got.json()["status"] == "accepted"

    # Once planned, the same dates double-book the team on another application.
    assert (await plan(client, w, a, "stage1", 5, 5)).status_code == 201
    w2 = await make_world(client, facts)
    facts.qualification(w.member, "auditor", w2.body)
    await facts.settle()
    await client.put(
        f"/api/v1/auditors/{w.member}/competences", json={"industries": ["C"]}, headers=w2.as_body
    )
    second = await apply(client, w2)
    r = await check(
        client,
        w2.as_body,
        second["id"],
        kind="stage1",
        starts_on=day(5),
        ends_on=day(5),
        team=w2.team(member=w.member),
    )
    assert ("team.double-booked", str(w.member)) in {
        (v["rule"], v["member"]) for v in r.json()["violations"]
    }


async def test_plan_check_is_for_the_assigned_body_only(
    client: httpx.AsyncClient, facts: Facts
) -> None:
    w = await make_world(client, facts)
    application = await apply(client, w)
    body = {"kind": "stage1", "starts_on": day(5), "ends_on": day(5), "team": w.team()}
    r = await check(client, w.as_enterprise, application["id"], **body)
    assert r.status_code == 403, r.text
    other = facts.body()
    await facts.settle()
    r = await check(client, body_headers(other), application["id"], **body)
    assert r.status_code == 404, r.text
    r = await check(client, w.as_body, application["id"], kind="stage1", team=[])
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
