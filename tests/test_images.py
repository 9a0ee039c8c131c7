"""Each image's install command installs what its service needs: the Dockerfile's two pip
commands run in a fresh virtual environment per service, then the app and its migrations
import (no Docker engine here; this is the part of the build that can break)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from iims_common.testing import ROOT

SERVICES = ("registry", "training", "assessment", "audit", "gateway")
# The installed gateway serves the console the Node stage built (`make test` builds web/dist
# with the same `vite build` before pytest runs) from CONSOLE_DIR, as the image sets it.


def console_check(venv: Path) -> str:
    return f"""cd /tmp && CONSOLE_DIR={ROOT / "web" / "dist"} {venv}/bin/python - <<'PY'
import asyncio, httpx
from gateway.main import create_app
async def main():
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
        r = await c.get("/")
        assert r.status_code == 200 and '<div id="app">' in r.text, (r.status_code, r.text[:200])
        assert "default-src 'self'" in r.headers["content-security-policy"]
        deep = await c.get("/province/enterprises")
        assert deep.status_code == 200 and deep.text == r.text
asyncio.run(main())
PY"""


def dockerfile_commands() -> str:
    text = (ROOT / "Dockerfile").read_text()
    return text[text.index("RUN python -m venv") : text.index("FROM ${PYTHON}\n")]


async def _install(service: str, base: Path) -> tuple[str, int, str]:
    venv, src = base / service / "venv", base / service / "src"
    # Like the Dockerfile's COPY: each build gets its own copy of the sources, so parallel
    # builds never share a setuptools build directory.
    script = f"""
set -e
mkdir -p {src}/libs {src}/services
cp requirements.lock {src}/
cp -r libs/contracts {src}/libs/contracts
cp -r libs/common {src}/libs/common
cp -r services/{service} {src}/services/{service}
rm -rf {src}/libs/contracts/build {src}/libs/common/build {src}/services/{service}/build
cd {src}
{sys.executable} -m venv {venv}
{venv}/bin/pip install -q --disable-pip-version-check -r requirements.lock
{venv}/bin/pip install -q --disable-pip-version-check --no-deps ./libs/contracts ./libs/common ./services/{service}
cd /tmp && {venv}/bin/python -c "import {service}.main, {service}.worker"
{venv}/bin/python -c "import pathlib, {service}; assert (pathlib.Path({service}.__file__).parent / 'migrations' / 'versions').is_dir()"
{console_check(venv) if service == "gateway" else ""}
"""
    proc = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        script,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return service, proc.returncode or 0, out.decode()[-3000:]


def test_the_image_builds_the_console_in_a_node_stage() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stage = text[text.index("AS console") : text.index("AS build")]
    assert "COPY web/package.json web/package-lock.json ./" in stage
    assert "RUN npm ci" in stage and "RUN npm run build" in stage
    assert "COPY --from=console /web/dist /opt/iims/console" in text
    assert "CONSOLE_DIR=/opt/iims/console" in text
    assert (ROOT / "web" / "package-lock.json").is_file()


async def test_each_service_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    assert (ROOT / "web" / "dist" / "index.html").is_file(), "build the console first (make test)"
    commands = dockerfile_commands()
    assert "pip install -r requirements.lock" in commands
    assert "pip install --no-deps ./libs/contracts ./libs/common ./services/${SERVICE}" in commands
    results = await asyncio.gather(*(_install(s, tmp_path) for s in SERVICES))
    failed = [f"{s}: exit {rc}\n{out}" for s, rc, out in results if rc != 0]
    assert not failed, "\n".join(failed)
