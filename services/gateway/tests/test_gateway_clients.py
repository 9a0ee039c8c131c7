"""Clients generated from the merged OpenAPI document by tools nobody on the project wrote
(issue 13): openapi-python-client and openapi-typescript generate complete clients without
a warning, the Python one has an ASCII package, and a small program written with it lists
and reads enterprises against the running platform; the merged document itself has unique
operationIds, unique component titles and probes without credentials."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import sys
import uuid
from pathlib import Path

import httpx
from test_gateway_http import _key, _uscc

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = ROOT / "services" / "gateway" / "clients"
BIN = Path(sys.executable).parent
OPENAPI_TYPESCRIPT = ROOT / "web" / "node_modules" / ".bin" / "openapi-typescript"
METHODS = ("get", "put", "post", "delete", "patch")


async def _run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *map(str, cmd),
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    return proc.returncode or 0, out.decode()


async def test_merged_document_is_unambiguous_for_generators(gw: httpx.AsyncClient) -> None:
    spec = (await gw.get("/openapi.json")).json()
    ids = collections.Counter(
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in METHODS
    )
    assert not [i for i, n in ids.items() if n > 1]
    assert all(i[:1].islower() and i.isascii() and "_" not in i for i in ids), ids
    schemas = spec["components"]["schemas"]
    titles = collections.Counter(s.get("title") for s in schemas.values())
    assert not [t for t, n in titles.items() if n > 1]
    assert "AuditQualificationOut" in schemas or "QualificationOut" in schemas
    for probe in ("/healthz", "/readyz"):
        assert "security" not in spec["paths"][probe]["get"], probe
    assert all(t["name"].isascii() for t in spec["tags"])


async def test_generated_clients_work_against_the_running_platform(
    gw: httpx.AsyncClient, admin: dict[str, str], served: str, tmp_path: Path
) -> None:
    spec_path = tmp_path / "openapi.json"
    spec_path.write_text(json.dumps((await gw.get("/openapi.json")).json(), ensure_ascii=False))

    # openapi-python-client: every operation, no warning, ASCII package and modules.
    code, out = await _run(
        BIN / "openapi-python-client",
        "generate",
        "--path",
        spec_path,
        "--config",
        CLIENTS / "openapi-python-client.yaml",
        "--output-path",
        tmp_path / "python",
        "--meta",
        "setup",
        cwd=tmp_path,
        env={"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},  # it formats with ruff
    )
    assert code == 0, out
    assert out.strip().splitlines() == [f"Generating {tmp_path / 'python'}"], out
    package = tmp_path / "python" / "iims_platform_client"
    assert all(str(p.relative_to(tmp_path)).isascii() for p in package.rglob("*"))
    generated = {p.stem for p in (package / "api").rglob("*.py")} - {"__init__"}
    spec = json.loads(spec_path.read_text())
    operations = [op for item in spec["paths"].values() for m, op in item.items() if m in METHODS]
    assert len(generated) == len(operations)

    # A program an integrator would write with it, against the platform on a socket.
    ministry = await _key(gw, admin, role="ministry")
    rng = random.Random(uuid.uuid4().int)
    province = "330000"
    names = []
    for i in range(3):
        name = f"生成客户端测试{uuid.uuid4().hex[:6]}有限公司{i}"
        r = await gw.post(
            "/api/v1/enterprises",
            json={
                "uscc": _uscc(rng),
                "name": name,
                "province_code": province,
                "industry_code": "C34",
                "size": "small",
            },
            headers=ministry,
        )
        assert r.status_code == 201, r.text
        names.append(name)
    code, out = await _run(
        sys.executable,
        CLIENTS / "list_enterprises.py",
        province,
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(tmp_path / "python"),
            "IIMS_URL": served,
            "IIMS_API_KEY": ministry["X-API-Key"],
        },
    )
    assert code == 0, out
    for name in names:
        assert name in out, out

    # openapi-typescript (the web console's generator): no warning, every operation typed.
    assert OPENAPI_TYPESCRIPT.exists(), "make test installs it (make web-install)"
    code, out = await _run(
        OPENAPI_TYPESCRIPT, spec_path, "-o", tmp_path / "schema.d.ts", cwd=tmp_path
    )
    assert code == 0, out
    assert "warn" not in out.lower() and "⚠" not in out, out
    typed = (tmp_path / "schema.d.ts").read_text()
    assert all(f"    {op['operationId']}: {{" in typed for op in operations)
