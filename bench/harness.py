"""What the benchmarks share: a service under uvicorn, and wrk with a header and paths."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator

from iims_common.broker import free_port, wait_for_port


@contextlib.contextmanager
def uvicorn_server(app: str, env: dict[str, str]) -> Iterator[str]:
    """`app` (e.g. "registry.main:app") under uvicorn, 1 worker, on a free port."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--no-access-log"]
    server = subprocess.Popen([*cmd, "--log-level", "warning"], env={**os.environ, **env})
    try:
        wait_for_port(port, 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(15)


def wrk(
    url: str, headers: dict[str, str], paths: list[str] | None = None, seconds: int = 10
) -> tuple[float, str, str]:
    """(requests/s, p50, p99) of GETs on `url`, or on random `paths` of its host."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    if paths:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        script.write(
            'request = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n'
        )
    script.close()
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", script.name]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  (warning: {non2xx.group(1)} non-2xx responses)")
    return rps, p50, p99
