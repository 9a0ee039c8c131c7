"""Contract fuzzing with schemathesis `--checks all` against the gateway's merged OpenAPI
document: every operation, authorized as an administrator and as a province. No server
error, no undocumented status, no response off its schema, and no schema-valid request
refused — except the refusals `schemathesis-allowlist.toml` lists, each with the reason no
schema can state it (issue 13). A bounded number of examples, so it fits in `make test`.

The gateway listens on a real port (uvicorn in this event loop, the services behind it
in-process); schemathesis runs as its own process, the way an integrator would run it, and
its NDJSON report is read back to match each failure against the allow-list."""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import json
import os
import sys
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "3")
ALLOWLIST = Path(__file__).with_name("schemathesis-allowlist.toml")


@dataclass(frozen=True)
class Failure:
    """One failed check of one generated request."""

    operation: str
    check: str
    status: int | None
    body: Any

    def problem_fields(self) -> set[str]:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        return {str(e.get("field")) for e in errors or [] if isinstance(e, dict)}

    def problem_type(self) -> str:
        return str(self.body.get("type", "")) if isinstance(self.body, dict) else ""

    def __str__(self) -> str:
        return f"{self.operation} {self.check} {self.status} {json.dumps(self.body)[:400]}"


def allowed(failure: Failure, allow: list[dict[str, Any]]) -> bool:
    """Whether an allow-list entry covers `failure` (see the TOML file's header)."""
    if failure.check == "not_a_server_error" or (failure.status or 0) >= 500:
        return False
    for entry in allow:
        if entry["check"] != failure.check or entry["status"] != failure.status:
            continue
        if "operations" in entry and not any(
            fnmatch.fnmatchcase(failure.operation, pattern) for pattern in entry["operations"]
        ):
            continue
        if "fields" in entry:
            fields = failure.problem_fields()
            if not fields or not fields <= set(entry["fields"]):
                continue
        if "type" in entry and not failure.problem_type().endswith("/" + entry["type"]):
            continue
        return True
    return False


def failures(report: Path) -> list[Failure]:
    """The failed checks in a schemathesis NDJSON report, with the response each judged."""
    found = []
    for line in report.read_text().splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if not scenario or scenario.get("status") != "failure":
            continue
        recorder = scenario["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            interaction = recorder.get("interactions", {}).get(case_id) or {}
            response = interaction.get("response") or {}
            raw = (response.get("content") or {}).get("$base64")
            try:
                body = json.loads(base64.b64decode(raw)) if raw else None
            except ValueError:
                body = base64.b64decode(raw)[:200].decode("utf-8", "replace")
            for check in checks:
                if check.get("status") == "failure":
                    found.append(
                        Failure(recorder["label"], check["name"], response.get("status_code"), body)
                    )
    return found


async def _key(gw: httpx.AsyncClient, admin: dict[str, str], **body: object) -> str:
    r = await gw.post("/api/v1/api-keys", json={"name": "schemathesis", **body}, headers=admin)
    assert r.status_code == 201, r.text
    return str(r.json()["api_key"])


async def test_schemathesis_checks_all(
    gw: httpx.AsyncClient, admin: dict[str, str], served: str, tmp_path: Path
) -> None:
    allow = tomllib.loads(ALLOWLIST.read_text())["allow"]
    assert all(entry.get("reason") for entry in allow)
    keys = {
        "admin": await _key(gw, admin, role="ministry", is_admin=True),
        "province": await _key(
            gw, admin, role="province", province_code="320000", organization_id=str(uuid.uuid4())
        ),
    }
    schemathesis = Path(sys.executable).with_name("schemathesis")
    log_dir = Path(os.environ.get("SCHEMATHESIS_LOG_DIR", tmp_path))
    problems = []
    for who, key in keys.items():
        report = tmp_path / f"{who}.ndjson"
        proc = await asyncio.create_subprocess_exec(
            str(schemathesis),
            "run",
            f"{served}/openapi.json",
            "--checks",
            "all",
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
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"},
            # Its cache (.schemathesis/, replayed crashes) stays out of the checkout: every
            # run starts from the same deterministic examples.
            cwd=tmp_path,
        )
        out, _ = await proc.communicate()
        log_dir.joinpath(f"schemathesis-{who}.log").write_bytes(out)
        assert report.exists(), out.decode()[-4000:]
        found = failures(report)
        if proc.returncode != 0 and not found:
            problems.append(f"--- as {who}: exit {proc.returncode}\n{out.decode()[-4000:]}")
        problems += [f"as {who}: {f}" for f in found if not allowed(f, allow)]
    assert not problems, "\n".join(problems)
