"""Assessments over HTTP and the broker: baseline from pilot-enrolled (once), answers saved
while draft, submit names every gap, scoring publishes assessment-scored, scopes, no 500s."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assessment.db.tables import Assessment
from assessment.domain.conformity import CLAUSES
from assessment.domain.framework import IndicatorKind
from assessment.domain.seed import DISCRETE
from assessment.settings import AssessmentSettings
from iims_common.events.tables import processed_events
from iims_common.identity import Role
from iims_common.testing import (
    cloud_event,
    eventually,
    fuzz_operations,
    mint,
    publish,
    publish_event,
    read_topic,
)
from iims_contracts import AssessmentScored, EnterpriseRegistered, PilotEnrolled

MINISTRY = mint(Role.ministry)
WHEN = "2014-06-01T00:00:00Z"


async def processed(db: async_sessionmaker[AsyncSession], event_id: str) -> bool:
    async with db() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(processed_events)
            .where(processed_events.c.event_id == event_id)
        )
        return bool(n)


async def register(
    settings: AssessmentSettings, db: async_sessionmaker[AsyncSession], province: str = "320000"
) -> str:
    enterprise_id = str(uuid.uuid4())
    registered = EnterpriseRegistered(
        enterprise_id=enterprise_id,
        uscc="91320000" + uuid.uuid4().hex[:10].upper(),  # hex is in the USCC alphabet
        name="江苏企业",
        province_code=province,
        industry_code="C34",
        size="large",
    )
    e = await publish_event(settings.kafka_bootstrap_servers, registered, time=WHEN)
    await eventually(lambda: processed(db, e["id"]))
    return enterprise_id


async def test_pilot_enrolled_opens_one_baseline(
    client: httpx.AsyncClient,
    settings: AssessmentSettings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    enterprise_id = str(uuid.uuid4())
    enrolled = PilotEnrolled(
        pilot_id=uuid.uuid4(),
        batch_id=uuid.uuid4(),
        year=2014,
        enterprise_id=enterprise_id,
        province_code="370000",
        industry_code="C26",
        consultancy_id=uuid.uuid4(),
    )
    first = cloud_event(enrolled, time=WHEN)
    replay = {**first, "id": str(uuid.uuid4())}
    for e in (first, first, replay):
        await publish(settings.kafka_bootstrap_servers, PilotEnrolled, e, enterprise_id)
    await eventually(lambda: processed(db, replay["id"]))
    async with db() as s:
        rows = (
            await s.scalars(
                select(Assessment).where(Assessment.enterprise_id == uuid.UUID(enterprise_id))
            )
        ).all()
    assert len(rows) == 1 and rows[0].kind == "baseline" and rows[0].period == "2014"
    assert rows[0].framework_code == "gbt23020-process"  # C26 化学原料 is a process industry
    consultancy = mint(Role.consultancy, org=enrolled.consultancy_id)
    assert (
        await client.get(f"/api/v1/assessments/{rows[0].id}", headers=consultancy)
    ).status_code == 200
    assert (
        await client.get(
            f"/api/v1/assessments/{rows[0].id}", headers=mint(Role.consultancy, org=uuid.uuid4())
        )
    ).status_code == 404


async def test_draft_submit_score_and_publish(
    client: httpx.AsyncClient,
    settings: AssessmentSettings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    enterprise_id = await register(settings, db)
    me = mint(Role.enterprise, org=uuid.UUID(enterprise_id))
    r = await client.post(
        "/api/v1/assessments",
        json={
            "enterprise_id": enterprise_id,
            "framework_code": "gbt23020-discrete",
            "period": "2014-12",
        },
        headers=me,
    )
    assert r.status_code == 201, r.text
    a = r.json()
    url = f"/api/v1/assessments/{a['id']}"
    # Listed by period and status as typed: codes are folded (full-width, case, padding).
    for period, status in (("2014-12", a["status"]), ("２０１４－１２ ", a["status"].upper())):
        listed = await client.get(
            "/api/v1/assessments",
            params={"enterprise_id": enterprise_id, "period": period, "status": status},
            headers=me,
        )
        assert [x["id"] for x in listed.json()["items"]] == [a["id"]], (period, status)
    half = {
        c: ("B" if i.kind is IndicatorKind.ordinal else str(i.target / 2))
        for c, i in DISCRETE.indicators().items()
    }
    first_part = dict(list(half.items())[:5])
    r = await client.patch(
        url,
        json={"answers": first_part, "conformity": {"4.1": "conforming"}},
        headers={**me, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"{url}/submit", headers=me)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert len(fields) == (len(half) - 5) + (len(CLAUSES) - 1)
    ratings = {c.code: ("conforming" if i % 3 else "partial") for i, c in enumerate(CLAUSES)}
    r = await client.patch(
        url,
        json={"answers": half, "conformity": ratings},
        headers={**me, "If-Match": r.headers.get("etag", '"2"')},
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"{url}/submit", headers=me)
    assert r.status_code == 200, r.text
    scored = r.json()
    assert (
        scored["status"] == "scored"
        and float(scored["total_score"]) == 62.70
        and scored["stage"] == "集成提升"
    )
    # The cut-offs and the level mapping are the platform's, and the answer says so.
    assert scored["basis"]["stage_cutoffs"] == "platform"
    assert scored["basis"]["management_level_mapping"] == "platform"
    assert scored["basis"]["stage_names"] == "seed"
    assert (
        scored["management_level"] in ("主动", "融合和创新")
        and scored["diagnosis"]["recommendations"]
    )
    again = await client.patch(
        url, json={"answers": {}}, headers={**me, "If-Match": f'"{scored["version"]}"'}
    )
    assert again.status_code == 409 and again.json()["rule"] == "assessment.not-draft"
    found = await read_topic(
        settings.kafka_bootstrap_servers,
        AssessmentScored,
        lambda v: v.get("data", {}).get("assessment_id") == a["id"],
    )
    data = found[0][1]["data"]
    assert set(data) == {
        "assessment_id",
        "enterprise_id",
        "period",
        "total_score",
        "stage",
        "maturity_level",
    }
    assert data["total_score"] == 62.7 and found[0][0] == enterprise_id.encode()
    other = mint(Role.enterprise, org=uuid.uuid4())
    assert (await client.get(url, headers=other)).status_code == 404
    jiangsu = mint(Role.province, province="320000")
    assert (await client.get(url, headers=jiangsu)).status_code == 200
    assert (
        await client.get(url, headers=mint(Role.province, province="110000"))
    ).status_code == 404


async def test_unknown_enterprise_and_frameworks(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/assessments",
        json={
            "enterprise_id": str(uuid.uuid4()),
            "framework_code": "gbt23020-discrete",
            "period": "2014",
        },
        headers=MINISTRY,
    )
    assert r.status_code == 422 and r.json()["rule"] == "assessment.enterprise-unknown"
    frameworks = (await client.get("/api/v1/frameworks", headers=MINISTRY)).json()
    assert {f["code"] for f in frameworks} >= {"gbt23020-discrete", "gbt23020-process"}
    detail = (
        await client.get(f"/api/v1/frameworks/{frameworks[0]['id']}", headers=MINISTRY)
    ).json()
    assert detail["document"]["dimensions"][0]["name"] == "基础建设"


async def test_garbage_never_yields_a_server_error(client: httpx.AsyncClient) -> None:
    assert (
        await fuzz_operations(
            client, [MINISTRY], [b'{"answers": {"x": [1]}, "conformity": {"9.9": "great"}}']
        )
        > 100
    )


def framework_body(code: str, weight_b: str = "0.6") -> dict[str, Any]:
    abcd = [
        {"code": c, "label": c, "score": s} for c, s in (("A", 100), ("B", 60), ("C", 30), ("D", 0))
    ]
    return {
        "code": code,
        "name": "试行指标体系",
        "industry_type": "离散型",
        "dimensions": [
            {
                "code": "base",
                "name": "基础建设",
                "weight": "0.4",
                "indicators": [
                    {
                        "code": "plan",
                        "name": "规划",
                        "weight": "1",
                        "kind": "ordinal",
                        "options": abcd,
                    }
                ],
            },
            {
                "code": "apps",
                "name": "单项应用",
                "weight": weight_b,
                "indicators": [
                    {
                        "code": "cad",
                        "name": "设计工具普及率",
                        "weight": "1",
                        "kind": "ratio",
                        "target": "80",
                    }
                ],
            },
        ],
    }


async def test_ministry_creates_and_publishes_a_framework_version(
    client: httpx.AsyncClient,
) -> None:
    code = f"pilot-{uuid.uuid4().hex[:6]}"
    r = await client.post("/api/v1/frameworks", json=framework_body(code), headers=MINISTRY)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert (draft["version"], draft["status"]) == (1, "draft")
    r = await client.post(f"/api/v1/frameworks/{draft['id']}/publish", headers=MINISTRY)
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = await client.post(f"/api/v1/frameworks/{draft['id']}/publish", headers=MINISTRY)
    assert r.status_code == 409 and r.json()["rule"] == "framework.published"
    r = await client.post("/api/v1/frameworks", json=framework_body(code), headers=MINISTRY)
    assert r.json()["version"] == 2  # a change is a new version
    r = await client.post(
        "/api/v1/frameworks", json=framework_body(code, weight_b="0.5"), headers=MINISTRY
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "dimensions"
    bad = framework_body(code)
    bad["dimensions"][0]["indicators"][0]["options"] = [{"code": "A", "label": "A", "score": 90}]
    bad["dimensions"][1]["code"] = "base"
    r = await client.post(
        "/api/v1/frameworks", json=bad, headers={**MINISTRY, "Accept-Language": "en"}
    )
    messages = " ".join(e["message"] for e in r.json()["errors"])
    assert r.status_code == 422 and "unreachable" in messages and "duplicate" in messages
    r = await client.post(
        "/api/v1/frameworks",
        json=framework_body(code),
        headers=mint(Role.province, province="110000"),
    )
    assert r.status_code == 403


async def test_benchmarks_are_maintained_aggregates(
    client: httpx.AsyncClient,
    settings: AssessmentSettings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    ratings = {c.code: "conforming" for c in CLAUSES}
    ids = []
    for province, grade in (("320000", "A"), ("320000", "C"), ("330000", "B")):
        enterprise_id = await register(settings, db, province)
        me = mint(Role.enterprise, org=uuid.UUID(enterprise_id))
        a = (
            await client.post(
                "/api/v1/assessments",
                json={
                    "enterprise_id": enterprise_id,
                    "framework_code": "gbt23020-discrete",
                    "period": "2015",
                },
                headers=me,
            )
        ).json()
        answers = {
            c: (grade if i.kind is IndicatorKind.ordinal else str(i.target))
            for c, i in DISCRETE.indicators().items()
        }
        r = await client.patch(
            f"/api/v1/assessments/{a['id']}",
            json={"answers": answers, "conformity": ratings},
            headers={**me, "If-Match": '"1"'},
        )
        assert r.status_code == 200, r.text
        r = await client.post(f"/api/v1/assessments/{a['id']}/submit", headers=me)
        assert r.status_code == 200, r.text
        ids.append((a["id"], me, float(r.json()["total_score"])))
    national = (
        await client.get(
            "/api/v1/benchmarks",
            params={"industry_section": "C", "period": "2015"},
            headers=MINISTRY,
        )
    ).json()
    totals = [t for _, _, t in ids]
    assert national["count"] == 3 and float(national["average"]) == round(sum(totals) / 3, 2)
    jiangsu = (
        await client.get(
            "/api/v1/benchmarks",
            params={"industry_section": "C", "period": "2015", "province_code": "320000"},
            headers=MINISTRY,
        )
    ).json()
    assert jiangsu["count"] == 2
    best_id, me, _ = ids[0]
    mine = (
        await client.get(
            "/api/v1/benchmarks",
            params={"industry_section": "C", "period": "2015", "assessment_id": best_id},
            headers=me,
        )
    ).json()
    assert float(mine["percentile"]) > 50 and "answers" not in mine
    other_id = ids[1][0]
    r = await client.get(
        "/api/v1/benchmarks",
        params={"industry_section": "C", "period": "2015", "assessment_id": other_id},
        headers=me,
    )
    assert r.status_code == 404  # another enterprise's assessment stays invisible
    r = await client.get(
        "/api/v1/benchmarks", params={"industry_section": "Z", "period": "2015"}, headers=MINISTRY
    )
    assert r.status_code == 422


async def test_report_json_and_printable_html(
    client: httpx.AsyncClient,
    settings: AssessmentSettings,
    db: async_sessionmaker[AsyncSession],
) -> None:
    enterprise_id = await register(settings, db, "440000")
    me = mint(Role.enterprise, org=uuid.UUID(enterprise_id))
    a = (
        await client.post(
            "/api/v1/assessments",
            json={
                "enterprise_id": enterprise_id,
                "framework_code": "gbt23020-discrete",
                "period": "2016",
            },
            headers=me,
        )
    ).json()
    url = f"/api/v1/assessments/{a['id']}"
    r = await client.get(f"{url}/report", headers=me)
    assert r.status_code == 409 and r.json()["rule"] == "assessment.not-scored"
    answers = {
        c: ("B" if i.kind is IndicatorKind.ordinal else str(i.target / 2))
        for c, i in DISCRETE.indicators().items()
    }
    ratings: dict[str, Any] = {
        c.code: ("conforming" if i % 2 else "nonconforming") for i, c in enumerate(CLAUSES)
    }
    ratings["4.2"] = {"rating": "conforming", "evidence": "管理手册、程序文件已发布"}
    await client.patch(
        url, json={"answers": answers, "conformity": ratings}, headers={**me, "If-Match": '"1"'}
    )
    assert (await client.post(f"{url}/submit", headers=me)).status_code == 200
    data = (await client.get(f"{url}/report", headers=me)).json()
    assert [d["name"] for d in data["dimensions"]][:2] == ["基础建设", "单项应用"]
    assert data["assessment"]["conformity"]["4.2"] == {
        "rating": "conforming",
        "evidence": "管理手册、程序文件已发布",
    }
    assert data["province_benchmark"]["province_code"] == "440000"
    assert data["province_benchmark"]["count"] == 1
    assert (
        data["benchmark"]["count"] == 1 and float(data["dimensions"][0]["industry_average"]) == 56.0
    )
    html = await client.get(f"{url}/report.html", headers=me)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert (
        "<svg" in html.text
        and html.text.count("<polygon") == 6
        and "两化融合发展水平评估报告" in html.text
    )
    assert (
        await client.get(f"{url}/report.html", headers=mint(Role.enterprise, org=uuid.uuid4()))
    ).status_code == 404
