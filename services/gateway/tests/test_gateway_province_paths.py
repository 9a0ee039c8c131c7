"""Per-province paths (dashboard, progress report) know GB/T 2260's 31 provinces: any other
six digits — 000000, the read model's national sentinel, included — is a 404 in Chinese, not
the national figures, a province of zeros or the registry's 422 about a path the client
never called."""

from __future__ import annotations

import httpx
from test_gateway_programme_e2e import key

from iims_common.regions import PROVINCES


async def test_unknown_provinces_are_404(gw: httpx.AsyncClient, admin: dict[str, str]) -> None:
    ministry = await key(gw, admin, role="ministry")
    assert len(PROVINCES) == 31
    for code in ("000000", "990000", "110100", "12"):
        for path in (f"/api/v1/dashboards/provinces/{code}", f"/api/v1/reports/progress/{code}"):
            problem = await ministry.call("GET", path, 404)
            assert problem["detail"].startswith(f"没有省份 {code}"), problem
            assert problem["instance"] == path
    board = await ministry.call("GET", "/api/v1/dashboards/provinces/330000")
    assert board["province_code"] == "330000"
