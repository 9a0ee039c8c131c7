"""The rest of the 2014 programme for `make run`, loaded through the gateway's public API (so
it takes the same path a client would): training sessions of the seed's plan, and the
certification bodies' auditors trained and examined in October 2014 (认定专业人员培训, the
qualifications dated on the exam day), two of each body's four attested 审核组长 a week later
(before the first audits of November–December), with their 专业能力 — which the audit service
learns from `qualification-granted`, so a certification body can form a valid team — and the
programme's own work in the registry (the seed's tasks and meetings of 之二/之四, and the
deployment notice to the provinces), so the console's 工作管理 pages show real rows.

Usage: python scripts/demo_platform.py <gateway url> <admin API key>
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

import httpx
from dev_run import ensure_api_key

from training.domain.programmes import PROGRAMMES

SESSIONS = [
    ("agency-professionals", "2014-06-09", "2014-06-13", 60),
    ("officials", "2014-06-20", "2014-06-20", 120),
    ("enterprise-phase-1", "2014-06-16", "2014-06-18", 200),
    ("enterprise-phase-1", "2014-06-23", "2014-06-25", 200),
    ("enterprise-phase-1", "2014-06-25", "2014-06-27", 200),
    ("enterprise-phase-2", "2014-09-01", "2014-09-04", 150),
    ("certification-auditors", "2014-10-13", "2014-10-17", 40),
]
# 统一组织考核 at the end of the October course (会议材料之一 四.3: "10月 … 统一组织考核,
# 对考核通过的人员授予认定资质证书"): the auditor qualifications are dated on it.
AUDITOR_EXAM_ON = "2014-10-17"
# The seed is silent on 审核组长. The platform's rule asks for 3 audits as a team member, and
# no IIMS audit exists before the first 认定试点 (11–12月 2014): the first leads are attested
# on the strength of earlier management-system audits (GB/T 19001 etc.) — the demo's choice,
# stated in the evidence — on a day after the course and before those audits.
LEAD_ATTESTED_ON = "2014-10-24"
LEAD_EVIDENCE = "此前作为审核组成员参加 GB/T 19001 等管理体系认证审核 3 次以上（首批审核组长，认定管理组织认定）"
LEADS_PER_BODY = 2
# 专业能力 (GB/T 4754 门类) per auditor of a body, by position: the demo's pilots are in
# C (344 of 502), D, G, I, B, F and E; each body's two leads between them cover all seven,
# and so do its two other auditors — any pilot can get a competent team with a lead.
COMPETENCES = [
    ["C", "D", "E", "F"],
    ["B", "C", "G", "I"],
    ["C", "D", "G", "I"],
    ["B", "C", "E", "F"],
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]


def id_number(rng: random.Random) -> str:
    body = f"110105{rng.randint(1965, 1990)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def call(client: httpx.Client, method: str, path: str, **kw: Any) -> Any:
    r = client.request(method, path, **kw)
    if r.status_code >= 400:
        raise SystemExit(f"{method} {path}: {r.status_code} {r.text[:300]}")
    return r.json() if r.content else None


def create(client: httpx.Client, path: str, key: str, body: dict[str, Any], **kw: Any) -> Any:
    """POST with an Idempotency-Key: a re-run (same client, same key, same body) gets the first
    response again instead of a second object or a 409."""
    headers = {**kw.pop("headers", {}), "Idempotency-Key": f"demo-2014:{key}"}
    return call(client, "POST", path, json=body, headers=headers, **kw)


def items(client: httpx.Client, path: str, **kw: Any) -> list[Any]:
    """Every item of a cursor-paginated list."""
    out: list[Any] = []
    params = {**kw.pop("params", {}), "limit": 100}
    while True:
        page = call(client, "GET", path, params=params, **kw)
        out.extend(page["items"])
        if not page.get("next_cursor"):
            return out
        params["cursor"] = page["next_cursor"]


def main(base: str, admin_key: str) -> None:
    """Idempotent end to end: every step looks first (check-before-create) and creates what is
    missing with an Idempotency-Key, so any number of runs — also after one that died half-way —
    leave exactly one copy of each session, key, person, enrollment and qualification."""
    rng = random.Random(2014)
    with httpx.Client(base_url=base, headers={"X-API-Key": admin_key}, timeout=30) as gw:
        sessions: dict[str, Any] = {}
        existing = {(x["programme_code"], x["starts_on"]): x for x in items(gw, "/api/v1/sessions")}
        for code, start, end, capacity in SESSIONS:
            run = existing.get((code, start)) or create(
                gw,
                "/api/v1/sessions",
                f"session:{code}:{start}",
                {
                    "programme_code": code,
                    "starts_on": start,
                    "ends_on": end,
                    "location": PROGRAMMES[code].location,
                    # The seed names the lecturers per programme (会议材料之三): for officials
                    # also 信息化推进司、科技司; the auditor programme's are the platform's.
                    "lecturers": PROGRAMMES[code].lecturers,
                    "capacity": capacity,
                },
            )
            sessions.setdefault(code, run)
        bodies = call(
            gw, "GET", "/api/v1/agencies", params={"kind": "certification_body", "limit": 50}
        )["items"]
        auditors = leads = 0
        staff: list[tuple[str, list[str], dict[str, str]]] = []
        management = {
            "X-API-Key": ensure_api_key(
                gw, {"name": "认定管理组织 (demo)", "role": "management_org"}
            )
        }
        course = sessions["certification-auditors"]["id"]
        for body in sorted(bodies, key=lambda b: str(b["name"])):
            key = ensure_api_key(
                gw,
                {
                    "name": f"{body['name']} (demo)",
                    "role": "certification_body",
                    "organization_id": body["id"],
                },
            )
            as_body = {"X-API-Key": key}
            # Drawn up front, so the random sequence is the same whatever a re-run skips.
            people = [
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "id_number": id_number(rng),
                    "phone": f"139{rng.randint(10**7, 10**8 - 1)}",
                    "organization_kind": "agency",
                }
                for _ in range(4)
            ]
            scores = [rng.randint(75, 98) for _ in people]
            registered = items(
                gw, "/api/v1/people", params={"organization_id": body["id"]}, headers=as_body
            )
            for i, (person_in, score) in enumerate(zip(people, scores, strict=True)):
                person = (
                    registered[i]
                    if i < len(registered)
                    else create(
                        gw, "/api/v1/people", f"person:{body['id']}:{i}", person_in, headers=as_body
                    )
                )
                held = items(gw, "/api/v1/qualifications", params={"person_id": person["id"]})
                auditor = next((q for q in held if q["kind"] == "auditor"), None)
                if auditor is None:
                    enrolled = items(
                        gw,
                        "/api/v1/enrollments",
                        params={"person_id": person["id"], "session_id": course},
                        headers=as_body,
                    )
                    enrollment = (
                        enrolled[0]
                        if enrolled
                        else create(
                            gw,
                            f"/api/v1/sessions/{course}/enrollments",
                            f"enrollment:{course}:{person['id']}",
                            {"person_id": person["id"]},
                            headers=as_body,
                        )
                    )
                    for m in PROGRAMMES["certification-auditors"].modules:
                        call(  # sets the module's hours: the same call twice is harmless
                            gw,
                            "POST",
                            f"/api/v1/enrollments/{enrollment['id']}/attendance",
                            json={"module_no": m.no, "hours": float(m.hours)},
                        )
                    call(  # 统一组织考核 on the course's last day: the qualification is dated so
                        gw,
                        "POST",
                        f"/api/v1/enrollments/{enrollment['id']}/exam",
                        json={"score": score, "taken_on": AUDITOR_EXAM_ON},
                    )
                    held = items(gw, "/api/v1/qualifications", params={"person_id": person["id"]})
                    auditor = next((q for q in held if q["kind"] == "auditor"), None)
                    if auditor is None:
                        raise SystemExit(f"no auditor qualification after the exam: {person['id']}")
                auditors += 1
                if i < LEADS_PER_BODY and not any(q["kind"] == "lead_auditor" for q in held):
                    leads += attest_lead(gw, management, auditor)
                elif i < LEADS_PER_BODY:
                    leads += 1
                staff.append((person["id"], COMPETENCES[i % len(COMPETENCES)], as_body))
        # 专业能力, set by each body once the audit service knows its auditors (it learns them
        # from `qualification-granted`, asynchronously): a PUT of the same set is harmless.
        for person_id, industries, as_body in staff:
            set_competences(gw, person_id, industries, as_body)
        print(
            f"  demo: {len(SESSIONS)} training sessions, {auditors} auditors "
            f"({leads} 审核组长) in {len(bodies)} bodies"
        )
        programme_work(gw)
        applications(gw)


def attest_lead(gw: httpx.Client, management: dict[str, str], auditor: dict[str, Any]) -> int:
    """审核组长 attested by the management organization on LEAD_ATTESTED_ON, after the October
    course and before the first audits: 1 if attested, 0 if this auditor cannot be (an
    older ./var whose auditors were qualified on the day `make run` first ran — `make reset`)."""
    if auditor["granted_on"] > LEAD_ATTESTED_ON:
        print(
            f"  demo: {auditor['number']} granted {auditor['granted_on']}: no 2014 审核组长 (make reset)"
        )
        return 0
    create(
        gw,
        f"/api/v1/qualifications/{auditor['number']}/lead-auditor",
        f"lead:{auditor['number']}",
        {
            "audits_as_member": 3,
            "evidence": LEAD_EVIDENCE,
            "attested_on": LEAD_ATTESTED_ON,
        },
        headers=management,
    )
    return 1


def set_competences(
    gw: httpx.Client, person_id: str, industries: list[str], as_body: dict[str, str]
) -> None:
    """PUT the auditor's 专业能力, waiting (up to a minute) for the audit service to have
    learnt the auditor from the training service's events."""
    deadline = time.monotonic() + 60
    while True:
        r = gw.put(
            f"/api/v1/auditors/{person_id}/competences",
            json={"industries": industries},
            headers=as_body,
        )
        if r.status_code < 400:
            return
        if r.status_code != 404 or time.monotonic() > deadline:
            raise SystemExit(f"competences of {person_id}: {r.status_code} {r.text[:300]}")
        time.sleep(1)


