"""API docs from the platform itself (issue 13): `/docs` (Swagger UI) and `/redoc` of the
gateway, loaded in headless Chromium that cannot resolve any host but 127.0.0.1 — as on a
government intranet — list every operation of the merged document; no page the gateway or a
service serves for its docs names another host."""

from __future__ import annotations

import asyncio
import re
import shutil

import httpx
from gateway_platform import Platform

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Every name resolves to nothing but the loopback address the gateway listens on.
OFFLINE = "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
METHODS = ("get", "put", "post", "delete", "patch")
EXTERNAL = re.compile(r"(?:https?:)?//(?!127\.0\.0\.1|localhost)[A-Za-z0-9.-]+", re.I)


async def _dom(url: str) -> str:
    """The page's DOM after its scripts ran, from headless Chromium with the outside
    network unreachable."""
    assert CHROMIUM, "Debian's chromium is needed (.ci/run installs it: apt-get install chromium)"
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        f"--host-resolver-rules={OFFLINE}",
        "--virtual-time-budget=60000",
        "--dump-dom",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 180)
    assert proc.returncode == 0, err.decode()[-2000:]
    return out.decode()


async def test_docs_list_every_operation_with_the_outside_network_blocked(served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as c:
        spec = (await c.get("/openapi.json")).json()
    operation_ids = {
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in METHODS
    }
    assert len(operation_ids) > 100
    swagger = await _dom(f"{served}/docs")
    shown = set(re.findall(r'opblock-summary-operation-id">([^<]+)<', swagger))
    assert shown == operation_ids, sorted(operation_ids ^ shown)[:20]
    redoc = await _dom(f"{served}/redoc")
    linked = set(re.findall(r'id="operation/([^"]+)"', redoc))
    assert linked == operation_ids, sorted(operation_ids ^ linked)[:20]


async def test_no_docs_page_names_another_host(platform: Platform) -> None:
    apps = {"gateway": platform.gateway, **platform.services}
    for name, app in apps.items():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
        ) as c:
            for page in ("/docs", "/redoc", "/docs/oauth2-redirect"):
                r = await c.get(page)
                assert r.status_code == 200, (name, page)
                assert not EXTERNAL.findall(r.text), (name, page, EXTERNAL.findall(r.text))
                for asset in re.findall(r'(?:src|href)="([^"]+)"', r.text):
                    got = await c.get(asset)
                    assert got.status_code == 200 and got.content, (name, page, asset)
