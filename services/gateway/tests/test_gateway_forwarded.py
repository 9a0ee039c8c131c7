"""Forwarded headers are believed only from `TRUSTED_PROXIES` (issue 13): under `make run`
a client that sends a new X-Forwarded-For with every request still has one budget for
public certificate verification; behind a configured proxy the proxy's word counts."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import uvicorn
from gateway_platform import ADMIN_PASSWORD, Platform

from gateway.main import create_app
from iims_common.broker import free_port, wait_for_port
from iims_common.testing import SECRET, create_migrated_database

ROOT = Path(__file__).resolve().parents[3]


def _dev_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_run", ROOT / "scripts" / "dev_run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["dev_run"] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


async def _probe(base: str, n: int, path: str = "/api/v1/public/certificates/") -> list[int]:
    codes = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        for i in range(n):
            r = await c.get(
                f"{path}IIMS-NOPE-{i}", headers={"X-Forwarded-For": f"198.18.{i}.{i + 1}"}
            )
            codes.append(r.status_code)
    return codes


async def test_make_run_gateway_ignores_a_spoofed_forwarded_for(platform: Platform) -> None:
    """The gateway exactly as `make run` starts it (its command and its TRUSTED_PROXIES),
    in its own process, in front of the real audit service on a socket."""
    dev_run = _dev_run()
    audit_port, gateway_port = free_port(), free_port()
    audit = uvicorn.Server(
        uvicorn.Config(
            platform.services["audit"],
            host="127.0.0.1",
            port=audit_port,
            log_level="warning",
            lifespan="off",
        )
    )
    audit_task = asyncio.create_task(audit.serve())
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": create_migrated_database("iims_gw_forwarded_test", service="gateway"),
        "AUDIT_URL": f"http://127.0.0.1:{audit_port}",
        "INTERNAL_TOKEN_SECRET": SECRET,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "JWT_SECRET": "jwt-secret-for-the-gateway-tests-32+",
        "BACKGROUND_WORKERS": "false",
        "RATE_LIMIT_VERIFICATION": "3/minute",
        "LOG_JSON": "false",
    }
    env.pop("TRUSTED_PROXIES", None)
    env["TRUSTED_PROXIES"] = dev_run.trusted_proxies("gateway", env)
    assert env["TRUSTED_PROXIES"] == ""  # none under make run
    process = subprocess.Popen(
        dev_run.server_command("gateway", gateway_port),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        await asyncio.to_thread(wait_for_port, gateway_port, 60)
        codes = await _probe(f"http://127.0.0.1:{gateway_port}", 6)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.to_thread(process.communicate, None, 20)
        audit.should_exit = True
        await audit_task
    assert codes[:3] == [404, 404, 404], (codes, err.decode()[-2000:])
    assert codes[3:] == [429, 429, 429], codes


async def test_a_configured_proxy_is_believed_and_nobody_else(platform: Platform) -> None:
    transports = {n: httpx.ASGITransport(app=a) for n, a in platform.services.items()}
    settings = platform.settings.model_copy(
        update={"trusted_proxies": "10.1.0.0/16", "rate_limit_verification": "2/minute"}
    )
    app = create_app(settings, transports)
    async with app.router.lifespan_context(app):
        # From the ingress (trusted): each forwarded client has its own budget.
        ingress = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
        async with httpx.AsyncClient(transport=ingress, base_url="http://gw") as c:
            for i in range(4):
                r = await c.get(
                    f"/api/v1/public/certificates/IIMS-NOPE-{i}",
                    headers={"X-Forwarded-For": f"203.0.113.{i}"},
                )
                assert r.status_code == 404, r.text
        # From anywhere else: the header is ignored, the peer's one budget runs out.
        outsider = httpx.ASGITransport(app=app, client=("192.0.2.77", 5000))
        async with httpx.AsyncClient(transport=outsider, base_url="http://gw") as c:
            codes = [
                (
                    await c.get(
                        f"/api/v1/public/certificates/IIMS-NOPE-{i}",
                        headers={"X-Forwarded-For": f"203.0.113.{100 + i}"},
                    )
                ).status_code
                for i in range(3)
            ]
        assert codes == [404, 404, 429]
