"""Contract fuzzing with schemathesis against the gateway's merged OpenAPI document: every
operation, authorized as an administrator and as a province, finds no 5xx and no response
that breaks the schema (a bounded number of examples, so it fits in `make test`).

The gateway listens on a real port (uvicorn in this event loop, the services behind it
in-process); schemathesis runs as its own process, the way an integrator would run it."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx
import uvicorn
from gateway_platform import Platform

from iims_common.broker import free_port

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "3")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


async def _key(gw: httpx.AsyncClient, admin: dict[str, str], **body: object) -> str:
    r = await gw.post("/api/v1/api-keys", json={"name": "schemathesis", **body}, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["api_key"])


async def test_schemathesis_finds_no_server_errors(
    gw: httpx.AsyncClient, admin: dict[str, str], platform: Platform
) -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            platform.gateway, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    keys = {
        "admin": await _key(gw, admin, role="ministry", is_admin=True),
        "province": await _key(
            gw, admin, role="province", province_code="320000", organization_id=str(uuid.uuid4())
        ),
    }
    schemathesis = Path(sys.executable).with_name("schemathesis")
    failures = []
    try:
        for who, key in keys.items():
            proc = await asyncio.create_subprocess_exec(
                str(schemathesis),
                "run",
                f"http://127.0.0.1:{port}/openapi.json",
                "--checks",
                CHECKS,
                "--max-examples",
                EXAMPLES,
                "--phases",
                "examples,fuzzing",
                "--generation-deterministic",
                "--request-timeout",
                "30",
                "--suppress-health-check",
                "all",
                "-H",
                f"X-API-Key: {key}",
                "--exclude-path-regex",
                "^/api/v1/(api-keys/[^/]+$|auth/)",  # revoking the keys in use would end the run
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "NO_COLOR": "1"},
            )
            out, _ = await proc.communicate()
            Path(os.environ.get("SCHEMATHESIS_LOG_DIR", "/tmp")).joinpath(
                f"schemathesis-{who}.log"
            ).write_bytes(out)
            if proc.returncode != 0:
                failures.append(f"--- as {who} (exit {proc.returncode})\n{out.decode()[-6000:]}")
    finally:
        server.should_exit = True
        await task
    assert not failures, "\n".join(failures)
