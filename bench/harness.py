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
    cmd.append("--no-proxy-headers")  # as deployed (Dockerfile): the apps decide whom to trust
    server = subprocess.Popen([*cmd, "--log-level", "warning"], env={**os.environ, **env})
    try:
        wait_for_port(port, 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(15)


def cpu_seconds(base: str) -> float:
    """The server's own CPU time so far (`process_cpu_seconds_total` on its /metrics)."""
    import urllib.request

    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        text = r.read().decode()
    found = re.search(r"^process_cpu_seconds_total (\S+)$", text, re.M)
    return float(found.group(1)) if found else float("nan")


def ms(latency: str) -> float:
    """wrk's latency ("812.00us", "1.52ms", "2.01s") in milliseconds."""
    found = re.fullmatch(r"([\d.]+)([a-z]+)", latency)
    if found is None:
        return float("nan")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}.get(found.group(2), float("nan"))
    return float(found.group(1)) * scale


class Measured:
    """One wrk run: throughput, latency percentiles (wrk's strings), request count, and the
    CPU seconds each named server spent on it (from its own counters)."""

    def __init__(self, rps: float, p50: str, p99: str, requests: int, cpu: dict[str, float]):
        self.rps, self.p50, self.p99, self.requests, self.cpu = rps, p50, p99, requests, cpu

    def cpu_us(self, name: str) -> float:
        """CPU microseconds per request of server `name`."""
        return 1e6 * self.cpu[name] / max(self.requests, 1)


def goal(name: str, value: float, target: str) -> None:
    """One ratio next to its goal (issue 17), marked met or not."""
    op, number = target.split(" ")
    met = value >= float(number) if op == "≥" else value <= float(number)
    print(f"  {name:<60} {value:8.2f}   goal {target:<7} {'met' if met else 'NOT MET'}")


def wrk(
    url: str,
    headers: dict[str, str],
    paths: list[str] | None = None,
    seconds: int = 10,
    *,
    connections: int = 32,
    servers: dict[str, str] | None = None,
) -> Measured:
    """GETs on `url`, or on random `paths` of its host, `connections` at once: requests/s,
    p50, p99, and the CPU per request of each of `servers` (name → base URL)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    if paths:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        script.write(
            'request = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n'
        )
    script.close()
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += ["-s", script.name]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    before = {n: cpu_seconds(b) for n, b in (servers or {}).items()}
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    cpu = {n: cpu_seconds(b) - before[n] for n, b in (servers or {}).items()}
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  (warning: {non2xx.group(1)} non-2xx responses)")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Measured(rps, p50, p99, requests, cpu)
