"""Training over HTTP on PostgreSQL: sessions, people with protected personal data,
enrollments with capacity/waitlist (also concurrent), overlap, attendance, exams, scopes."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from typing import Any

import httpx
import pytest

from iims_common.identity import Role
from iims_common.testing import fuzz_operations, mint
from training.domain.id_number import check_character

MINISTRY = mint(Role.ministry)


def id_number(rng: random.Random | None = None) -> str:
    r = rng or random.Random()
    first17 = f"110105{r.randint(1950, 2000)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(0, 999):03d}"
    return first17 + check_character(first17)


async def make_session(
    client: httpx.AsyncClient, capacity: int = 30, **over: Any
) -> dict[str, Any]:
    body = {
        "programme_code": "enterprise-phase-1",
        "starts_on": "2014-06-16",
        "ends_on": "2014-06-18",
        "location": "北京",
        "lecturers": "联合工作组",
        "capacity": capacity,
        **over,
    }
    r = await client.post("/api/v1/sessions", json=body, headers=MINISTRY)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def make_person(
    client: httpx.AsyncClient, org: uuid.UUID, number: str | None = None
) -> dict[str, Any]:
    headers = mint(Role.enterprise, org=org)
    body = {
        "name": "张三丰",
        "id_number": number or id_number(),
        "phone": "13812345678",
        "organization_kind": "enterprise",
    }
    r = await client.post("/api/v1/people", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_programmes_are_served_with_seed_hours(client: httpx.AsyncClient) -> None:
    programmes = (await client.get("/api/v1/programmes", headers=MINISTRY)).json()
    hours = {p["code"]: float(p["total_hours"]) for p in programmes}
    assert hours["agency-professionals"] == 40 and hours["officials"] == 8
    assert hours["enterprise-phase-1"] == 16 and hours["enterprise-phase-2"] == 24
    # Whose rule is whose: pass marks are ours; the auditor programme's modules and place too.
    basis = {p["code"]: p["basis"] for p in programmes}
    assert basis["agency-professionals"]["pass_mark"] == "platform"
    assert basis["agency-professionals"]["modules"] == "seed"
    auditors = basis["certification-auditors"]
    assert (auditors["modules"], auditors["location"], auditors["window"]) == (
        "platform",
        "platform",
        "seed",
    )
    lecturers = {p["code"]: p["lecturers"] for p in programmes}
    assert lecturers["officials"] == "信息化推进司、科技司、联合工作组、专家指导委员会"
    r = await client.get("/api/v1/programmes/nope", headers=MINISTRY)
    assert r.status_code == 404


async def test_session_outside_window_is_refused(client: httpx.AsyncClient) -> None:
    body = {
        "programme_code": "enterprise-phase-1",
        "starts_on": "2014-07-01",
        "ends_on": "2014-07-02",
        "location": "北京",
        "lecturers": "x",
        "capacity": 10,
    }
    r = await client.post("/api/v1/sessions", json=body, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["rule"] == "session.within-window"
    r = await client.post(
        "/api/v1/sessions", json=body, headers=mint(Role.enterprise, org=uuid.uuid4())
    )
    assert r.status_code == 403


async def test_personal_data_is_protected(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org = uuid.uuid4()
    number = id_number()
    person = await make_person(client, org, number)
    text = str(person)
    assert number not in text and "13812345678" not in text
    assert person["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert person["phone_masked"] == "138****5678"
    again = await client.post(
        "/api/v1/people",
        json={"name": "李四", "id_number": number, "organization_kind": "enterprise"},
        headers=mint(Role.enterprise, org=org),
    )
    assert again.status_code == 409 and number not in again.text
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    r = await client.post(
        "/api/v1/people",
        json={"name": "王五", "id_number": bad, "organization_kind": "enterprise"},
        headers=mint(Role.enterprise, org=org),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "id_number"
    assert bad not in r.text
    assert all(
        number not in rec.getMessage() and bad not in rec.getMessage() for rec in caplog.records
    )
    # Another organization cannot see the person.
    other = mint(Role.enterprise, org=uuid.uuid4())
    assert (await client.get(f"/api/v1/people/{person['id']}", headers=other)).status_code == 404


async def test_a_full_width_id_number_is_the_same_person(client: httpx.AsyncClient) -> None:
    """The issue's case: `99010119850315101X` then the same number typed full-width (and
    with a lower-case x, padded) is one person — 409, not a second person."""
    org = uuid.uuid4()
    number = "99010119850315101X"
    await make_person(client, org, number)
    wide = "".join(
        chr(ord(c) - 0x30 + 0xFF10) if c.isascii() and c.isnumeric() else c for c in number
    )
    for typed in (wide, "\u3000" + wide[:-1] + "x ", number.lower()):
        again = await client.post(
            "/api/v1/people",
            json={"name": "张三", "id_number": typed, "organization_kind": "enterprise"},
            headers=mint(Role.enterprise, org=org),
        )
        assert again.status_code == 409, again.text
    # An Arabic-Indic digit is never read as a digit.
    r = await client.post(
        "/api/v1/people",
        json={"name": "张三", "id_number": "٩" + number[1:], "organization_kind": "enterprise"},
        headers=mint(Role.enterprise, org=org),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "id_number"


async def test_capacity_waitlist_and_promotion_under_concurrency(
    client: httpx.AsyncClient,
) -> None:
    run = await make_session(client, capacity=3)
    org = uuid.uuid4()
    people = [await make_person(client, org) for _ in range(10)]
    headers = mint(Role.enterprise, org=org)
    results = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/sessions/{run['id']}/enrollments",
                json={"person_id": p["id"]},
                headers=headers,
            )
            for p in people
        )
    )
    assert all(r.status_code == 201 for r in results)
    statuses = [r.json()["status"] for r in results]
    assert statuses.count("enrolled") == 3 and statuses.count("waitlisted") == 7
    detail = (await client.get(f"/api/v1/sessions/{run['id']}", headers=MINISTRY)).json()
    assert (detail["seats_taken"], detail["waitlisted"]) == (3, 7)
    # A freed seat goes to the earliest waitlisted enrollment.
    waitlisted = sorted(
        (r.json() for r in results if r.json()["status"] == "waitlisted"), key=lambda e: e["id"]
    )
    enrolled = next(r.json() for r in results if r.json()["status"] == "enrolled")
    r = await client.post(f"/api/v1/enrollments/{enrolled['id']}/cancel", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    promoted = (
        await client.get(f"/api/v1/enrollments/{waitlisted[0]['id']}", headers=headers)
    ).json()
    assert promoted["status"] == "enrolled"
    detail = (await client.get(f"/api/v1/sessions/{run['id']}", headers=MINISTRY)).json()
    assert (detail["seats_taken"], detail["waitlisted"]) == (3, 6)
    # 候补顺位 is computed on every read: the remaining six are 1..6 in enrollment order, and
    # an enrollment holding a seat has none.
    assert promoted["waitlist_position"] is None
    listed = (
        await client.get(
            "/api/v1/enrollments",
            params={"session_id": run["id"], "status": "waitlisted"},
            headers=MINISTRY,
        )
    ).json()["items"]
    assert [e["id"] for e in sorted(listed, key=lambda e: e["waitlist_position"])] == [
        e["id"] for e in waitlisted[1:]
    ]
    assert [e["waitlist_position"] for e in sorted(listed, key=lambda e: e["id"])] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    last = (await client.get(f"/api/v1/enrollments/{waitlisted[-1]['id']}", headers=headers)).json()
    assert last["waitlist_position"] == 6


async def test_a_person_cannot_hold_overlapping_sessions(client: httpx.AsyncClient) -> None:
    a = await make_session(client, starts_on="2014-06-16", ends_on="2014-06-18")
    b = await make_session(client, starts_on="2014-06-18", ends_on="2014-06-20")
    c = await make_session(client, starts_on="2014-06-23", ends_on="2014-06-25")
    org = uuid.uuid4()
    p = await make_person(client, org)
    headers = mint(Role.enterprise, org=org)
    assert (
        await client.post(
            f"/api/v1/sessions/{a['id']}/enrollments", json={"person_id": p["id"]}, headers=headers
        )
    ).status_code == 201
    r = await client.post(
        f"/api/v1/sessions/{b['id']}/enrollments", json={"person_id": p["id"]}, headers=headers
    )
    assert r.status_code == 409 and r.json()["rule"] == "enrollment.overlap"
    assert (
        await client.post(
            f"/api/v1/sessions/{c['id']}/enrollments", json={"person_id": p["id"]}, headers=headers
        )
    ).status_code == 201


async def test_attendance_exam_and_statuses(client: httpx.AsyncClient) -> None:
    run = await make_session(
        client, programme_code="enterprise-phase-2", starts_on="2014-08-25", ends_on="2014-08-29"
    )
    org = uuid.uuid4()
    p = await make_person(client, org)
    headers = mint(Role.enterprise, org=org)
    e = (
        await client.post(
            f"/api/v1/sessions/{run['id']}/enrollments",
            json={"person_id": p["id"]},
            headers=headers,
        )
    ).json()
    url = f"/api/v1/enrollments/{e['id']}"
    r = await client.post(f"{url}/exam", json={"score": 90}, headers=MINISTRY)
    assert r.status_code == 409 and r.json()["rule"] == "exam.after-attendance"
    r = await client.post(f"{url}/attendance", json={"module_no": 1, "hours": 12}, headers=MINISTRY)
    assert r.json() == {"1": 8.0}  # capped at the module's 8 hours
    for no, hours in ((2, 4), (3, 2), (4, 2), (5, 8)):
        r = await client.post(
            f"{url}/attendance", json={"module_no": no, "hours": hours}, headers=MINISTRY
        )
        assert r.status_code == 200
    assert (await client.get(url, headers=headers)).json()["status"] == "attended"
    r = await client.post(f"{url}/attendance", json={"module_no": 6, "hours": 1}, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["rule"] == "attendance.module"
    assert (await client.post(f"{url}/exam", json={"score": 50}, headers=MINISTRY)).json()[
        "status"
    ] == "failed"
    assert (await client.post(f"{url}/exam", json={"score": 75}, headers=MINISTRY)).json()[
        "status"
    ] == "passed"
    r = await client.post(f"{url}/exam", json={"score": 101}, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "score"
    r = await client.post(f"{url}/exam", json={"score": 80}, headers=headers)
    assert r.status_code == 403


async def test_scopes_for_enrollments(client: httpx.AsyncClient) -> None:
    run = await make_session(client)
    org = uuid.uuid4()
    p = await make_person(client, org)
    headers = mint(Role.enterprise, org=org)
    e = (
        await client.post(
            f"/api/v1/sessions/{run['id']}/enrollments",
            json={"person_id": p["id"]},
            headers=headers,
        )
    ).json()
    other = mint(Role.consultancy, org=uuid.uuid4())
    assert (await client.get(f"/api/v1/enrollments/{e['id']}", headers=other)).status_code == 404
    r = await client.post(
        f"/api/v1/sessions/{run['id']}/enrollments", json={"person_id": p["id"]}, headers=other
    )
    assert r.status_code == 404  # someone else's person is invisible
    assert (await client.get("/api/v1/enrollments", headers=other)).json()["items"] == []


async def test_garbage_never_yields_a_server_error(client: httpx.AsyncClient) -> None:
    assert (
        await fuzz_operations(client, [MINISTRY], [b'{"capacity": -1, "starts_on": "yesterday"}'])
        > 100
    )


async def test_ministry_adds_a_programme(client: httpx.AsyncClient) -> None:
    code = f"phase-1-2015-{uuid.uuid4().hex[:6]}"
    body = {
        "code": code,
        "name": "2015年试点企业贯标培训（第一期）",
        "audience": "2015年试点企业",
        "window_start": "2015-06-01",
        "window_end": "2015-06-30",
        "window_label": "2015年6月",
        "location": "上海",
        "lecturers": "联合工作组",
        "modules": [
            {"title": "两化融合管理体系的内容讲解", "hours": 8},
            {"title": "贯标基本流程", "hours": 1.5},
        ],
        "pass_mark": 60,
    }
    r = await client.post("/api/v1/programmes", json=body, headers=MINISTRY)
    assert r.status_code == 201, r.text
    assert float(r.json()["total_hours"]) == 9.5 and r.json()["modules"][1]["no"] == 2
    assert (await client.post("/api/v1/programmes", json=body, headers=MINISTRY)).status_code == 409
    listed = (await client.get("/api/v1/programmes", headers=MINISTRY)).json()
    assert code in {p["code"] for p in listed} and len(listed) >= 6
    run = await make_session(
        client, programme_code=code, starts_on="2015-06-08", ends_on="2015-06-09"
    )
    assert run["programme_code"] == code
    # Listed by its code as typed: any width or case, padded (folded as /programmes/{code}).
    wide = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in code.upper())
    for typed in (code, wide, f" {code.upper()}\u3000"):
        r = await client.get("/api/v1/sessions", params={"programme_code": typed}, headers=MINISTRY)
        assert [x["id"] for x in r.json()["items"]] == [run["id"]], typed
    cases = [
        ({**body, "code": code + "-x", "window_end": "2015-05-01"}, "programme.window"),
        ({**body, "code": code + "-y", "confers": "lead_auditor"}, "programme.confers"),
    ]
    for bad, rule in cases:
        r = await client.post("/api/v1/programmes", json=bad, headers=MINISTRY)
        assert r.status_code == 422 and r.json()["rule"] == rule, r.text
    r = await client.post(
        "/api/v1/programmes", json={**body, "code": "x", "modules": []}, headers=MINISTRY
    )
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"code", "modules"}
    r = await client.post(
        "/api/v1/programmes",
        json={**body, "code": code + "-z"},
        headers=mint(Role.province, province="110000"),
    )
    assert r.status_code == 403