NOTICE_TITLE = "关于开展2014年两化融合管理体系贯标试点工作的通知"


def programme_work(gw: httpx.Client) -> None:
    """The ministry's programme work of 2014 (idempotent): the seed's tasks and meetings
    (`/programme-tasks/seed` creates nothing the second time) and one notice to every province,
    created only when missing. No fund budget: the seed names no amount, and the demo invents
    none."""
    ministry = {
        "X-API-Key": ensure_api_key(gw, {"name": "工业和信息化部 (demo)", "role": "ministry"})
    }
    seeded = call(
        gw, "POST", "/api/v1/programme-tasks/seed", params={"year": 2014}, headers=ministry
    )
    if not any(n["title"] == NOTICE_TITLE for n in items(gw, "/api/v1/notices", headers=ministry)):
        create(
            gw,
            "/api/v1/notices",
            "notice:deployment",
            {
                "title": NOTICE_TITLE,
                "body": "请各地工业和信息化主管部门按照工作计划组织开展本地区贯标试点工作，"
                "并定期汇总贯标进展情况报送工业和信息化部。",
                "issued_on": "2014-05-20",
                "audience_roles": ["province"],
            },
            headers=ministry,
        )
    print(f"  demo: programme work seeded ({seeded})")


# 认定申请 of the first 认定试点 (会议材料之一: 11–12月 2014 认定试点): pilots of the 2014
# batch whose systems have run since the summer's 贯标 (the enterprise courses of June and
# September 2014), with an internal audit and a management review done — the audit service's
# readiness rules (≥ 3 months running, 内部审核, 管理评审). Made to the certification body the
# `certbody` demo login represents, so its workspace has applications waiting for audit planning.
APPLICATIONS = 3
SYSTEM_RUNNING_SINCE = "2014-07-01"
# Industries (GB/T 4754 门类) the demo's auditors cover (COMPETENCES): a team can be formed.
COVERED = {c for industries in COMPETENCES for c in industries}


