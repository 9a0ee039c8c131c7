"""The gateway's request metrics name the service's route template of a forwarded call (the
service tells it in `X-IIMS-Route`, which never reaches the client), so per-endpoint latency
is visible at the edge instead of one `/api/v1/{path:path}` series."""

from __future__ import annotations

from typing import Any

import httpx
from gateway_platform import Platform
from prometheus_client import REGISTRY

from iims_common.observability import ROUTE_TEMPLATE


async def test_forwarded_calls_are_metered_per_service_route(
    platform: Platform, admin: dict[str, str]
) -> None:
    seen: list[Any] = []

    async def capture(scope: Any, receive: Any, send: Any) -> None:
        await platform.gateway(scope, receive, send)
        seen.append(scope.get(ROUTE_TEMPLATE))

    transport = httpx.ASGITransport(app=capture)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
        listed = await c.get("/api/v1/enterprises?limit=1", headers=admin)
        assert listed.status_code == 200 and "x-iims-route" not in listed.headers
        missing = await c.get(
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000", headers=admin
        )
        assert missing.status_code == 404 and "x-iims-route" not in missing.headers
    assert seen == ["/api/v1/enterprises", "/api/v1/enterprises/{enterprise_id}"]
    labels = {"method": "GET", "route": "/api/v1/enterprises/{enterprise_id}", "status": "404"}
    assert (REGISTRY.get_sample_value("iims_http_requests_total", labels) or 0) >= 1
