"""The web console served by the gateway (DESIGN.md §5): files of the built app, index.html
for client-side routes, long cache for hashed assets, a strict CSP, and API paths that never
fall back to the console."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gateway_platform import Platform

from gateway.main import create_app
from gateway.settings import GatewaySettings

INDEX = "<!doctype html><html lang=zh-CN><body><div id=app></div></body></html>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "assets" / "index-AbC123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("outside", encoding="utf-8")
    return tmp_path


def _client(console_dir: str) -> httpx.AsyncClient:
    app = create_app(GatewaySettings(console_dir=console_dir))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_index_and_history_fallback(dist: Path) -> None:
    async with _client(str(dist)) as c:
        for path in ("/", "/login", "/province/enterprises", "/verify/certificate/ABC-123"):
            r = await c.get(path)
            assert r.status_code == 200, path
            assert r.text == INDEX
            assert r.headers["content-type"].startswith("text/html")
            assert r.headers["cache-control"] == "no-cache"
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "script-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp and "http" not in csp
            assert r.headers["x-content-type-options"] == "nosniff"
        head = await c.head("/province")
        assert head.status_code == 200


async def test_hashed_assets_are_cached_for_a_year(dist: Path) -> None:
    async with _client(str(dist)) as c:
        r = await c.get("/assets/index-AbC123.js")
        assert r.status_code == 200 and r.text == "console.log(1)"
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        icon = await c.get("/favicon.svg")
        assert icon.status_code == 200 and icon.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/index-Missing.js",
        "/robots.txt",
        "/api/v2/enterprises",
        "/api/nothing",
        "/docs/anything",
        "/openapi.json/x",
        "/healthz/x",
        "/metrics/x",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
    ],
)
async def test_api_paths_and_missing_files_are_problems_not_the_app(dist: Path, path: str) -> None:
    async with _client(str(dist)) as c:
        r = await c.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "outside" not in r.text


async def test_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    async with _client(str(tmp_path / "nothing")) as c:
        r = await c.get("/")
        assert r.status_code == 404
        assert "web/" in r.json()["detail"]
        assert (await c.get("/healthz")).status_code == 200


async def test_public_figures_need_no_login(platform: Platform, gw: httpx.AsyncClient) -> None:
    r = await gw.get("/api/v1/public/figures")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"batches", "people_trained", "people_qualified"}
    for batch in body["batches"]:
        assert set(batch) == {
            "year",
            "name",
            "recommended",
            "pilots",
            "pilot_quota",
            "certified",
            "certification_target",
        }
    spec = (await gw.get("/openapi.json")).json()
    assert "security" not in spec["paths"]["/api/v1/public/figures"]["get"]
