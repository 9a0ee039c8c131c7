"""Each image's install command installs what its service needs: the Dockerfile's two pip
commands run in a fresh virtual environment per service, then the app and its migrations
import (no Docker engine here; this is the part of the build that can break)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from iims_common.testing import ROOT

SERVICES = ("registry", "training", "assessment", "audit", "gateway")


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
cp -r libs/common {src}/libs/common
cp -r services/{service} {src}/services/{service}
rm -rf {src}/libs/common/build {src}/services/{service}/build
cd {src}
{sys.executable} -m venv {venv}
{venv}/bin/pip install -q --disable-pip-version-check -r requirements.lock
{venv}/bin/pip install -q --disable-pip-version-check --no-deps ./libs/common ./services/{service}
cd /tmp && {venv}/bin/python -c "import {service}.main, {service}.worker"
{venv}/bin/python -c "import pathlib, {service}; assert (pathlib.Path({service}.__file__).parent / 'migrations' / 'versions').is_dir()"
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


async def test_each_service_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    commands = dockerfile_commands()
    assert "pip install -r requirements.lock" in commands
    assert "pip install --no-deps ./libs/common ./services/${SERVICE}" in commands
    results = await asyncio.gather(*(_install(s, tmp_path) for s in SERVICES))
    failed = [f"{s}: exit {rc}\n{out}" for s, rc, out in results if rc != 0]
    assert not failed, "\n".join(failed)