def applications(gw: httpx.Client) -> None:
    """APPLICATIONS 认定申请 to the demo's certification body by 江苏 pilots of the 2014 batch
    (the first of them is the `enterprise` demo login's), each made with the enterprise's own
    key and only if the enterprise has none yet (check-then-create, plus an Idempotency-Key);
    waits for the audit service to have learnt the enterprise from
    `enterprise-registered`."""
    body = call(gw, "GET", "/api/v1/agencies", params={"kind": "certification_body", "limit": 1})[
        "items"
    ][0]
    as_body = {
        "X-API-Key": ensure_api_key(
            gw,
            {
                "name": f"{body['name']} (demo)",
                "role": "certification_body",
                "organization_id": body["id"],
            },
        )
    }
    batch = next(b for b in items(gw, "/api/v1/batches") if b["year"] == 2014)
    pilots = [
        p
        for p in items(
            gw, "/api/v1/pilots", params={"batch_id": batch["id"], "province_code": "320000"}
        )
        if p["industry_code"][:1] in COVERED
    ][:APPLICATIONS]
    applied = 0
    for pilot in pilots:
        enterprise = call(gw, "GET", f"/api/v1/enterprises/{pilot['enterprise_id']}")
        existing = items(
            gw,
            "/api/v1/applications",
            params={"enterprise_id": enterprise["id"], "certification_body_id": body["id"]},
            headers=as_body,
        )
        if not existing:
            as_enterprise = {
                "X-API-Key": ensure_api_key(
                    gw,
                    {
                        "name": f"{enterprise['name']} (demo)",
                        "role": "enterprise",
                        "organization_id": enterprise["id"],
                    },
                )
            }
            apply(gw, enterprise, body["id"], as_enterprise)
        applied += 1
    print(f"  demo: {applied} 认定申请 to {body['name']}")


