"""The platform's main security promise, as a build-breaking matrix generated from the
merged OpenAPI document (so a new route cannot escape it): every operation × every role
acting from another province/organization, against real objects owned by province 320000
and its enterprise, consultancy and certification body — never a 2xx on a foreign object,
never a foreign id in a list. The owners themselves do read their objects."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from gateway_platform import Platform
from test_gateway_programme_e2e import JIANGSU, day, id_number, key, new_batch, uscc

from audit.db.tables import Application as AuditApplication
from iims_common.testing import cloud_event, eventually, publish_many
from iims_contracts import PilotEnrolled, QualificationGranted
from training.domain.programmes import PROGRAMMES

# Reference data every signed-in caller may read (a 200 is not a leak), with the reason.
SHARED = {
    "/api/v1/batches/{batch_id}": "batches are the programme's public structure",
    "/api/v1/batches/{batch_id}/stats": "answered within the caller's own scope",
    "/api/v1/batches/{batch_id}/quota-changes": "a batch's quota and its history are public",
    "/api/v1/batches/{batch_id}/progress-summary": "answered within the caller's own scope",
    "/api/v1/batches/{batch_id}/province-plans": "answered within the caller's own scope",
    "/api/v1/agencies/{agency_id}": "the directory of authorized agencies is public",
    "/api/v1/recommending-units/{unit_id}": "the list of recommending units is public",
    "/api/v1/programmes/{code}": "the training plan is public",
    "/api/v1/sessions/{session_id}": "training sessions are announced to everyone",
    "/api/v1/frameworks/{framework_id}": "assessment frameworks are public",
    "/api/v1/certification-calls/{call_id}/candidates": "answered within the caller's own scope",
}
# Role-specific reads that are by design (documented in the services' READMEs).
BY_DESIGN: dict[tuple[str, str], str] = {}
PUBLIC = re.compile(r"^/api/v1/(public/|auth/)")


async def _world(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> dict[str, Any]:
    rng = random.Random()
    w: dict[str, Any] = {}
    ministry = await key(gw, admin, role="ministry")
    management = await key(gw, admin, role="management_org")
    unit = await ministry.call(
        "POST",
        "/api/v1/recommending-units",
        201,
        json={
            "name": f"江苏省工信厅-{rng.randint(0, 10**9)}",
            "kind": "provincial_authority",
            "region_code": JIANGSU,
        },
    )
    consultancy = await ministry.call(
        "POST",
        "/api/v1/agencies",
        201,
        json={
            "uscc": uscc(rng, JIANGSU, "12"),
            "name": "咨询机构A",
            "kind": "consultancy",
            "status": "authorized",
            "province_code": JIANGSU,
        },
    )
    body = await ministry.call(
        "POST",
        "/api/v1/agencies",
        201,
        json={
            "uscc": uscc(rng, JIANGSU, "12"),
            "name": "认定机构A",
            "kind": "certification_body",
            "status": "authorized",
            "province_code": JIANGSU,
        },
    )
    province = await key(
        gw, admin, role="province", province_code=JIANGSU, organization_id=unit["id"]
    )
    batch = await new_batch(
        ministry, rng, name="{year}批次", pilot_quota=10, certification_target=5
    )
    year = batch["year"]
    subscription = await province.call(
        "POST",
        "/api/v1/webhooks",
        201,
        json={"url": "https://example.com/iims", "event_types": [PilotEnrolled.topic]},
    )
    enterprise = await ministry.call(
        "POST",
        "/api/v1/enterprises",
        201,
        json={
            "uscc": uscc(rng, JIANGSU),
            "name": f"企业A{rng.randint(0, 10**9)}",
            "province_code": JIANGSU,
            "industry_code": "C34",
            "size": "small",
        },
    )
    rec = await province.call(
        "POST",
        f"/api/v1/batches/{batch['id']}/recommendations",
        201,
        json={"enterprise_id": enterprise["id"]},
    )
    pilot = await ministry.call(
        "POST",
        f"/api/v1/batches/{batch['id']}/pilots",
        201,
        json={"recommendation_id": rec["id"], "consultancy_id": consultancy["id"]},
    )
    plan = await province.call(
        "POST",
        f"/api/v1/batches/{batch['id']}/province-plans",
        201,
        json={"title": "江苏方案", "summary": "落实方案"},
    )
    me = await key(gw, admin, role="enterprise", organization_id=enterprise["id"])
    # An import with a refused row each: their refused-rows downloads have an owner.
    refused_list = (
        "统一社会信用代码,企业名称,所在省份,行业门类,企业规模\r\n9.13302E+17,坏行,江苏,C,中型\r\n"
    )
    enterprise_import = await province.call(
        "POST",
        "/api/v1/enterprises/import",
        content=refused_list.encode("gb18030"),
        headers={"Content-Type": "text/csv"},
    )
    people_import = await me.call(
        "POST",
        "/api/v1/people/import",
        content="姓名,身份证号\r\n张三,3.30106E+17\r\n".encode("gb18030"),
        headers={"Content-Type": "text/csv"},
    )
    as_consultancy = await key(gw, admin, role="consultancy", organization_id=consultancy["id"])
    as_body = await key(gw, admin, role="certification_body", organization_id=body["id"])
    framework = (await ministry.call("GET", "/api/v1/frameworks"))[0]

    async def baseline() -> Any:
        items = (await me.call("GET", "/api/v1/assessments"))["items"]
        return items[0] if items else None

    assessment = await eventually(baseline, timeout=30)
    # Training: a consultant of consultancy A qualifies (consultant qualification).
    session = await ministry.call(
        "POST",
        "/api/v1/sessions",
        201,
        json={
            "programme_code": "agency-professionals",
            "starts_on": "2014-06-09",
            "ends_on": "2014-06-13",
            "location": "北京",
            "lecturers": "联合工作组",
            "capacity": 30,
        },
    )
    person = await as_consultancy.call(
        "POST",
        "/api/v1/people",
        201,
        json={
            "name": "赵咨询",
            "id_number": id_number(rng),
            "phone": "13712345678",
            "organization_kind": "agency",
        },
    )
    enrollment = await as_consultancy.call(
        "POST",
        f"/api/v1/sessions/{session['id']}/enrollments",
        201,
        json={"person_id": person["id"]},
    )
    for m in PROGRAMMES["agency-professionals"].modules:
        await ministry.call(
            "POST",
            f"/api/v1/enrollments/{enrollment['id']}/attendance",
            json={"module_no": m.no, "hours": float(m.hours)},
        )
    await ministry.call("POST", f"/api/v1/enrollments/{enrollment['id']}/exam", json={"score": 90})
    [qualification] = (
        await ministry.call("GET", "/api/v1/qualifications", params={"person_id": person["id"]})
    )["items"]
    # Auditors of body A (their qualifications arrive as training's events would bring them).
    lead, member = uuid.uuid4(), uuid.uuid4()
    events = []
    for person_id, kinds in ((lead, ("auditor", "lead_auditor")), (member, ("auditor",))):
        for kind in kinds:
            granted = QualificationGranted(
                qualification_no=f"IIMS-T-{uuid.uuid4().hex[:10]}",
                person_id=person_id,
                person_name="审核员",
                kind=kind,
                organization_id=body["id"],
                province_code=JIANGSU,
                granted_on="2014-01-01",
                valid_until=day(900),
            )
            events.append((QualificationGranted, cloud_event(granted), granted.kafka_key()))
    await publish_many(platform.settings.kafka_bootstrap_servers, events)

    async def pool() -> bool:
        return len((await as_body.call("GET", "/api/v1/auditors"))["items"]) == 2

    await eventually(pool, timeout=30)
    for p in (lead, member):
        await as_body.call("PUT", f"/api/v1/auditors/{p}/competences", json={"industries": ["C"]})
    off = await as_body.call(
        "POST",
        f"/api/v1/auditors/{member}/unavailability",
        201,
        json={"starts_on": day(300), "ends_on": day(301)},
    )
    application = await me.call(
        "POST",
        "/api/v1/applications",
        201,
        json={
            "enterprise_id": enterprise["id"],
            "certification_body_id": body["id"],
            "scope": "机械制造",
            "site": "南京",
            "system_running_since": day(-200),
            "internal_audit_done": True,
            "management_review_done": True,
        },
    )
    team = [{"person_id": str(lead), "role": "lead"}, {"person_id": str(member), "role": "member"}]
    audits = []
    for kind, start, end in (("stage1", -30, -30), ("stage2", -20, -18)):
        audit = await as_body.call(
            "POST",
            "/api/v1/audits",
            201,
            json={
                "application_id": application["id"],
                "kind": kind,
                "starts_on": day(start),
                "ends_on": day(end),
                "team": team,
            },
        )
        await as_body.call("POST", f"/api/v1/audits/{audit['id']}/completion", json={})
        audits.append(audit)
    finding = await as_body.call(
        "POST",
        f"/api/v1/audits/{audits[1]['id']}/findings",
        201,
        json={"clause": "8.6", "severity": "observation", "description": "建议"},
    )
    await as_body.call("POST", f"/api/v1/applications/{application['id']}/conclusion")

    async def in_review() -> bool:
        got = await management.call("GET", f"/api/v1/applications/{application['id']}")
        return bool(got["status"] == "under_review")

    await eventually(in_review, timeout=30)
    await management.call(
        "POST", f"/api/v1/applications/{application['id']}/review", json={"approved": True}
    )
    objection = (
        await gw.post(
            f"/api/v1/public/notices/{application['id']}/objections",
            json={"text": "异议", "contact": "公众"},
        )
    ).json()
    await management.call(
        "POST",
        f"/api/v1/applications/{application['id']}/objections/{objection['id']}/resolution",
        json={"upheld": False, "resolution": "不成立"},
    )
    async with platform.services["audit"].state.sessionmaker() as s, s.begin():
        await s.execute(
            sa.update(AuditApplication)
            .where(AuditApplication.id == uuid.UUID(application["id"]))
            .values(notice_ends_on=dt.date.today() - dt.timedelta(days=1))
        )
    certificate = await management.call(
        "POST", f"/api/v1/applications/{application['id']}/decision", 201, json={}
    )
    proposal = await as_body.call(
        "POST",
        "/api/v1/schedule-proposals",
        201,
        json={
            "window_start": day(400),
            "window_end": day(420),
            "certificate_ids": [certificate["id"]],
        },
    )

    async def delivery() -> Any:
        items = (await province.call("GET", f"/api/v1/webhooks/{subscription['id']}/deliveries"))[
            "items"
        ]
        return items[0] if items else None

    webhook_delivery = await eventually(delivery, timeout=30)
    api_key = (await gw.get("/api/v1/api-keys", headers=admin)).json()["items"][0]
    work = await _programme_work(ministry, management, province, pilot, body, year)
    w.update(
        values={
            "enterprise_id": enterprise["id"],
            "batch_id": batch["id"],
            "pilot_id": pilot["id"],
            "recommendation_id": rec["id"],
            "plan_id": plan["id"],
            "agency_id": consultancy["id"],
            "unit_id": unit["id"],
            "assessment_id": assessment["id"],
            "framework_id": framework["id"],
            "code": "agency-professionals",
            "session_id": session["id"],
            "enrollment_id": enrollment["id"],
            "application_id": application["id"],
            "objection_id": objection["id"],
            "audit_id": audits[1]["id"],
            "finding_id": finding["id"],
            "unavailability_id": off["id"],
            "proposal_id": proposal["id"],
            "key_id": api_key["id"],
            "subscription_id": subscription["id"],
            "delivery_id": webhook_delivery["id"],
            "province_code": JIANGSU,
            **work,
        },
        person={"/api/v1/people": person["id"], "/api/v1/auditors": str(lead)},
        imports={
            "/api/v1/enterprises": enterprise_import["refused_rows_url"].split("/")[-2],
            "/api/v1/people": people_import["refused_rows_url"].split("/")[-2],
        },
        number={
            "/api/v1/qualifications": qualification["number"],
            "/api/v1/certificates": certificate["number"],
        },
        owners={
            "province": province,
            "enterprise": me,
            "consultancy": as_consultancy,
            "certification_body": as_body,
        },
    )
    return w


async def _programme_work(
    ministry: Any, management: Any, province: Any, pilot: Any, body: Any, year: int
) -> dict[str, str]:
    """Jiangsu's own programme work: its 之四 task, meeting and registration, a restricted 报送
    attachment, its budget and an allocation to its pilot, a draft agency list, a candidate
    it recommended; and a notice addressed to the management organization only."""
    await ministry.call("POST", "/api/v1/programme-tasks/seed?year=2014")
    tasks = await province.call("GET", f"/api/v1/programme-tasks?region_code={JIANGSU}")
    meeting = await province.call(
        "POST",
        "/api/v1/meetings",
        201,
        json={
            "year": 2014,
            "kind": "provincial_seminar",
            "title": "江苏座谈会",
            "organizer": "江苏",
        },
    )
    registration = await province.call(
        "POST",
        f"/api/v1/meetings/{meeting['id']}/registrations",
        201,
        json={"organization_name": "江苏代表团"},
    )
    notice = await ministry.call(
        "POST",
        "/api/v1/notices",
        201,
        json={"title": "认定工作安排", "body": "…", "audience_roles": ["management_org"]},
    )
    document = await province.call(
        "POST",
        "/api/v1/documents",
        201,
        json={"title": "江苏报送附件", "category": "submission", "access": "restricted"},
    )
    budget = await province.call(
        "POST",
        "/api/v1/fund-budgets",
        201,
        json={"year": year, "source": "provincial", "amount_yuan": 1000},
    )
    allocation = await province.call(
        "POST",
        f"/api/v1/fund-budgets/{budget['id']}/allocations",
        201,
        json={"pilot_id": pilot["id"], "amount_yuan": 100, "decided_on": f"{year}-01-10"},
    )
    agency_list = await ministry.call(
        "POST",
        "/api/v1/agency-lists",
        201,
        json={"year": year, "kind": "consultancy", "title": "推荐名单（草稿）"},
    )
    call = await management.call(
        "POST",
        "/api/v1/certification-calls",
        201,
        json={
            "year": year,
            "title": "征集",
            "opens_on": f"{year}-08-01",
            "closes_on": f"{year}-08-31",
        },
    )
    candidate = await province.call(
        "POST",
        f"/api/v1/certification-calls/{call['id']}/candidates",
        201,
        json={"agency_id": body["id"], "applied_on": f"{year}-08-05"},
    )
    return {
        "task_id": tasks["items"][0]["id"],
        "meeting_id": meeting["id"],
        "registration_id": registration["id"],
        "notice_id": notice["id"],
        "document_id": document["id"],
        "budget_id": budget["id"],
        "allocation_id": allocation["id"],
        "list_id": agency_list["id"],
        "call_id": call["id"],
        "candidate_id": candidate["id"],
    }


def _fill(template: str, w: dict[str, Any]) -> str:
    path = template
    for name in re.findall(r"{(\w+)}", template):
        if name == "person_id":
            value = next(v for k, v in w["person"].items() if template.startswith(k))
        elif name == "number":
            value = next(v for k, v in w["number"].items() if template.startswith(k))
        elif name == "import_id":
            value = next(v for k, v in w["imports"].items() if template.startswith(k))
        else:
            assert name in w["values"], f"add a sample object for {{{name}}} ({template})"
            value = w["values"][name]
        path = path.replace("{" + name + "}", str(value))
    return path


async def test_no_role_reaches_another_provinces_or_organizations_objects(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    w = await _world(gw, admin, platform)
    foreign = {
        "province": await key(
            gw, admin, role="province", province_code="110000", organization_id=str(uuid.uuid4())
        ),
        "enterprise": await key(gw, admin, role="enterprise", organization_id=str(uuid.uuid4())),
        "consultancy": await key(gw, admin, role="consultancy", organization_id=str(uuid.uuid4())),
        "certification_body": await key(
            gw, admin, role="certification_body", organization_id=str(uuid.uuid4())
        ),
        "recommender": await key(gw, admin, role="recommender", organization_id=str(uuid.uuid4())),
    }
    own_ids = {
        str(v)
        for k, v in w["values"].items()
        if k
        not in (
            "code",
            "province_code",
            "batch_id",
            "framework_id",
            "agency_id",
            "unit_id",
            "session_id",
            "call_id",  # the certification bodies' call is announced to everyone
        )
    }
    spec = (await gw.get("/openapi.json")).json()
    leaks: list[str] = []
    checked = 0
    for template, item in spec["paths"].items():
        if not template.startswith("/api/v1/") or PUBLIC.match(template):
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if method not in item:
                continue
            path = _fill(template, w)
            for role, api in foreign.items():
                if method == "get" and (template in SHARED or (role, template) in BY_DESIGN):
                    continue
                r = await gw.request(
                    method.upper(),
                    path,
                    headers={**api.headers, "If-Match": '"1"'},
                    json={} if method != "get" else None,
                )
                checked += 1
                if "{" in template and 200 <= r.status_code < 300:
                    leaks.append(f"{role} {method.upper()} {template} → {r.status_code}")
                elif "{" not in template and method == "get" and r.status_code == 200:
                    body = r.text
                    found = [i for i in own_ids if i in body]
                    if found:
                        leaks.append(f"{role} GET {template} lists {found}")
    assert not leaks, "authorization leaks:\n" + "\n".join(leaks)
    assert checked > 400

    # The owners do see their own objects.
    owners = w["owners"]
    expected = {
        "/api/v1/enterprises/{enterprise_id}": ("province", "enterprise"),
        "/api/v1/pilots/{pilot_id}": ("province", "enterprise", "consultancy"),
        "/api/v1/assessments/{assessment_id}": ("enterprise",),
        "/api/v1/applications/{application_id}": (
            "province",
            "enterprise",
            "consultancy",
            "certification_body",
        ),
        "/api/v1/audits/{audit_id}": ("enterprise", "certification_body"),
        "/api/v1/findings/{finding_id}": ("enterprise", "certification_body"),
        "/api/v1/certificates/{number}": ("province", "enterprise", "certification_body"),
        "/api/v1/people/{person_id}": ("consultancy",),
        "/api/v1/qualifications/{number}": ("consultancy",),
        "/api/v1/auditors/{person_id}": ("certification_body",),
        "/api/v1/dashboards/provinces/{province_code}": ("province",),
        "/api/v1/enterprise-overviews/{enterprise_id}": ("enterprise", "province"),
        "/api/v1/enterprises/imports/{import_id}/refused-rows": ("province",),
        "/api/v1/people/imports/{import_id}/refused-rows": ("enterprise",),
    }
    for template, roles in expected.items():
        for role in roles:
            r = await gw.get(_fill(template, w), headers=owners[role].headers)
            assert r.status_code == 200, (role, template, r.text[:200])
