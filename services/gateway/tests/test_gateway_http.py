"""HTTP behaviour a third-party client relies on at the gateway (issue 13): a service's own
answer passes through unchanged (status, problem body, every header it sends); the gateway
speaks for itself only when it cannot reach a service; its own routes limit body sizes,
refuse wrong media types and answer 405/OPTIONS with a true `Allow`, like every service;
401 carries a challenge."""

from __future__ import annotations

import random
import uuid

import httpx
from gateway_platform import Platform

from gateway.main import EXPOSED_HEADERS
from registry.domain.uscc import make_uscc

PROBLEM = "application/problem+json"


async def _key(gw: httpx.AsyncClient, admin: dict[str, str], **body: object) -> dict[str, str]:
    r = await gw.post("/api/v1/api-keys", json={"name": "http", **body}, headers=admin)
    assert r.status_code == 201, r.text
    return {"X-API-Key": str(r.json()["api_key"])}


def _uscc(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return make_uscc("913201" + "02" + "".join(rng.choice(alphabet) for _ in range(9)))


async def test_a_services_refusal_in_a_composed_view_reaches_the_client_unchanged(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    # The export reads the registry with province_code=000000, which the registry refuses:
    # the client sees the registry's own status and problem, not a 503 from the gateway.
    direct_registry = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=platform.services["registry"]), base_url="http://r"
    )
    r = await gw.get("/api/v1/reports/progress/000000", headers=admin)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == r.status_code
    assert "answered" not in body.get("detail", "")
    assert body.get("instance", "").startswith("/api/v1/enterprises")  # the registry's words
    await direct_registry.aclose()


async def test_every_header_a_service_sends_reaches_the_client(
    gw: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    ministry = await _key(gw, admin, role="ministry")
    enterprise = {
        "uscc": _uscc(random.Random(uuid.uuid4().int)),
        "name": "幂等重放测试有限公司",
        "province_code": "320000",
        "industry_code": "C34",
        "size": "small",
    }
    headers = {**ministry, "Idempotency-Key": f"gw-{uuid.uuid4()}"}
    first = await gw.post("/api/v1/enterprises", json=enterprise, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await gw.post("/api/v1/enterprises", json=enterprise, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.json() == first.json()
    got = await gw.get(first.headers["location"], headers=ministry)
    assert got.headers["etag"]
    # One request id (the gateway's own), one length, no hop-by-hop header from the service.
    assert len(got.headers.get_list("x-request-id")) == 1
    assert len(got.headers.get_list("content-length")) == 1
    assert "transfer-encoding" not in got.headers
    # CORS lets a browser script read what the platform sends.
    r = await gw.get(
        first.headers["location"], headers={**ministry, "Origin": "https://iims.example.cn"}
    )
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "idempotent-replayed", "retry-after", "content-disposition"} <= (
        exposed
    )


async def test_every_documented_response_header_is_exposed_to_browsers(
    gw: httpx.AsyncClient,
) -> None:
    spec = (await gw.get("/openapi.json")).json()
    documented = {
        name.lower()
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for response in op.get("responses", {}).values()
        for name in response.get("headers", {})
    }
    assert documented <= {h.lower() for h in EXPOSED_HEADERS} | {"content-type"}


async def test_401_carries_a_challenge(gw: httpx.AsyncClient) -> None:
    for path in ("/api/v1/enterprises", "/api/v1/me", "/api/v1/webhooks"):
        r = await gw.get(path)
        assert r.status_code == 401
        challenge = r.headers["www-authenticate"]
        assert challenge.startswith("Bearer ") and "X-API-Key" in challenge
