"""The programme's own work over HTTP: seeded tasks and meetings (counts against the seed),
scoped reads, computed lateness, periodic 报送, meetings under concurrency, notices with read
receipts, documents stored in the database, funds and agency lists."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from factories import MINISTRY, create_enterprise, create_unit, pilot, uscc
from test_events import WHEN, certificate

from iims_common.identity import Role
from iims_common.testing import eventually, mint, publish_event, read_with_cloudevents_sdk
from iims_contracts import CONTRACTS, QualificationGranted
from registry.domain import work as rules
from registry.settings import RegistrySettings

ZJ = mint(Role.province, province="330000")
JS = mint(Role.province, province="320000")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


async def _seed(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.post("/api/v1/programme-tasks/seed?year=2014", headers=MINISTRY)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _all(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        sep = "&" if "?" in url else "?"
        r = await client.get(
            url + sep + "limit=500" + (f"&cursor={cursor}" if cursor else ""), headers=headers
        )
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


async def test_seeded_counts_match_the_seed_tables_and_seeding_is_idempotent(
    client: httpx.AsyncClient,
) -> None:
    departments = [await create_unit(client, "ministry_department") for _ in range(3)]
    first = await _seed(client)
    assert first["national_tasks"] == 21 and first["provincial_tasks"] == 10 * 31
    assert first["domain_plan_tasks"] == 3 and first["city_plan_tasks"] == 5
    assert first["meetings"] == 5
    assert first["created"] == 21 + 310 + 3 + 5 + 5
    assert (await _seed(client))["created"] == 0
    tasks = await _all(client, "/api/v1/programme-tasks?year=2014", MINISTRY)
    assert len(tasks) == 21 + 310 + 3 + 5
    org = {t["ref"]: t for t in tasks if t["assignee"] == "national"}["之二 四.1"]
    assert (org["title"], org["owner"], org["window_text"]) == (
        "成立认定管理组织",
        "信息化司、科技司、联合工作组",
        "7月",
    )
    assert (org["starts_on"], org["due_on"]) == ("2014-07-01", "2014-07-31")
    domain = [t for t in tasks if t["source"] == "domain"]
    assert {t["organization_id"] for t in domain} == {d["id"] for d in departments}
    meetings = await _all(client, "/api/v1/meetings?year=2014", MINISTRY)
    assert sorted(m["kind"] for m in meetings) == sorted(m.kind for m in rules.MEETINGS_2014)
    held = [m for m in meetings if m["status"] == "held"]
    assert [(m["starts_on"], m["location"]) for m in held] == [("2014-03-24", "北京")]


async def test_province_sees_its_own_rows_and_lateness_is_computed(
    client: httpx.AsyncClient,
) -> None:
    await _seed(client)
    own = await _all(client, "/api/v1/programme-tasks?year=2014", ZJ)
    assert len(own) == 21 + 10 + 0  # 宁波 (330200) has its own city task, not Zhejiang's
    assert {t["region_code"] for t in own} == {None, "330000"}
    other = (
        await client.get("/api/v1/programme-tasks?region_code=320000", headers=MINISTRY)
    ).json()
    r = await client.get(f"/api/v1/programme-tasks/{other['items'][0]['id']}", headers=ZJ)
    assert r.status_code == 404
    plan = next(t for t in own if t["ref"] == "之四 一.1")
    # Before the end of May it is in progress; after it, overdue — computed, not stored.
    r = await client.get(f"/api/v1/programme-tasks/{plan['id']}?as_of=2014-05-20", headers=ZJ)
    assert r.json()["status"] == "in_progress"
    r = await client.get(f"/api/v1/programme-tasks/{plan['id']}?as_of=2014-06-01", headers=ZJ)
    assert r.json()["status"] == "overdue"
    overdue = await _all(
        client, "/api/v1/programme-tasks?year=2014&status=overdue&as_of=2014-06-01", MINISTRY
    )
    due_by_may = [t for t in overdue if t["due_on"] <= "2014-05-31"]
    assert len(overdue) == len(due_by_may) > 31  # every province's plan and more
    # Another province cannot report on Zhejiang's task; Zhejiang can, once.
    r = await client.patch(
        f"/api/v1/programme-tasks/{plan['id']}",
        json={"evidence": "x"},
        headers={**JS, "If-Match": '"1"'},
    )
    assert r.status_code == 404
    r = await client.post(
        f"/api/v1/programme-tasks/{plan['id']}/submissions",
        json={"summary": "浙江省两化融合管理体系贯标工作落实方案"},
        headers=ZJ,
    )
    assert r.status_code == 201 and r.json()["status"] == "received_late"  # today > 2014-05-31
    r = await client.get(f"/api/v1/programme-tasks/{plan['id']}", headers=ZJ)
    assert r.json()["status"] == "done_late"
    summary = (
        await client.get("/api/v1/programme-tasks/summary?year=2014&as_of=2014-06-01", headers=ZJ)
    ).json()
    assert summary["total"] == 31 and summary["by_status"]["done_late"] == 1


async def test_periodic_reporting_received_late_missing(client: httpx.AsyncClient) -> None:
    await _seed(client)
    tasks = await _all(client, "/api/v1/programme-tasks?year=2014&ref=之四 三.4", MINISTRY)
    assert len(tasks) == 31 and all(t["periodic"] for t in tasks)
    by_region = {t["region_code"]: t for t in tasks}
    # The ministry records Jiangsu's June report received on paper on 5 July (on time) …
    r = await client.post(
        f"/api/v1/programme-tasks/{by_region['320000']['id']}/submissions",
        json={"period": "2014-06", "summary": "6月进展汇总", "submitted_on": "2014-07-05"},
        headers=MINISTRY,
    )
    assert r.status_code == 201 and r.json()["status"] == "received"
    # … Zhejiang reports today (late); a period outside 6–12 月 is refused; no second June.
    url = f"/api/v1/programme-tasks/{by_region['330000']['id']}/submissions"
    assert (
        await client.post(url, json={"period": "2014-06", "summary": "s"}, headers=ZJ)
    ).status_code == 201
    r = await client.post(url, json={"period": "2014-05", "summary": "s"}, headers=ZJ)
    assert r.status_code == 422 and r.json()["rule"] == "submission.period-outside-window"
    r = await client.post(url, json={"period": "2014-06", "summary": "s"}, headers=ZJ)
    assert r.status_code == 409
    r = await client.post(url, json={"summary": "s"}, headers=ZJ)
    assert r.json()["rule"] == "submission.period-required"
    r = await client.post(
        url, json={"period": "2014-07", "summary": "s", "submitted_on": "2014-08-01"}, headers=ZJ
    )
    assert r.status_code == 403  # only the ministry back-dates a paper submission
    status = (
        await client.get(
            "/api/v1/programme-tasks/reporting-status?year=2014&period=2014-06&as_of=2014-07-20",
            headers=MINISTRY,
        )
    ).json()
    assert status["due_on"] == "2014-07-10" and status["basis"] == "platform"
    assert (status["received"], status["received_late"], status["missing"]) == (1, 1, 29)
    own = (
        await client.get(
            "/api/v1/programme-tasks/reporting-status?period=2014-06&as_of=2014-07-01", headers=ZJ
        )
    ).json()
    assert [(r["region_code"], r["status"]) for r in own["rows"]] == [("330000", "received_late")]


async def test_meeting_capacity_under_concurrency_and_attendance(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/meetings",
        json={
            "year": 2014,
            "kind": "site_meeting",
            "title": "现场会（测试）",
            "organizer": "信息化司",
            "capacity": 5,
        },
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    meeting = r.json()
    provinces = ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000"]

    async def register(code: str) -> httpx.Response:
        return await client.post(
            f"/api/v1/meetings/{meeting['id']}/registrations",
            json={"organization_name": f"{code} 代表团"},
            headers=mint(Role.province, province=code),
        )

    results = await asyncio.gather(*(register(c) for c in provinces))
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 5 and codes.count(422) == 3, codes
    assert all(r.json()["rule"] == "meeting.capacity" for r in results if r.status_code == 422)
    reg = next(r.json() for r in results if r.status_code == 201)
    url = f"/api/v1/meetings/{meeting['id']}"
    r = await client.patch(
        f"{url}/registrations/{reg['id']}",
        json={"attended": True},
        headers={**MINISTRY, "If-Match": '"1"'},
    )
    assert r.status_code == 409 and r.json()["rule"] == "meeting.attendance-before-held"
    # The host of a 现场会 must be a pilot.
    outsider = await create_enterprise(client)
    r = await client.patch(
        url, json={"host_enterprise_id": outsider["id"]}, headers={**MINISTRY, "If-Match": '"1"'}
    )
    assert r.json()["rule"] == "meeting.host-not-pilot"
    chain = await pilot(client, "330000")
    r = await client.patch(
        url,
        json={"host_enterprise_id": chain["enterprise"]["id"], "status": "held"},
        headers={**MINISTRY, "If-Match": '"1"'},
    )
    assert r.status_code == 200 and r.json()["status"] == "held"
    r = await client.patch(
        f"{url}/registrations/{reg['id']}",
        json={"attended": True},
        headers={**MINISTRY, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200 and r.json()["attended"] is True
    # A province's own meeting is invisible to another province.
    r = await client.post(
        "/api/v1/meetings",
        json={
            "year": 2014,
            "kind": "provincial_seminar",
            "title": "浙江座谈会",
            "organizer": "浙江",
        },
        headers=ZJ,
    )
    assert r.status_code == 201 and r.json()["province_code"] == "330000"
    assert (await client.get(f"/api/v1/meetings/{r.json()['id']}", headers=JS)).status_code == 404


async def test_notice_read_receipts(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/notices",
        json={
            "number": "工信厅信函〔2014〕84号",
            "title": "关于推荐2014年信息化和工业化融合管理体系贯标试点企业和服务机构的通知",
            "body": "请各地推荐贯标试点企业和服务机构。",
            "issued_on": "2014-01-28",
            "audience_roles": ["province", "recommender"],
        },
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    notice = r.json()
    url = f"/api/v1/notices/{notice['id']}"
    # 已读 per caller: unread for 浙江 until it sends the receipt, then read (list and detail,
    # and the read_by_me filter) — while 江苏 still sees it unread.
    assert (await client.get(url, headers=ZJ)).json()["read_by_me"] is False

    async def listed(headers: dict[str, str], **params: str) -> dict[str, bool]:
        page = await client.get("/api/v1/notices", params=params, headers=headers)
        assert page.status_code == 200, page.text
        return {n["id"]: n["read_by_me"] for n in page.json()["items"]}

    assert (await listed(ZJ))[notice["id"]] is False
    assert notice["id"] in await listed(ZJ, read_by_me="false")
    assert (await client.post(f"{url}/read", headers=ZJ)).status_code == 204
    assert (await client.post(f"{url}/read", headers=ZJ)).status_code == 204  # idempotent
    mine = (await client.get(url, headers=ZJ)).json()
    assert mine["read_by_me"] is True and mine["read_at"] is not None
    assert (await listed(ZJ))[notice["id"]] is True
    assert notice["id"] in await listed(ZJ, read_by_me="true")
    assert notice["id"] not in await listed(ZJ, read_by_me="false")
    assert (await listed(JS))[notice["id"]] is False
    enterprise = mint(Role.enterprise, org=uuid.uuid4())
    assert (await client.get(url, headers=enterprise)).status_code == 404
    receipts = (await client.get(f"{url}/receipts", headers=MINISTRY)).json()
    assert [x["province_code"] for x in receipts["read"]] == ["330000"]
    assert (
        len(receipts["provinces_not_read"]) == 30 and "330000" not in receipts["provinces_not_read"]
    )
    assert (await client.get(f"{url}/receipts", headers=ZJ)).status_code == 403


async def test_documents_versions_types_sizes_and_access(
    client: httpx.AsyncClient, settings: RegistrySettings
) -> None:
    r = await client.post(
        "/api/v1/documents",
        json={
            "title": "两化融合管理体系培训讲义",
            "category": "training_material",
            "access": "public",
        },
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    url = f"/api/v1/documents/{doc['id']}/content"

    async def put(content: bytes, name: str, ctype: str, etag: str) -> httpx.Response:
        return await client.put(
            f"{url}?filename={name}",
            content=content,
            headers={**MINISTRY, "Content-Type": ctype, "If-Match": etag},
        )

    r = await put(b"not a pdf", "讲义.pdf", "application/pdf", '"1"')
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "content"
    r = await put(PDF, "讲义.docx", "application/pdf", '"1"')
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "filename"
    r = await put(PDF, "x.exe", "application/x-msdownload", '"1"')
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "content-type"
    big = b"%PDF-" + b"0" * settings.document_max_bytes
    assert (await put(big, "big.pdf", "application/pdf", '"1"')).status_code == 413
    r = await put(PDF, "讲义.pdf", "application/pdf", '"1"')
    assert r.status_code == 200 and r.json()["number"] == 1, r.text
    assert (await put(PDF + b"v2", "讲义.pdf", "application/pdf", '"1"')).status_code == 412
    r = await put(PDF + b"v2", "讲义v2.pdf", "application/pdf", r.headers["etag"])
    assert r.json()["number"] == 2
    # Public download, no login: the current version, and version 1 on request.
    public = f"/api/v1/public/documents/{doc['id']}/content"
    r = await client.get(public)
    assert r.status_code == 200 and r.content == PDF + b"v2"
    assert r.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E8%AE%B2%E4%B9%89v2.pdf" in r.headers["content-disposition"]
    assert (await client.get(public + "?version=1")).content == PDF
    listed = (await client.get("/api/v1/public/documents")).json()["items"]
    assert [d["id"] for d in listed] == [doc["id"]]
    # Restricted: not public; a province's 报送 attachment: not another province's.
    r = await client.post(
        "/api/v1/documents",
        json={"title": "浙江6月报送附件", "category": "submission", "access": "restricted"},
        headers=ZJ,
    )
    assert r.status_code == 201
    private = r.json()
    assert (
        await client.get(f"/api/v1/public/documents/{private['id']}/content")
    ).status_code == 404
    assert (await client.get(f"/api/v1/documents/{private['id']}", headers=JS)).status_code == 404
    assert (
        await client.get(f"/api/v1/documents/{private['id']}", headers=MINISTRY)
    ).status_code == 200
    r = await client.post(
        "/api/v1/documents",
        json={"title": "t", "category": "standard", "access": "public"},
        headers=ZJ,
    )
    assert r.status_code == 403


async def test_funds_eligibility_from_certificate_issued_and_limits(
    client: httpx.AsyncClient, settings: RegistrySettings
) -> None:
    chain = await pilot(client, "330000")
    p, e = chain["pilot"], chain["enterprise"]
    r = await client.post(
        "/api/v1/fund-budgets",
        json={"year": chain["batch"]["year"], "source": "ministry_special", "amount_yuan": 1000},
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    budget = r.json()
    allocations = f"/api/v1/fund-budgets/{budget['id']}/allocations"
    body = {"pilot_id": p["id"], "amount_yuan": 300, "decided_on": "2014-12-30"}
    r = await client.post(allocations, json=body, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["rule"] == "fund.pilot-not-certified"
    issued = certificate("IIMS-QY-2014-TEST", e["id"], "2014-12-26")
    await publish_event(settings.kafka_bootstrap_servers, issued, time=WHEN)

    async def eligible() -> bool:
        r = await client.get("/api/v1/fund-eligibility?province_code=330000", headers=ZJ)
        return any(x["pilot_id"] == p["id"] for x in r.json()["items"])

    await eventually(eligible)
    results = await asyncio.gather(
        *(client.post(allocations, json=body, headers=MINISTRY) for _ in range(6))
    )
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 3 and codes.count(422) == 3, codes  # 3 × 300 ≤ 1000 < 4 × 300
    allocation = next(r.json() for r in results if r.status_code == 201)
    url = f"/api/v1/fund-allocations/{allocation['id']}/disbursements"
    r = await client.post(url, json={"amount_yuan": 200, "paid_on": "2015-01-15"}, headers=MINISTRY)
    assert r.status_code == 201
    r = await client.post(url, json={"amount_yuan": 101, "paid_on": "2015-02-15"}, headers=MINISTRY)
    assert r.json()["rule"] == "fund.allocation-exceeded"
    year = chain["batch"]["year"]
    summary = (await client.get(f"/api/v1/fund-budgets/summary?year={year}", headers=ZJ)).json()
    assert [
        (r["province_code"], r["allocated_yuan"], r["disbursed_yuan"])
        for r in summary["by_province"]
    ] == [("330000", 900, 200)]
    assert summary["eligible_pilots"] == 1 and summary["supported_pilots"] == 1
    assert (await client.get(f"/api/v1/fund-allocations?pilot_id={p['id']}", headers=JS)).json()[
        "items"
    ] == []


async def _agency(
    client: httpx.AsyncClient, kind: str, status: str, province: str = "330000"
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/agencies",
        json={"uscc": uscc(province), "name": f"机构{uuid.uuid4().hex[:8]}", "kind": kind,
              "status": status, "province_code": province},
        headers=MINISTRY,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_recommended_consultancy_list_needs_qualified_staff(
    client: httpx.AsyncClient, settings: RegistrySettings
) -> None:
    with_staff = await _agency(client, "consultancy", "authorized")
    without = await _agency(client, "consultancy", "authorized")
    granted = QualificationGranted(
        qualification_no=f"IIMS-ZX-2014-{uuid.uuid4().hex[:8]}", person_id=uuid.uuid4(),
        person_name="张三", kind="consultant", organization_id=with_staff["id"],
        province_code="330000", granted_on="2014-06-20", valid_until="2099-06-19",
    )  # fmt: skip
    await publish_event(settings.kafka_bootstrap_servers, granted, time=WHEN)
    r = await client.post(
        "/api/v1/agency-lists",
        json={"year": 2014, "kind": "consultancy", "title": "首批推荐的贯标服务机构名单"},
        headers=MINISTRY,
    )
    lst = r.json()
    entries = f"/api/v1/agency-lists/{lst['id']}/entries"

    async def added() -> bool:
        r = await client.post(entries, json={"agency_id": with_staff["id"]}, headers=MINISTRY)
        return r.status_code == 201

    await eventually(added)
    r = await client.post(entries, json={"agency_id": without["id"]}, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["rule"] == "agency-list.no-qualified-staff"
    url = f"/api/v1/agency-lists/{lst['id']}"
    assert (await client.get(f"/api/v1/public/agency-lists/{lst['id']}")).status_code == 404
    r = await client.patch(
        url, json={"status": "published"}, headers={**MINISTRY, "If-Match": '"1"'}
    )
    assert r.json()["rule"] == "agency-list.transition"  # 审定 before 公示
    r = await client.patch(
        url,
        json={"status": "approved", "on": "2014-07-10"},
        headers={**MINISTRY, "If-Match": '"1"'},
    )
    r = await client.patch(
        url,
        json={"status": "published", "on": "2014-07-15"},
        headers={**MINISTRY, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    public = (await client.get(f"/api/v1/public/agency-lists/{lst['id']}")).json()
    assert [(x["agency_id"], x["qualified_staff"]) for x in public["entries"]] == [
        (with_staff["id"], 1)
    ]


async def test_certification_bodies_authorized_after_review_and_management_org(
    client: httpx.AsyncClient,
) -> None:
    await _seed(client)
    body_agency = await _agency(client, "certification_body", "applied")
    r = await client.post(
        "/api/v1/certification-calls",
        json={
            "year": 2014,
            "title": "公开征集认定服务机构",
            "opens_on": "2014-08-01",
            "closes_on": "2014-08-31",
        },
        headers=MINISTRY,
    )
    call = r.json()
    url = f"/api/v1/certification-calls/{call['id']}/candidates"
    r = await client.post(
        url, json={"agency_id": body_agency["id"], "applied_on": "2014-08-10"}, headers=JS
    )
    assert r.json()["rule"] == "call.own-province"
    r = await client.post(
        url, json={"agency_id": body_agency["id"], "applied_on": "2014-09-10"}, headers=ZJ
    )
    assert r.json()["rule"] == "call.closed"
    r = await client.post(
        url, json={"agency_id": body_agency["id"], "applied_on": "2014-08-10"}, headers=ZJ
    )
    assert r.status_code == 201 and r.json()["recommended_by"] == "330000"
    cand = r.json()
    c_url = f"/api/v1/call-candidates/{cand['id']}"
    mo = mint(Role.management_org)
    r = await client.post(
        f"{c_url}/authorization",
        json={"authorized_on": "2014-08-25"},
        headers={**mo, "If-Match": '"1"'},
    )
    assert r.json()["rule"] == "certification-body.review-required"
    r = await client.patch(
        c_url,
        json={"review": "passed", "reviewed_on": "2014-08-20"},
        headers={**mo, "If-Match": '"1"'},
    )
    etag = r.headers["etag"]
    r = await client.post(
        f"{c_url}/authorization",
        json={"authorized_on": "2014-08-25"},
        headers={**mo, "If-Match": etag},
    )
    assert r.json()["rule"] == "certification-body.management-org-not-formed"
    org_task = (await client.get("/api/v1/programme-tasks?ref=之二 四.1", headers=MINISTRY)).json()[
        "items"
    ][0]
    r = await client.patch(
        f"/api/v1/programme-tasks/{org_task['id']}",
        json={"completed_on": "2014-07-20", "evidence": "依托联合工作组成立第三方认定管理组织"},
        headers={**MINISTRY, "If-Match": f'"{org_task["version"]}"'},
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = await client.post(
        f"{c_url}/authorization",
        json={"authorized_on": "2014-08-25"},
        headers={**mo, "If-Match": etag},
    )
    assert r.status_code == 200 and r.json()["authorized_on"] == "2014-08-25"
    agency = (await client.get(f"/api/v1/agencies/{body_agency['id']}", headers=MINISTRY)).json()
    assert agency["status"] == "authorized"


async def test_quota_change_is_kept_with_when_and_why(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/batches",
        json={"year": 2090, "name": "b", "pilot_quota": 500, "certification_target": 200},
        headers=MINISTRY,
    )
    batch = r.json()
    r = await client.patch(
        f"/api/v1/batches/{batch['id']}",
        json={
            "pilot_quota": 502,
            "quota_change_reason": "最终入选502家",
            "quota_changed_on": "2014-05-15",
        },
        headers={**MINISTRY, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200 and r.json()["pilot_quota"] == 502
    changes = (
        await client.get(f"/api/v1/batches/{batch['id']}/quota-changes", headers=MINISTRY)
    ).json()
    assert [(c["from_quota"], c["to_quota"], c["reason"]) for c in changes] == [
        (None, 500, "计划 (batch created)"),
        (500, 502, "最终入选502家"),
    ]
    assert changes[1]["changed_on"] == "2014-05-15"


async def test_every_work_event_reads_with_the_cloudevents_sdk(settings: RegistrySettings) -> None:
    """The programme-work events the tests above made the registry emit (tasks, 报送,
    meetings, notices, documents, funds, agency lists: this module's flows, so run it whole;
    only the registry publishes on these topics) read with the official CloudEvents SDK's
    auto-detecting Kafka reader, each valid for its contract (see `read_with_cloudevents_sdk`)."""
    work = [c for c in CONTRACTS if c.__module__ == "iims_contracts.work"]
    wanted = {c.event_type() for c in work}

    async def all_types() -> set[str] | None:
        seen = await read_with_cloudevents_sdk(
            settings.kafka_bootstrap_servers, topics=[c.topic for c in work]
        )
        return seen if wanted <= seen else None

    assert await eventually(all_types, timeout=30) == wanted
