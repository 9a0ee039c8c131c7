"""The pilot programme over HTTP: recommendation rules, selection within the quota (also
under concurrency), pilot lifecycle, progress reports, province plans and stats."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from factories import (
    MINISTRY,
    create_batch,
    create_consultancy,
    create_enterprise,
    create_unit,
    pilot,
    recommend,
)

from iims_common.identity import Role
from iims_common.testing import mint


async def test_province_recommends_only_its_own_enterprises(client: httpx.AsyncClient) -> None:
    batch = await create_batch(client)
    unit = await create_unit(client, "provincial_authority", region="330200")  # 宁波 → 浙江
    zhejiang = mint(Role.province, province="330000", org=uuid.UUID(unit["id"]))
    own = await create_enterprise(client, "330000")
    other = await create_enterprise(client, "110000")
    url = f"/api/v1/batches/{batch['id']}/recommendations"
    r = await client.post(url, json={"enterprise_id": own["id"]}, headers=zhejiang)
    assert r.status_code == 201 and r.json()["recommending_unit_id"] == unit["id"]
    r = await client.post(url, json={"enterprise_id": other["id"]}, headers=zhejiang)
    assert r.status_code == 404  # other provinces' enterprises are invisible to it
    # Recorded by the ministry on the unit's behalf, the same rule is a named violation.
    r = await client.post(
        url,
        json={"enterprise_id": other["id"], "recommending_unit_id": unit["id"]},
        headers=MINISTRY,
    )
    assert r.status_code == 422 and r.json()["rule"] == "recommendation.own-province"
    # (batch, enterprise) is unique.
    r = await client.post(
        url, json={"enterprise_id": own["id"], "recommending_unit_id": unit["id"]}, headers=MINISTRY
    )
    assert r.status_code == 409


async def test_selection_respects_quota_under_concurrency(client: httpx.AsyncClient) -> None:
    quota = 3
    batch = await create_batch(client, quota=quota)
    unit = await create_unit(client)
    recs = []
    for _ in range(12):
        e = await create_enterprise(client)
        recs.append(await recommend(client, batch["id"], e["id"], unit["id"]))

    async def select(rec: dict[str, str]) -> httpx.Response:
        return await client.post(
            f"/api/v1/batches/{batch['id']}/pilots",
            json={"recommendation_id": rec["id"]},
            headers=MINISTRY,
        )

    results = await asyncio.gather(*(select(r) for r in recs))
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == quota, statuses
    refused = [r for r in results if r.status_code != 201]
    assert all(r.status_code == 422 and r.json()["rule"] == "batch.pilot-quota" for r in refused)
    stats = (await client.get(f"/api/v1/batches/{batch['id']}/stats", headers=MINISTRY)).json()
    assert stats["pilots"] == quota and stats["quota_used_ratio"] == 1.0
    # The quota cannot be lowered below what is selected.
    b = await client.get(f"/api/v1/batches/{batch['id']}", headers=MINISTRY)
    r = await client.patch(
        f"/api/v1/batches/{batch['id']}",
        json={"pilot_quota": 2},
        headers={**MINISTRY, "If-Match": b.headers["etag"]},
    )
    assert r.status_code == 422 and r.json()["rule"] == "batch.quota-below-selected"


async def test_lists_name_what_they_list_and_filter_by_selection(
    client: httpx.AsyncClient,
) -> None:
    """What a person reading the lists needs (the web console): the enterprise's name and
    USCC, the unit's name, and which recommendation became which pilot."""
    batch = await create_batch(client, quota=5)
    unit = await create_unit(client)
    enterprises = [await create_enterprise(client) for _ in range(3)]
    recs = [await recommend(client, batch["id"], e["id"], unit["id"]) for e in enterprises]
    r = await client.post(
        f"/api/v1/batches/{batch['id']}/pilots",
        json={"recommendation_id": recs[0]["id"]},
        headers=MINISTRY,
    )
    assert r.status_code == 201, r.text
    chosen = r.json()
    url = "/api/v1/recommendations"
    everything = (await client.get(url, params={"batch_id": batch["id"]}, headers=MINISTRY)).json()[
        "items"
    ]
    assert [r["enterprise_name"] for r in everything] == [e["name"] for e in enterprises]
    assert [r["enterprise_uscc"] for r in everything] == [e["uscc"] for e in enterprises]
    assert {r["recommending_unit_name"] for r in everything} == {unit["name"]}
    assert [r["pilot_id"] for r in everything] == [chosen["id"], None, None]
    selected = (
        await client.get(
            url, params={"batch_id": batch["id"], "selected": "true"}, headers=MINISTRY
        )
    ).json()["items"]
    assert [r["id"] for r in selected] == [recs[0]["id"]]
    waiting = (
        await client.get(
            url, params={"batch_id": batch["id"], "selected": "false"}, headers=MINISTRY
        )
    ).json()["items"]
    assert [r["id"] for r in waiting] == [recs[1]["id"], recs[2]["id"]]
    one = (await client.get(f"{url}/{recs[0]['id']}", headers=MINISTRY)).json()
    assert one["pilot_id"] == chosen["id"] and one["enterprise_name"] == enterprises[0]["name"]
    pilots = (
        await client.get("/api/v1/pilots", params={"batch_id": batch["id"]}, headers=MINISTRY)
    ).json()["items"]
    assert [p["enterprise_name"] for p in pilots] == [enterprises[0]["name"]]


