"""HTTP behaviour a third-party client relies on at the gateway (issue 13): a service's own
answer passes through unchanged (status, problem body, every header it sends); the gateway
speaks for itself only when it cannot reach a service; its own routes limit body sizes,
refuse wrong media types and answer 405/OPTIONS with a true `Allow`, like every service;
401 carries a challenge."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from gateway_platform import Platform

from gateway.main import EXPOSED_HEADERS
from gateway.service import reports
from gateway.service.upstream import UpstreamAnswer, relay
from iims_common.identity import Caller, Role
from iims_common.settings import IMPORT_PATH
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
    # A composed view's read that the registry refuses (here a province the registry does not
    # know; the routes check provinces themselves first, so the read is made directly): the
    # client sees the registry's own status and problem, not a 503 from the gateway.
    caller = Caller(subject="composed-view-test", role=Role.ministry)
    with pytest.raises(UpstreamAnswer) as refused:
        await reports.progress_workbook(platform.gateway.state.upstreams, caller, "990000")
    r = relay(refused.value.response)
    assert 400 <= r.status_code < 500, (r.status_code, r.body)
    assert r.headers["content-type"] == PROBLEM
    body = json.loads(bytes(r.body))
    assert body["status"] == r.status_code
    assert "answered" not in body.get("detail", "")
    assert body.get("instance", "").startswith("/api/v1/enterprises")  # the registry's words
    # And through the gateway: an enterprise nobody can see is a 404 problem in Chinese.
    r2 = await gw.get(f"/api/v1/enterprise-overviews/{uuid.uuid4()}", headers=admin)
    assert r2.status_code == 404 and r2.headers["content-type"] == PROBLEM


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


SIXTY_MIB = 60 * 1024 * 1024


def _allow(r: httpx.Response) -> set[str]:
    return {m.strip() for m in r.headers["allow"].split(",")}


async def test_bodies_over_the_limit_are_refused_before_they_are_read(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    limit = platform.settings.max_body_bytes
    huge = b"{" + b" " * SIXTY_MIB + b"}"
    # The gateway's own routes (public and authenticated) and a forwarded path alike.
    for path, headers in (
        ("/api/v1/auth/login", {}),
        ("/api/v1/webhooks", admin),
        ("/api/v1/enterprises", admin),
    ):
        r = await gw.post(
            path, content=huge, headers={**headers, "Content-Type": "application/json"}
        )
        assert r.status_code == 413, (path, r.status_code, r.text[:200])
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["max_body_bytes"] == limit

    # Without Content-Length (chunked): refused once the count passes the limit.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(limit // (1024 * 1024) + 2):
            yield b" " * (1024 * 1024)

    r = await gw.post(
        "/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    # A bulk import may be larger (IMPORT_MAX_BYTES): the gateway forwards it, the registry
    # reads it and judges the file (here: no header row it knows, 422), not its size.
    between = b"x" * (limit + 1024 * 1024)
    r = await gw.post(
        "/api/v1/enterprises/import",
        content=between,
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 422, (r.status_code, r.text[:200])
    # Every service has the same limit, from the same settings.
    for name, app in platform.services.items():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
        ) as c:
            r = await c.post(
                "/api/v1/anything", content=huge, headers={"Content-Type": "application/json"}
            )
            assert r.status_code in (404, 405, 413), name  # no route reads it: never parsed
            r = await c.post(
                next(iter(_posts(app))), content=huge, headers={"Content-Type": "application/json"}
            )
            assert r.status_code == 413 and r.headers["content-type"] == PROBLEM, name


def _posts(app: FastAPI) -> list[str]:
    """Paths of the app's POST operations without path parameters (bulk imports left out:
    their limit is IMPORT_MAX_BYTES)."""
    return [
        p
        for p, item in app.openapi()["paths"].items()
        if "post" in item
        and "{" not in p
        and p.startswith("/api/v1/")
        and not IMPORT_PATH.fullmatch(p)
    ]


async def test_a_body_that_is_not_json_is_415(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    login = b'{"username": "admin", "password": "x"}'
    for path, headers in (
        ("/api/v1/auth/login", {}),
        ("/api/v1/webhooks", admin),
        ("/api/v1/enterprises", admin),  # forwarded: the registry's own 415
    ):
        for ctype in ("text/plain", "application/x-www-form-urlencoded", None):
            sent = {**headers, **({"Content-Type": ctype} if ctype else {})}
            r = await gw.post(path, content=login, headers=sent)
            assert r.status_code == 415, (path, ctype, r.status_code, r.text)
            assert r.headers["content-type"] == PROBLEM
            assert r.json()["errors"][0]["field"] == "Content-Type"
    # JSON with parameters or a +json suffix is JSON.
    r = await gw.post(
        "/api/v1/auth/login",
        content=login,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 401
    # A missing body is a missing body (422), not a media type question.
    assert (await gw.post("/api/v1/auth/login")).status_code == 422


async def test_405_and_options_name_the_methods_a_path_has(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    # The gateway's own paths: a method they lack is 405 (not 404) with a true Allow.
    r = await gw.put("/api/v1/webhooks", json={}, headers=admin)
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM
    assert _allow(r) == {"GET", "POST", "OPTIONS"}
    r = await gw.delete("/api/v1/auth/login")
    assert r.status_code == 405 and _allow(r) == {"POST", "OPTIONS"}
    r = await gw.options("/api/v1/webhooks")
    assert r.status_code == 204 and _allow(r) == {"GET", "POST", "OPTIONS"}
    r = await gw.post("/openapi.json")
    assert r.status_code == 405 and "GET" in _allow(r)
    # Forwarded paths: the owning service's methods, OPTIONS without credentials.
    r = await gw.options("/api/v1/enterprises")
    assert r.status_code == 204 and _allow(r) == {"GET", "POST", "OPTIONS"}, r.headers
    r = await gw.put("/api/v1/enterprises", json={}, headers=admin)
    assert r.status_code == 405 and _allow(r) == {"GET", "POST", "OPTIONS"}
    r = await gw.options("/api/v1/public/certificates/X")
    assert r.status_code == 204 and _allow(r) == {"GET", "OPTIONS"}
    # Nothing there: 404 whatever the method.
    assert (await gw.options("/api/v1/no-such-collection")).status_code == 404
    assert (await gw.put("/api/v1/no-such-collection", headers=admin)).status_code == 404
    # Every service answers OPTIONS and 405 by the same mechanism.
    for name, app in platform.services.items():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
        ) as c:
            path = _posts(app)[0]
            documented = {m.upper() for m in app.openapi()["paths"][path]}
            r = await c.options(path)
            assert r.status_code == 204 and _allow(r) == documented | {"OPTIONS"}, name
            r = await c.put(path, json={})
            assert r.status_code == 405 and _allow(r) == documented | {"OPTIONS"}, name


async def test_cors_preflight_still_answers_before_routing(gw: httpx.AsyncClient) -> None:
    r = await gw.options(
        "/api/v1/webhooks",
        headers={
            "Origin": "https://iims.example.cn",
            "Access-Control-Request-Method": "PUT",
        },
    )
    assert r.status_code == 200 and r.headers["access-control-allow-origin"]
