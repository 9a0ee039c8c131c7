"""The rest of the 2014 programme for `make run`, loaded through the gateway's public API (so
it takes the same path a client would): training sessions of the seed's plan, and the
certification bodies' auditors trained and qualified in October (认定专业人员培训) — which the
audit service then learns from `qualification-granted`.

Usage: python scripts/demo_platform.py <gateway url> <admin API key>
"""

from __future__ import annotations

import random
import sys
from typing import Any

import httpx

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


def main(base: str, admin_key: str) -> None:
    rng = random.Random(2014)
    with httpx.Client(base_url=base, headers={"X-API-Key": admin_key}, timeout=30) as gw:
        sessions: dict[str, Any] = {}
        for code, start, end, capacity in SESSIONS:
            run = call(
                gw,
                "POST",
                "/api/v1/sessions",
                json={
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
        auditors = 0
        for body in bodies:
            key = call(
                gw,
                "POST",
                "/api/v1/api-keys",
                json={
                    "name": f"{body['name']} (demo)",
                    "role": "certification_body",
                    "organization_id": body["id"],
                },
            )
            as_body = {"X-API-Key": key["api_key"]}
            for _ in range(4):
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                person = call(
                    gw,
                    "POST",
                    "/api/v1/people",
                    headers=as_body,
                    json={
                        "name": name,
                        "id_number": id_number(rng),
                        "phone": f"139{rng.randint(10**7, 10**8 - 1)}",
                        "organization_kind": "agency",
                    },
                )
                enrollment = call(
                    gw,
                    "POST",
                    f"/api/v1/sessions/{sessions['certification-auditors']['id']}/enrollments",
                    headers=as_body,
                    json={"person_id": person["id"]},
                )
                for m in PROGRAMMES["certification-auditors"].modules:
                    call(
                        gw,
                        "POST",
                        f"/api/v1/enrollments/{enrollment['id']}/attendance",
                        json={"module_no": m.no, "hours": float(m.hours)},
                    )
                call(
                    gw,
                    "POST",
                    f"/api/v1/enrollments/{enrollment['id']}/exam",
                    json={"score": rng.randint(75, 98)},
                )
                auditors += 1
            # No 审核组长 is attested here: that needs 3 audits as a team member (the
            # platform's rule), and the first audits (认定试点) come only in November–December
            # 2014 — the management organization attests leads after them.
        print(
            f"  demo: {len(SESSIONS)} training sessions, {auditors} auditors in {len(bodies)} bodies"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