async def test_pilot_lifecycle_and_history(client: httpx.AsyncClient) -> None:
    consultancy = await create_consultancy(client)
    chain = await pilot(client, consultancy_id=consultancy["id"])
    p = chain["pilot"]
    assert p["status"] == "enrolled" and p["consultancy_id"] == consultancy["id"]
    url = f"/api/v1/pilots/{p['id']}"

    async def move(status: str) -> httpx.Response:
        etag = (await client.get(url, headers=MINISTRY)).headers["etag"]
        return await client.patch(
            url, json={"status": status}, headers={**MINISTRY, "If-Match": etag}
        )

    skipped = await move("basically_compliant")
    assert skipped.status_code == 409 and skipped.json()["rule"] == "pilot.transition"
    assert (await move("implementing")).status_code == 200
    assert (await move("certified")).json()["rule"] == "pilot.certified-by-certificate-only"
    assert (await move("basically_compliant")).status_code == 200
    history = (await client.get(f"{url}/status-history", headers=MINISTRY)).json()
    assert [h["to_status"] for h in history] == ["enrolled", "implementing", "basically_compliant"]
    e = (
        await client.get(f"/api/v1/enterprises/{chain['enterprise']['id']}", headers=MINISTRY)
    ).json()
    assert e["status"] == "pilot"
    # The consultancy sees the enterprise it serves; another consultancy does not.
    mine = mint(Role.consultancy, org=uuid.UUID(consultancy["id"]))
    other = mint(Role.consultancy, org=uuid.uuid4())
    assert (await client.get(url, headers=mine)).status_code == 200
    assert (await client.get(url, headers=other)).status_code == 404
    eurl = f"/api/v1/enterprises/{chain['enterprise']['id']}"
    assert (await client.get(eurl, headers=mine)).status_code == 200
    assert (await client.get(eurl, headers=other)).status_code == 404


async def test_unauthorized_consultancy_cannot_be_assigned(client: httpx.AsyncClient) -> None:
    applied = await create_consultancy(client, status="applied")
    batch = await create_batch(client)
    unit = await create_unit(client)
    e = await create_enterprise(client)
    rec = await recommend(client, batch["id"], e["id"], unit["id"])
    r = await client.post(
        f"/api/v1/batches/{batch['id']}/pilots",
        json={"recommendation_id": rec["id"], "consultancy_id": applied["id"]},
        headers=MINISTRY,
    )
    assert r.status_code == 422 and r.json()["rule"] == "pilot.consultancy-authorized"


