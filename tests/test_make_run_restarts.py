"""`make run` keeps its promises across restarts (issue 11): it supervises its children (a
service killed with -9 comes back, and says so), `kill -9` of `make run` itself leaves no
process holding a port, a second `make run` on the same var dir comes up with the data it had
and the demo loaded exactly once (no 409, no duplicate sessions, keys, auditors), and
`make reset` starts over from an empty var dir."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from iims_common.testing import ROOT, MakeRun, listening, platform_env


def _pid_of(service: str, port: int) -> int:
    out = subprocess.run(
        ["pgrep", "-f", f"{service}.main:app .*port {port} "],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert out, f"nothing runs with --port {port}"
    return int(out[0])


def _dev_run_pid(make_pid: int) -> int:
    out = subprocess.run(
        ["pgrep", "-P", str(make_pid), "-f", "dev_run.py"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert out, "dev_run.py not found under make"
    return int(out[0])


def _snapshot(gateway: int, key: str) -> dict[str, Any]:
    with httpx.Client(
        base_url=f"http://127.0.0.1:{gateway}", headers={"X-API-Key": key}, timeout=30
    ) as g:

        def all_items(path: str) -> list[Any]:
            r = g.get(path, params={"limit": 100})
            assert r.status_code == 200, r.text
            return list(r.json()["items"])

        return {
            "sessions": sorted(
                (s["programme_code"], s["starts_on"]) for s in all_items("/api/v1/sessions")
            ),
            "keys": Counter(k["name"] for k in all_items("/api/v1/api-keys")),
            "qualifications": len(all_items("/api/v1/qualifications")),
            "batches": [b["year"] for b in all_items("/api/v1/batches")],
        }


def test_make_run_restarts_supervises_and_resets(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env, ports = platform_env(var)
    first = MakeRun(env)
    try:
        key = first.wait_ready()
        before = _snapshot(ports["GATEWAY"], key)
        assert len(before["sessions"]) == 7 and before["qualifications"] == 18
        assert set(before["keys"].values()) == {1}, before["keys"]
        # Supervision: a service killed with -9 is started again, and make run says so.
        os.kill(_pid_of("training", ports["TRAINING"]), signal.SIGKILL)
        first.wait_for("training restarted")
        assert httpx.get(f"http://127.0.0.1:{ports['TRAINING']}/healthz").status_code == 200
        # kill -9 of make run itself: its children go with it, no port stays taken.
        os.kill(_dev_run_pid(first.proc.pid), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(listening(p) for p in ports.values()):
            time.sleep(0.3)
        assert not any(listening(p) for p in ports.values()), "orphans hold ports"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.proc.pid, signal.SIGKILL)  # make itself, if still there
    # A second make run on the same var dir: same data, demo loaded once, a working key.
    second = MakeRun(env)
    try:
        key = second.wait_ready()
        assert "Error" not in second.tail()
        after = _snapshot(ports["GATEWAY"], key)
        assert after == before
    finally:
        stopped_at = len(second.output)
        second.ctrl_c()
    # Ctrl-C (SIGINT to the terminal's process group) stops every service gracefully: each
    # runs its lifespan shutdown once; none is force-exited by a second SIGINT.
    shutdown = "".join(second.output[stopped_at:])
    assert "Traceback" not in shutdown, shutdown[-4000:]
    assert shutdown.count("Application shutdown complete") == 5, shutdown[-4000:]
    # (make itself reports -SIGINT after a Ctrl-C, as make does; dev_run has stopped all.)
    assert second.proc.returncode is not None
    assert (var / "registry.db").exists()
    reset = subprocess.run(
        ["make", "reset"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert not var.exists()
    time.sleep(0.5)
    assert not any(listening(p) for p in ports.values()), "make run left processes behind"
