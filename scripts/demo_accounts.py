"""One demo login per role for `make run` (idempotent: an existing account is left as it is).

The accounts are created through the gateway's API with the administrator's key, scoped as
a real one would be: the province to 江苏省 (recommending as the registry's 江苏 provincial
authority unit), the enterprise to one of its pilots, the
agencies to a consultancy and a certification body of the demo. Separately-planned cities
(大连, 青岛, 宁波, 厦门, 深圳) are recommending units in the registry but not account scopes in
the gateway (an account's `province_code` is province-level, GB/T 2260), so a city account
would see its whole province: none is created for them.

Usage: python scripts/demo_accounts.py <gateway url> <admin API key>
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import httpx

DEMO_PASSWORD = "iims-demo-2014"  # development only: `make run` prints it
DEMO_PROVINCE = "320000"  # 江苏省


@dataclass(frozen=True)
class DemoLogin:
    label: str
    username: str
    password: str


def _first(client: httpx.Client, path: str, **params: Any) -> dict[str, Any] | None:
    r = client.get(path, params={"limit": 1, **params})
    r.raise_for_status()
    items: list[dict[str, Any]] = r.json()["items"]
    return items[0] if items else None


def _ensure(client: httpx.Client, body: dict[str, Any]) -> None:
    r = client.post("/api/v1/accounts", json={**body, "password": DEMO_PASSWORD})
    if r.status_code == 409:  # already there from an earlier run
        return
    if r.status_code >= 400:
        raise SystemExit(
            f"creating demo account {body['username']}: {r.status_code} {r.text[:300]}"
        )


def ensure_demo_accounts(gateway: str, admin_key: str) -> list[DemoLogin]:
    """Create (or keep) one account per role; returns the logins to print."""
    logins: list[DemoLogin] = []
    with httpx.Client(base_url=gateway, headers={"X-API-Key": admin_key}, timeout=30) as c:
        units = c.get(
            "/api/v1/recommending-units", params={"kind": "provincial_authority", "limit": 500}
        )
        units.raise_for_status()
        # The province recommends as its own 地方工信主管部门 (the registry's recommending unit).
        own_unit = next(
            (u["id"] for u in units.json()["items"] if u.get("region_code") == DEMO_PROVINCE), None
        )
        plans: list[tuple[str, dict[str, Any]]] = [
            (
                "工业和信息化部",
                {"username": "ministry", "display_name": "信息化推进司", "role": "ministry"},
            ),
            (
                "地方工信主管部门（江苏省）",
                {
                    "username": "jiangsu",
                    "display_name": "江苏省工业和信息化主管部门",
                    "role": "province",
                    "province_code": DEMO_PROVINCE,
                    "organization_id": own_unit,
                },
            ),
            (
                "认定管理组织",
                {"username": "certorg", "display_name": "认定管理组织", "role": "management_org"},
            ),
            (
                "平台管理员",
                {
                    "username": "platform-admin",
                    "display_name": "平台管理员",
                    "role": "ministry",
                    "is_admin": True,
                },
            ),
        ]
        pilot = _first(c, "/api/v1/pilots", province_code=DEMO_PROVINCE)
        if pilot:
            plans.append(
                (
                    "试点企业",
                    {
                        "username": "enterprise",
                        "display_name": "试点企业",
                        "role": "enterprise",
                        "organization_id": pilot["enterprise_id"],
                    },
                )
            )
        for kind, label, username in (
            ("consultancy", "贯标服务机构", "consultancy"),
            ("certification_body", "认定服务机构", "certbody"),
        ):
            agency = _first(c, "/api/v1/agencies", kind=kind)
            if agency:
                plans.append(
                    (
                        label,
                        {
                            "username": username,
                            "display_name": agency["name"],
                            "role": kind,
                            "organization_id": agency["id"],
                        },
                    )
                )
        for label, body in plans:
            _ensure(c, body)
            logins.append(DemoLogin(label, body["username"], DEMO_PASSWORD))
    return logins


if __name__ == "__main__":
    for login in ensure_demo_accounts(sys.argv[1], sys.argv[2]):
        print(f"{login.label:<16} {login.username} / {login.password}")