async def test_progress_reports(client: httpx.AsyncClient) -> None:
    chain = await pilot(client, province="370000")
    p, e = chain["pilot"], chain["enterprise"]
    me = mint(Role.enterprise, org=uuid.UUID(e["id"]))
    url = f"/api/v1/pilots/{p['id']}/progress-reports"
    body = {"period": "2014-09", "stage": "体系策划", "percent": 30, "narrative": "完成现状诊断。"}
    r = await client.post(url, json=body, headers=me)
    assert r.status_code == 201
    assert (await client.post(url, json=body, headers=me)).status_code == 409
    r = await client.post(url, json={**body, "period": "2014-13"}, headers=me)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period"
    r = await client.post(url, json={**body, "period": "2014-10", "percent": 101}, headers=me)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "percent"
    shandong = mint(Role.province, province="370000")
    listed = (
        await client.get("/api/v1/progress-reports", params={"period": "2014-09"}, headers=shandong)
    ).json()
    assert [x["pilot_id"] for x in listed["items"]] == [p["id"]]
    beijing = mint(Role.province, province="110000")
    listed = (await client.get("/api/v1/progress-reports", headers=beijing)).json()
    assert listed["items"] == []
    assert (await client.post(url, json=body, headers=beijing)).status_code == 404


async def test_province_plans_and_lateness(client: httpx.AsyncClient) -> None:
    batch = await create_batch(client)  # deadline 2014-05-31
    url = f"/api/v1/batches/{batch['id']}/province-plans"
    body = {"title": "江苏省贯标工作落实方案", "summary": "……", "funding_wan_yuan": 500}
    js = mint(Role.province, province="320000")
    r = await client.post(url, json=body, headers=js)
    assert r.status_code == 201
    assert (await client.post(url, json=body, headers=js)).status_code == 409
    r = await client.post(url, json={**body, "province_code": "110000"}, headers=js)
    assert r.status_code == 422 and r.json()["rule"] == "province-plan.own-province"

    before = (await client.get(url, params={"as_of": "2014-05-01"}, headers=MINISTRY)).json()
    after = (await client.get(url, params={"as_of": "2014-06-15"}, headers=MINISTRY)).json()
    assert len(after) == 31
    status_after = {row["province_code"]: row["status"] for row in after}
    status_before = {row["province_code"]: row["status"] for row in before}
    # Submitted today (after the 2014 deadline) counts as late; others are pending, then late.
    assert status_after["320000"] == "submitted_late"
    assert status_before["110000"] == "pending" and status_after["110000"] == "late"
    own = (await client.get(url, headers=js)).json()
    assert [row["province_code"] for row in own] == ["320000"] and own[0][
        "status_label"
    ] == "逾期报送"
    r = await client.get(url, headers=mint(Role.enterprise, org=uuid.uuid4()))
    assert r.status_code == 403


async def test_stats_per_batch_and_province(client: httpx.AsyncClient) -> None:
    batch = await create_batch(client, quota=10)
    unit = await create_unit(client)
    for province, n_rec, n_pilot in (("110000", 3, 2), ("440000", 2, 1)):
        for i in range(n_rec):
            e = await create_enterprise(client, province)
            rec = await recommend(client, batch["id"], e["id"], unit["id"])
            if i < n_pilot:
                r = await client.post(
                    f"/api/v1/batches/{batch['id']}/pilots",
                    json={"recommendation_id": rec["id"]},
                    headers=MINISTRY,
                )
                assert r.status_code == 201
    stats = (await client.get(f"/api/v1/batches/{batch['id']}/stats", headers=MINISTRY)).json()
    assert (stats["recommended"], stats["pilots"], stats["by_status"]) == (5, 3, {"enrolled": 3})
    assert stats["quota_used_ratio"] == 0.3
    rows = {row["province_code"]: row for row in stats["by_province"]}
    assert rows["110000"]["recommended"] == 3 and rows["110000"]["pilots"] == 2
    gd = (
        await client.get(
            f"/api/v1/batches/{batch['id']}/stats", headers=mint(Role.province, province="440000")
        )
    ).json()
    assert [row["province_code"] for row in gd["by_province"]] == ["440000"] and gd["pilots"] == 1


async def test_reference_data(client: httpx.AsyncClient) -> None:
    provinces = (await client.get("/api/v1/provinces", headers=MINISTRY)).json()
    assert len(provinces) == 31 and provinces[0] == {"code": "110000", "name": "北京市"}
    industries = (await client.get("/api/v1/industries", headers=MINISTRY)).json()
    c = next(i for i in industries if i["code"] == "C")
    assert c["name"] == "制造业" and c["divisions"][0] == "13" and c["divisions"][-1] == "43"
    labels = (await client.get("/labels")).json()
    assert labels["PilotStatus"]["basically_compliant"] == "基本达标"
    assert labels["RequirementClause"]["8.3"] == "内部审核"
    english = (await client.get("/labels", headers={"Accept-Language": "en"})).json()
    assert english["PilotStatus"]["basically_compliant"] == "Basically compliant"
    assert english["MeetingKind"]["site_meeting"] == "On-site meeting"


