"""The one public API: routing to the owning service, API keys (shown once, hashed, rotated
with overlap, revoked at once), accounts with argon2 and lockout, tokens, CORS, the merged
OpenAPI document, unreachable services, and services refusing calls around the gateway."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import suppress

import httpx
import sqlalchemy as sa
from gateway_platform import ADMIN_PASSWORD, Platform

from gateway.db.tables import Account, ApiKey
from gateway.domain.routing import ROUTES, route
from gateway.main import create_app
from iims_common.testing import SECRET
from iims_contracts import CONTRACTS, asyncapi, topics


async def _key(gw: httpx.AsyncClient, admin: dict[str, str], **body: object) -> dict[str, object]:
    r = await gw.post("/api/v1/api-keys", json={"name": "测试密钥", **body}, headers=admin)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_every_service_path_is_routed_to_its_owner(platform: Platform) -> None:
    seen = set()
    for name, app in platform.services.items():
        for path in app.openapi()["paths"]:
            if path.startswith("/api/v1/"):
                target = route(path.replace("{", "x").replace("}", ""))
                assert target is not None and target.service == name, path
                seen.add(target.key)
    assert seen == set(ROUTES)  # and nothing routed that no service has


async def test_api_key_lifecycle_and_routing(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    created = await _key(gw, admin, role="ministry")
    token = str(created["api_key"])
    assert token.startswith("iims_")
    async with platform.gateway.state.sessionmaker() as s:
        stored = (
            await s.scalars(sa.select(ApiKey).where(ApiKey.id == uuid.UUID(str(created["id"]))))
        ).one()
    assert token.split("_", 2)[2] not in (stored.secret_hash or "")  # only a hash is kept
    listed = (await gw.get("/api/v1/api-keys", headers=admin)).json()["items"]
    assert all("api_key" not in k for k in listed)

    me = await gw.get("/api/v1/me", headers={"X-API-Key": token})
    assert me.status_code == 200 and me.json()["role"] == "ministry"
    enterprise = {
        "uscc": "91350100M000100Y43",
        "name": "网关测试有限公司",
        "province_code": "350000",
        "industry_code": "C34",
        "size": "medium",
    }
    r = await gw.post(
        "/api/v1/enterprises",
        json=enterprise,
        headers={"X-API-Key": token, "X-Request-ID": "req-gw-1"},
    )
    assert r.status_code in (201, 409), r.text
    assert r.headers["x-request-id"] == "req-gw-1"
    if r.status_code == 201:
        assert r.headers["location"].startswith("/api/v1/enterprises/")
        got = await gw.get(r.headers["location"], headers={"X-API-Key": token})
        assert got.status_code == 200 and got.json()["name"] == "网关测试有限公司"
        assert got.headers["etag"]

    rotated = await gw.post(f"/api/v1/api-keys/{created['id']}/rotation", headers=admin)
    new_token = rotated.json()["api_key"]
    assert new_token != token
    for t in (token, new_token):  # both valid during the overlap
        assert (await gw.get("/api/v1/me", headers={"X-API-Key": t})).status_code == 200
    revoked = await gw.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    for t in (token, new_token):
        r = await gw.get("/api/v1/batches", headers={"X-API-Key": t})
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


async def test_unauthenticated_and_non_admin(gw: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for headers in ({}, {"X-API-Key": "iims_nope_nope"}, {"Authorization": "Bearer x.y.z"}):
        r = await gw.get("/api/v1/enterprises", headers=headers)
        assert r.status_code == 401, headers
    province = await _key(gw, admin, role="province", province_code="320000")
    headers = {"X-API-Key": str(province["api_key"])}
    r = await gw.post("/api/v1/api-keys", json={"name": "xx", "role": "ministry"}, headers=headers)
    assert r.status_code == 403
    r = await gw.post("/api/v1/api-keys", json={"name": "x", "role": "province"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"]
    r = await gw.get("/api/v1/no-such-collection", headers=headers)
    assert r.status_code == 404


async def test_accounts_login_lockout_refresh(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    username = f"js-{uuid.uuid4().hex[:6]}"
    password = "江苏省工信厅-password-1"
    r = await gw.post(
        "/api/v1/accounts",
        json={
            "username": username,
            "display_name": "江苏省工信厅",
            "password": password,
            "role": "province",
            "province_code": "320000",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    async with platform.gateway.state.sessionmaker() as s:
        account = (await s.scalars(sa.select(Account).where(Account.username == username))).one()
    assert account.password_hash.startswith("$argon2id$")
    login = await gw.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert login.status_code == 200
    tokens = login.json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = (await gw.get("/api/v1/me", headers=bearer)).json()
    assert me["role"] == "province" and me["province_code"] == "320000"

    refreshed = await gw.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    reused = await gw.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401  # each refresh token works once
    await gw.post("/api/v1/auth/logout", json={"refresh_token": refreshed.json()["refresh_token"]})
    after = await gw.post(
        "/api/v1/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]}
    )
    assert after.status_code == 401

    for _ in range(3):  # lockout_after_failures=3 in the tests
        bad = await gw.post("/api/v1/auth/login", json={"username": username, "password": "wrong"})
        assert bad.status_code == 401
    locked = await gw.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert locked.status_code == 401
    unknown = await gw.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert unknown.json()["detail"] == locked.json()["detail"]  # no hint which it was
    assert (
        await gw.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    ).status_code == 200


async def test_cors_for_the_configured_frontend_only(gw: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type",
    }
    ok = await gw.options(
        "/api/v1/enterprises", headers={"Origin": "https://iims.example.cn", **preflight}
    )
    assert ok.headers["access-control-allow-origin"] == "https://iims.example.cn"
    assert ok.headers["access-control-allow-credentials"] == "true"
    evil = await gw.options(
        "/api/v1/enterprises", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in evil.headers


async def test_merged_openapi_is_the_whole_platform(
    gw: httpx.AsyncClient, platform: Platform
) -> None:
    spec = (await gw.get("/openapi.json")).json()
    paths = spec["paths"]
    for app in platform.services.values():
        for path in app.openapi()["paths"]:
            if path.startswith("/api/v1/"):
                assert path in paths, path
    assert "/api/v1/auth/login" in paths and "/api/v1/api-keys" in paths
    assert set(spec["components"]["securitySchemes"]) == {"ApiKey", "Bearer"}
    assert "X-IIMS-Identity" not in str(paths)
    assert "两化融合" in spec["info"]["description"] and "认定证书" in spec["info"]["description"]
    assert paths["/api/v1/enterprises"]["get"]["security"]
    assert "security" not in paths["/api/v1/public/certificates/{number}"]["get"]
    assert (await gw.get("/docs")).status_code == 200


async def test_asyncapi_document_and_its_page_are_served_beside_openapi(
    gw: httpx.AsyncClient,
) -> None:
    r = await gw.get("/asyncapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc == json.loads(json.dumps(asyncapi.document(version=doc["info"]["version"])))
    assert doc["asyncapi"] == "3.0.0"
    assert set(topics()) <= set(doc["channels"])
    page = await gw.get("/asyncapi")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for contract in CONTRACTS:
        assert f'id="{contract.topic}"' in html and contract.label in html
    # Rendered here: nothing is loaded from elsewhere (no CDN, no script).
    assert "<script" not in html and "src=" not in html and "https://" not in html
    # Served beside the OpenAPI, not as one of its operations (prose may mention it).
    paths = (await gw.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/asyncapi")]


async def test_unreachable_and_slow_services_are_named(platform: Platform) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(Exception):
            await asyncio.sleep(30)  # accepts, never answers

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = platform.settings.model_copy(
        update={
            "registry_url": "http://127.0.0.1:9",  # nothing listens
            "audit_url": f"http://127.0.0.1:{port}",
            "upstream_timeout_s": 0.5,
        }
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
                login = await c.post(
                    "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
                )
                bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
                down = await c.get("/api/v1/enterprises", headers=bearer)
                assert down.status_code == 503 and down.json()["service"] == "registry"
                assert down.headers["content-type"] == "application/problem+json"
                slow = await c.get("/api/v1/applications", headers=bearer)
                assert slow.status_code == 504 and slow.json()["service"] == "audit"
    finally:
        server.close()


async def test_services_refuse_calls_around_the_gateway(platform: Platform) -> None:
    for name, app in platform.services.items():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as c:
            path = {
                "registry": "/api/v1/enterprises",
                "training": "/api/v1/people",
                "assessment": "/api/v1/assessments",
                "audit": "/api/v1/applications",
            }[name]
            assert (await c.get(path)).status_code == 401, name
            forged = {"X-IIMS-Identity": "eyJhbGciOiJIUzI1NiJ9.e30.forged"}
            assert (await c.get(path, headers=forged)).status_code == 401, name
    assert SECRET  # the services trust only tokens signed with the shared secret


async def test_rate_limits_per_key_and_per_address(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    settings = platform.settings.model_copy(
        update={"rate_limit_per_key": "3/minute", "rate_limit_verification": "2/minute"}
    )
    app = create_app(
        settings, {n: httpx.ASGITransport(app=a) for n, a in platform.services.items()}
    )
    key = (await _key(gw, admin, role="ministry"))["api_key"]
    other = (await _key(gw, admin, role="ministry"))["api_key"]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
            codes = [
                (await c.get("/api/v1/me", headers={"X-API-Key": str(key)})).status_code
                for _ in range(4)
            ]
            assert codes == [200, 200, 200, 429]
            limited = await c.get("/api/v1/me", headers={"X-API-Key": str(key)})
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.headers["content-type"] == "application/problem+json"
            # Another key has its own budget.
            assert (await c.get("/api/v1/me", headers={"X-API-Key": str(other)})).status_code == 200
            # Every method counts against the key and is refused alike before it reaches a
            # service: the OpenAPI declares 429 on every operation that needs credentials.
            for method, path in (
                ("PATCH", f"/api/v1/enterprises/{uuid.uuid4()}"),
                ("DELETE", f"/api/v1/auditors/{uuid.uuid4()}/unavailability/{uuid.uuid4()}"),
                ("PUT", f"/api/v1/audits/{uuid.uuid4()}/plan"),
                ("POST", "/api/v1/enterprises"),
            ):
                r = await c.request(method, path, headers={"X-API-Key": str(key)}, json={})
                assert r.status_code == 429, (method, path, r.text)
            # Public verification: per client address, and a forged X-Forwarded-For does not
            # buy a new budget at the gateway.
            codes = [
                (
                    await c.get(
                        "/api/v1/public/certificates/IIMS-RZ-2014-ABCDEFGHJK",
                        headers={"X-Forwarded-For": f"10.0.0.{i}"},
                    )
                ).status_code
                for i in range(3)
            ]
            assert codes == [404, 404, 429]
