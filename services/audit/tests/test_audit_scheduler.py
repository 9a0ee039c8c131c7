"""The scheduler never proposes a broken rule (property test over random pools, checked by
the same `check_team` the API uses), places every audit of a feasible instance, and its
proposals are applied only on confirmation, re-checked then."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from audit_world import Facts, apply, day, make_world, plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.domain.enums import AuditKind, QualificationKind, TeamRole
from audit.domain.scheduler import AuditRequest, Schedule, greedy_first_fit, schedule, verify
from audit.domain.team_rules import (
    Auditor,
    Enterprise,
    Qualification,
    Span,
    audit_days,
)

WINDOW = Span(dt.date(2014, 11, 1), dt.date(2014, 12, 31))
SECTIONS = "CDE"


def broken_rules(result: Schedule, requests: list[AuditRequest], pool: list[Auditor]) -> list[str]:
    return verify(result, requests, pool, WINDOW)


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[AuditRequest], list[Auditor]]:
    bodies = [uuid.UUID(int=i + 1) for i in range(draw(st.integers(1, 3)))]
    consultancies = [uuid.UUID(int=100 + i) for i in range(3)]
    pool = []
    for i in range(draw(st.integers(2, 9))):
        body = draw(st.sampled_from(bodies))
        start = WINDOW.start + dt.timedelta(days=draw(st.integers(-400, 30)))
        end = start + dt.timedelta(days=draw(st.integers(10, 800)))
        kind = draw(st.sampled_from([QualificationKind.auditor, QualificationKind.lead_auditor]))
        quals = [Qualification(f"Q{i}", kind, body, start, end)]
        if draw(st.booleans()):
            c_start = WINDOW.start - dt.timedelta(days=draw(st.integers(100, 1500)))
            quals.append(
                Qualification(
                    f"C{i}",
                    QualificationKind.consultant,
                    draw(st.sampled_from(consultancies)),
                    c_start,
                    c_start + dt.timedelta(days=draw(st.integers(30, 900))),
                    revoked_on=None,
                )
            )
        off = ()
        if draw(st.booleans()):
            o = WINDOW.start + dt.timedelta(days=draw(st.integers(0, 55)))
            off = (Span(o, o + dt.timedelta(days=draw(st.integers(0, 5)))),)
        bookings = ()
        if draw(st.booleans()):
            b = WINDOW.start + dt.timedelta(days=draw(st.integers(-3, 55)))
            bookings = ((uuid.uuid4(), Span(b, b + dt.timedelta(days=draw(st.integers(0, 4))))),)
        pool.append(
            Auditor(
                person_id=uuid.UUID(int=1000 + i),
                name=f"A{i}",
                body_id=body,
                qualifications=tuple(quals),
                competences=frozenset(draw(st.sets(st.sampled_from(SECTIONS), max_size=2))),
                unavailable=off,
                bookings=bookings,
            )
        )
    requests = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(list(AuditKind)))
        size = draw(st.sampled_from(["large", "medium", "small", "micro"]))
        earliest = WINDOW.start + dt.timedelta(days=draw(st.integers(-5, 50)))
        latest = None
        if draw(st.booleans()):
            latest = earliest + dt.timedelta(days=draw(st.integers(0, 40)))
        requests.append(
            AuditRequest(
                ref=uuid.UUID(int=5000 + i),
                kind=kind,
                body_id=draw(st.sampled_from(bodies)),
                enterprise=Enterprise(
                    uuid.UUID(int=9000 + i),
                    draw(st.sampled_from(SECTIONS)) + "26",
                    size,
                    draw(st.sampled_from([None, *consultancies])),
                ),
                days=audit_days(kind, size),
                earliest=earliest,
                latest=latest,
            )
        )
    return requests, pool


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(1, 3))
def test_scheduler_never_breaks_a_rule(
    instance: tuple[list[AuditRequest], list[Auditor]], team_size: int
) -> None:
    requests, pool = instance
    result = schedule(requests, pool, WINDOW, team_size=team_size, time_limit_s=2, workers=1)
    assert broken_rules(result, requests, pool) == []
    assert {p.ref for p in result.placements} | {u.ref for u in result.unplaced} == {
        r.ref for r in requests
    }
    assert all(u.rule and u.reason for u in result.unplaced)
    baseline = greedy_first_fit(requests, pool, WINDOW, team_size=team_size)
    assert broken_rules(baseline, requests, pool) == []
    assert len(result.placements) >= len(baseline.placements)


def test_feasible_instance_is_placed_entirely() -> None:
    """Two bodies, 4 auditors each (2 leads), 30 audits: room for all, but a first-fit that
    takes the first free lead for every audit can waste the leads; the solver must not."""
    pool, requests = [], []
    for b in range(2):
        body = uuid.UUID(int=b + 1)
        for i in range(4):
            kind = QualificationKind.lead_auditor if i < 2 else QualificationKind.auditor
            pool.append(
                Auditor(
                    uuid.UUID(int=100 + 10 * b + i),
                    f"A{b}{i}",
                    body,
                    (
                        Qualification(
                            f"Q{b}{i}", kind, body, dt.date(2014, 1, 1), dt.date(2017, 1, 1)
                        ),
                    ),
                    frozenset("C"),
                )
            )
        for j in range(15):
            size = ["large", "medium", "small"][j % 3]
            kind = AuditKind.stage2 if j % 2 else AuditKind.stage1
            requests.append(
                AuditRequest(
                    uuid.UUID(int=1000 + 100 * b + j),
                    kind,
                    body,
                    Enterprise(uuid.UUID(int=5000 + 100 * b + j), "C31", size),
                    audit_days(kind, size),
                    WINDOW.start,
                )
            )
    result = schedule(requests, pool, WINDOW, time_limit_s=10)
    assert result.unplaced == []
    assert len(result.placements) == 30
    assert broken_rules(result, requests, pool) == []
    for p in result.placements:
        assert sum(1 for _, role in p.team if role is TeamRole.lead) == 1


async def test_proposal_applied_only_when_confirmed(
    client: httpx.AsyncClient, facts: Facts
) -> None:
    w = await make_world(client, facts)
    second = await make_world(client, facts)
    apps = [await apply(client, w)]
    listing = await client.get("/api/v1/applications", headers=w.as_body)
    assert len(listing.json()["items"]) == 1
    r = await client.post(
        "/api/v1/schedule-proposals",
        json={
            "window_start": day(10),
            "window_end": day(12),
            "application_ids": [apps[0]["id"], str(uuid.uuid4())],
        },
        headers=w.as_body,
    )
    assert r.status_code == 201, r.text
    proposal = r.json()
    assert len(proposal["placements"]) == 1
    assert proposal["unplaced"][0]["rule"] == "schedule.not-awaiting-audit"
    placed = proposal["placements"][0]
    assert placed["kind"] == "stage1" and len(placed["team"]) == 2
    # Nothing is booked before confirmation.
    audits = await client.get("/api/v1/audits", headers=w.as_body)
    assert audits.json()["items"] == []
    # Another body cannot see or confirm it.
    other = await client.get(f"/api/v1/schedule-proposals/{proposal['id']}", headers=second.as_body)
    assert other.status_code == 404
    # Meanwhile the lead takes another audit on those dates: confirmation re-checks the rules.
    application2 = await apply(client, second)
    facts.qualification(w.lead, "lead_auditor", second.body)
    await facts.settle()
    await client.put(
        f"/api/v1/auditors/{w.lead}/competences", json={"industries": ["C"]}, headers=second.as_body
    )
    clash = await plan(
        client,
        second,
        application2["id"],
        "stage1",
        10,
        12,
        second.team(lead=w.lead, member=second.member),
    )
    assert clash.status_code == 201, clash.text
    r = await client.post(
        f"/api/v1/schedule-proposals/{proposal['id']}/confirmation", headers=w.as_body
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results[0]["rule"] in ("team.double-booked", "team.member-of-body")
    again = await client.post(
        f"/api/v1/schedule-proposals/{proposal['id']}/confirmation", headers=w.as_body
    )
    assert again.status_code == 409


async def test_confirmed_proposal_plans_the_audits(client: httpx.AsyncClient, facts: Facts) -> None:
    w = await make_world(client, facts)
    application = await apply(client, w)
    r = await client.post(
        "/api/v1/schedule-proposals",
        json={"window_start": day(30), "window_end": day(60)},
        headers=w.as_body,
    )
    assert r.status_code == 201, r.text
    assert [p["application_id"] for p in r.json()["placements"]] == [application["id"]]
    confirmed = await client.post(
        f"/api/v1/schedule-proposals/{r.json()['id']}/confirmation", headers=w.as_body
    )
    audit_id = confirmed.json()["results"][0]["audit_id"]
    audit = await client.get(f"/api/v1/audits/{audit_id}", headers=w.as_body)
    assert audit.status_code == 200 and audit.json()["starts_on"] == day(30)
    got = await client.get(f"/api/v1/applications/{application['id']}", headers=w.as_body)
    assert got.json()["status"] == "stage1_planned"