async def test_operations_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    metrics = (await client.get("/metrics")).text
    assert "iims_outbox_backlog" in metrics and "iims_http_requests_total" in metrics
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/batches/{batch_id}/pilots" in spec["paths"]
    assert "Problem" in spec["components"]["schemas"]


async def test_recommender_and_certification_body_scopes(client: httpx.AsyncClient) -> None:
    chain = await pilot(client)
    unit_id = uuid.UUID(chain["unit"]["id"])
    mine = mint(Role.recommender, org=unit_id)
    stranger = mint(Role.recommender, org=uuid.uuid4())
    e_url = f"/api/v1/enterprises/{chain['enterprise']['id']}"
    p_url = f"/api/v1/pilots/{chain['pilot']['id']}"
    r_url = f"/api/v1/recommendations/{chain['recommendation']['id']}"
    for url in (e_url, p_url, r_url):
        assert (await client.get(url, headers=mine)).status_code == 200, url
        assert (await client.get(url, headers=stranger)).status_code == 404, url
    body = (await client.get("/api/v1/pilots", headers=stranger)).json()
    assert body["items"] == []
    cb = mint(Role.certification_body, org=uuid.uuid4())
    assert (await client.get(e_url, headers=cb)).status_code == 404
    assert (await client.get(p_url, headers=cb)).status_code == 404


async def test_progress_summary_per_province(client: httpx.AsyncClient) -> None:
    batch = await create_batch(client)
    unit = await create_unit(client)
    pilots = []
    for province in ("320000", "320000", "330000"):
        e = await create_enterprise(client, province)
        rec = await recommend(client, batch["id"], e["id"], unit["id"])
        r = await client.post(
            f"/api/v1/batches/{batch['id']}/pilots",
            json={"recommendation_id": rec["id"]},
            headers=MINISTRY,
        )
        pilots.append(r.json())
    for p, percent in ((pilots[0], 40), (pilots[2], 70)):
        r = await client.post(
            f"/api/v1/pilots/{p['id']}/progress-reports",
            json={
                "period": "2014-10",
                "stage": "实施",
                "percent": percent,
                "narrative": "进展顺利",
            },
            headers=MINISTRY,
        )
        assert r.status_code == 201
    url = f"/api/v1/batches/{batch['id']}/progress-summary"
    summary = (await client.get(url, params={"period": "2014-10"}, headers=MINISTRY)).json()
    assert (summary["active_pilots"], summary["reported"], summary["average_percent"]) == (
        3,
        2,
        55.0,
    )
    rows = {r["province_code"]: r for r in summary["by_province"]}
    assert (rows["320000"]["reported"], rows["320000"]["missing"]) == (1, 1)
    js = (
        await client.get(
            url, params={"period": "2014-10"}, headers=mint(Role.province, province="320000")
        )
    ).json()
    assert [r["province_code"] for r in js["by_province"]] == ["320000"]
    r = await client.get(url, params={"period": "2014-13"}, headers=MINISTRY)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "period"


async def test_deregistered_enterprise_cannot_be_recommended(client: httpx.AsyncClient) -> None:
    batch = await create_batch(client)
    unit = await create_unit(client)
    e = await create_enterprise(client)
    etag = (await client.get(f"/api/v1/enterprises/{e['id']}", headers=MINISTRY)).headers["etag"]
    r = await client.patch(
        f"/api/v1/enterprises/{e['id']}",
        json={"status": "deregistered"},
        headers={**MINISTRY, "If-Match": etag},
    )
    assert r.status_code == 200
    r = await client.post(
        f"/api/v1/batches/{batch['id']}/recommendations",
        json={"enterprise_id": e["id"], "recommending_unit_id": unit["id"]},
        headers=MINISTRY,
    )
    assert r.status_code == 409 and r.json()["rule"] == "enterprise.deregistered"