def apply(
    gw: httpx.Client, enterprise: dict[str, Any], body_id: str, as_enterprise: dict[str, str]
) -> None:
    """One 认定申请, retried (up to two minutes: the audit service consumes the demo's
    1,448 `enterprise-registered` events first) while it does not know the enterprise or the
    certification body's authorization (认定管理组织授权) yet."""
    deadline = time.monotonic() + 120
    payload = {
        "enterprise_id": enterprise["id"],
        "certification_body_id": body_id,
        "scope": f"{enterprise['name']}的研发、生产、经营管理活动中的两化融合管理",
        "site": enterprise.get("address") or f"{enterprise['province_name']}{enterprise['name']}",
        "system_running_since": SYSTEM_RUNNING_SINCE,
        "internal_audit_done": True,
        "management_review_done": True,
    }
    while True:
        r = gw.post(
            "/api/v1/applications",
            json=payload,
            headers={
                **as_enterprise,
                "Idempotency-Key": f"demo-2014:application:{enterprise['id']}",
            },
        )
        if r.status_code < 400:
            return
        # Both are the audit service not having consumed the registry's events yet.
        waiting = "enterprise-unknown" in r.text or "body-not-authorized" in r.text
        if not waiting or time.monotonic() > deadline:
            raise SystemExit(f"application of {enterprise['id']}: {r.status_code} {r.text[:300]}")
        time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
