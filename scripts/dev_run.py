"""`make run`: broker + the four services + gateway on SQLite under ./var, demo data, URLs;
Ctrl-C stops all. `make reset` (`dev_run.py --reset`) stops it and starts over from an empty
./var.

Re-runnable: any number of `make run` in a row — after Ctrl-C, a crash, or `kill -9` of any of
its processes — comes up with the data it had (migrations and demo loading are idempotent)
and prints the same URLs and a working admin key. A previous `make run` still running on the
same var dir is stopped first (var/make-run.pid). Children die with this process (Linux
PR_SET_PDEATHSIG), so even `kill -9` of `make run` leaves no process holding a port.

Supervised: while it runs, a broker or service that exits is started again (with a growing
delay if it keeps dying) and the restart is printed. A restarted local broker has lost its
log (memory-only); the services' outbox relays notice and re-publish (iims_common.events.relay).

Settings come from the environment: DATABASE_URL (or REGISTRY_DATABASE_URL) and
TRAINING_/ASSESSMENT_/AUDIT_/GATEWAY_DATABASE_URL point the services at PostgreSQL — one
database each — KAFKA_BOOTSTRAP_SERVERS at a real Kafka (then no local broker is started);
REGISTRY_PORT (8001), TRAINING_PORT (8002), ASSESSMENT_PORT (8003), AUDIT_PORT (8004),
GATEWAY_PORT (8000), BROKER_PORT (9092), VAR_DIR (./var), DEMO_DATA (1) change the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from iims_common.broker import die_with_parent, start_broker, stop_broker, wait_for_port
from iims_common.identity import Caller, Role, mint_internal_token

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from console_build import ensure_built  # noqa: E402
from demo_accounts import ensure_demo_accounts  # noqa: E402

PIDFILE = "make-run.pid"
ADMIN_KEY_NAME = "make run administrator"


def say(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def _find_key(client: httpx.Client, name: str) -> dict[str, Any] | None:
    """The newest unrevoked API key called `name` (GET /api/v1/api-keys, all pages)."""
    found: dict[str, Any] | None = None
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/api-keys", params=params)
        page.raise_for_status()
        body = page.json()
        for key in body["items"]:
            if key["name"] == name and not key.get("revoked_at"):
                found = key
        cursor = body.get("next_cursor")
        if not cursor:
            return found


def ensure_api_key(client: httpx.Client, body: dict[str, Any]) -> str:
    """A working secret for the API key named `body["name"]`: the existing key is rotated (its
    previous secret keeps working for the overlap), a missing one is created. Never creates a
    second key of one name, so re-runs do not pile keys up. `client` is an administrator's."""
    existing = _find_key(client, body["name"])
    if existing is not None:
        r = client.post(f"/api/v1/api-keys/{existing['id']}/rotation")
    else:
        r = client.post("/api/v1/api-keys", json=body)
    r.raise_for_status()
    key: str = r.json()["api_key"]
    return key


def _admin_key(gateway: str, env: dict[str, str]) -> str:
    """Sign in as the bootstrap administrator; rotate (or create once) the admin API key."""
    password = env.get("ADMIN_PASSWORD", "dev-only-admin-password-change-me")
    login = httpx.post(
        f"{gateway}/api/v1/auth/login",
        json={"username": env.get("ADMIN_USERNAME", "admin"), "password": password},
        timeout=30,
    )
    login.raise_for_status()
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    with httpx.Client(base_url=gateway, headers=bearer, timeout=30) as client:
        return ensure_api_key(
            client, {"name": ADMIN_KEY_NAME, "role": "ministry", "is_admin": True}
        )


def server_command(name: str, port: int) -> list[str]:
    """How `make run` starts a service: uvicorn on loopback that trusts no X-Forwarded-For
    itself (the app believes TRUSTED_PROXIES only; a test runs this very command)."""
    return [
        *(sys.executable, "-m", "uvicorn", f"{name}.main:app", "--host", "127.0.0.1"),
        *("--port", str(port), "--no-proxy-headers", "--timeout-graceful-shutdown", "10"),
    ]


def trusted_proxies(name: str, env: dict[str, str]) -> str:
    """The gateway believes no proxy (TRUSTED_PROXIES from the environment, none by default:
    nothing stands in front of it on a laptop); the services believe the gateway, which
    reaches them from loopback."""
    return env.get("TRUSTED_PROXIES", "") if name == "gateway" else "127.0.0.1"


@dataclass
class Child:
    """One supervised process: the broker or a service (uvicorn)."""

    name: str
    port: int
    cmd: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    broker: bool = False
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    due: float = 0.0  # when a dead child may be started again

    def start(self) -> None:
        self.started_at = time.monotonic()
        if self.broker:
            self.proc = start_broker(self.port, with_parent=True, topics=True)
            return
        # Its own process group (as the broker's session): a Ctrl-C in the terminal reaches
        # make run only, which stops each service with one SIGINT, services before the
        # broker. A second SIGINT (the terminal's, to the whole group) made uvicorn force-exit
        # without its lifespan shutdown: no consumer commit, a traceback per service.
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            preexec_fn=die_with_parent,
            process_group=0,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if self.broker:
            stop_broker(self.proc)
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def stop_all(children: list[Child], grace: float = 15.0) -> None:
    """Services first, all at once (SIGINT: graceful, consumers commit), then the broker."""
    services = [c for c in children if not c.broker and c.alive()]
    for child in services:
        assert child.proc is not None
        child.proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace
    for child in services:
        assert child.proc is not None
        try:
            child.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.proc.kill()
            child.proc.wait()
    for child in children:
        if child.broker:
            child.stop()


def supervise(children: list[Child], stopping: list[bool]) -> None:
    """Restart children that exit, until asked to stop. A child that lived > 60 s before dying
    restarts at once; one that keeps dying waits 1, 2, 4 … 30 s between attempts."""
    while not stopping:
        now = time.monotonic()
        for child in children:
            if child.alive() or stopping:
                continue
            if child.due == 0.0:
                code = child.proc.returncode if child.proc is not None else None
                quick = now - child.started_at < 60
                delay = min(30.0, 2.0 ** min(child.restarts, 5)) if quick else 0.0
                child.due = now + delay
                say(
                    f"{child.name} on :{child.port} exited (code {code}); "
                    f"restarting{f' in {delay:.0f} s' if delay else ''}"
                )
            if now >= child.due:
                child.due = 0.0
                child.restarts += 1
                try:
                    child.start()
                    wait_for_port(child.port, timeout=60)
                except Exception as exc:
                    say(f"{child.name} did not come back: {exc}")
                    continue
                extra = (
                    " — memory-only: its log is gone; the outbox relays re-publish what it lost"
                    if child.broker
                    else ""
                )
                say(f"{child.name} restarted on :{child.port} (restart #{child.restarts}){extra}")
        time.sleep(0.5)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _is_make_run(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"dev_run.py" in cmdline


def stop_previous(var: Path) -> None:
    """Stop a `make run` still running on this var dir (its pid is in var/make-run.pid)."""
    pidfile = var / PIDFILE
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    if pid == os.getpid() or not _is_make_run(pid):
        return
    say(f"another make run (pid {pid}) uses {var}; stopping it first")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)  # handled like Ctrl-C (SIGINT may be ignored in background)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and _is_make_run(pid):
        time.sleep(0.2)
    if _is_make_run(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)


def wait_ports_free(ports: dict[str, int], timeout: float = 20.0) -> None:
    """Ports still held (a child of a just-stopped run closing) get `timeout` s to free up;
    then a clear error names the port and the variable that moves it."""
    deadline = time.monotonic() + timeout
    while True:
        busy = {name: port for name, port in ports.items() if _listening(port)}
        if not busy:
            return
        if time.monotonic() > deadline:
            listed = ", ".join(f":{p} ({n})" for n, p in busy.items())
            raise SystemExit(
                f"[make run] port(s) in use by another program: {listed}; stop it or set "
                "the variable(s) to free ports"
            )
        time.sleep(0.3)


def reset(var: Path) -> int:
    """`make reset`: stop a running `make run` of this var dir and delete the var dir."""
    stop_previous(var)
    if var.exists():
        shutil.rmtree(var)
        say(f"removed {var}; the next make run starts from empty databases")
    else:
        say(f"{var} does not exist; nothing to reset")
    return 0


def reset_hint(var: Path) -> str:
    """How to start over from an empty var dir — with VAR_DIR when it is not ./var, since a
    bare `make reset` would empty ./var, not this one."""
    if var == (ROOT / "var").resolve():
        return "make reset starts over from an empty var/"
    return f"VAR_DIR={var} make reset starts over from an empty {var}/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="stop make run and empty VAR_DIR")
    args = parser.parse_args()
    var = Path(os.environ.get("VAR_DIR", ROOT / "var")).resolve()
    if args.reset:
        return reset(var)
    started = time.monotonic()
    var.mkdir(parents=True, exist_ok=True)
    stop_previous(var)
    (var / PIDFILE).write_text(str(os.getpid()))
    port = int(os.environ.get("REGISTRY_PORT", "8001"))
    env = dict(os.environ)
    # Each service has its own database; DATABASE_URL is the registry's (as documented).
    env.setdefault("REGISTRY_DATABASE_URL", env.get("DATABASE_URL", ""))
    services = [
        ("registry", port, "REGISTRY_DATABASE_URL"),
        ("training", int(os.environ.get("TRAINING_PORT", "8002")), "TRAINING_DATABASE_URL"),
        ("assessment", int(os.environ.get("ASSESSMENT_PORT", "8003")), "ASSESSMENT_DATABASE_URL"),
        ("audit", int(os.environ.get("AUDIT_PORT", "8004")), "AUDIT_DATABASE_URL"),
        ("gateway", int(os.environ.get("GATEWAY_PORT", "8000")), "GATEWAY_DATABASE_URL"),
    ]
    # The gateway reaches each service where this script starts it.
    for name, port_, _ in services[:-1]:
        env.setdefault(f"{name.upper()}_URL", f"http://127.0.0.1:{port_}")
    env.setdefault("ENVIRONMENT", "development")
    env.setdefault("LOG_JSON", "false")
    ports = {f"{name.upper()}_PORT": p for name, p, _ in services}
    local_broker = "KAFKA_BOOTSTRAP_SERVERS" not in env
    broker_port = int(env.get("BROKER_PORT", "9092"))
    if local_broker:
        ports["BROKER_PORT"] = broker_port
    wait_ports_free(ports)
    children: list[Child] = []
    stopping: list[bool] = []
    console = ensure_built()  # the gateway serves web/dist at /

    def _stop(*_: Any) -> None:
        stopping.append(True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # also when started with SIGINT ignored (background)
    try:
        if local_broker:
            broker = Child("broker", broker_port, broker=True)
            broker.start()
            children.append(broker)
            env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{broker_port}"
        for name, port_, db_env in services:
            say(f"{name}: migrating its database, then starting it on :{port_} …")
            service_env = {
                **env,
                "DATABASE_URL": env.get(db_env) or f"sqlite+aiosqlite:///{var / name}.db",
                "TRUSTED_PROXIES": trusted_proxies(name, env),
            }
            subprocess.run(
                [sys.executable, "-m", "alembic", "upgrade", "head"],
                cwd=ROOT / "services" / name,
                env=service_env,
                check=True,
            )
            if name == "registry" and env.get("DEMO_DATA", "1") == "1":
                # One transaction, loaded only into an empty registry: re-runs skip it.
                subprocess.run([sys.executable, "-m", "registry.demo"], env=service_env, check=True)
            child = Child(name, port_, server_command(name, port_), service_env)
            child.start()
            children.append(child)
        for _, port_, _ in services:
            wait_for_port(port_, timeout=60)
        gateway = f"http://127.0.0.1:{services[-1][1]}"
        admin_key = _admin_key(gateway, env)
        if env.get("DEMO_DATA", "1") == "1":
            say("loading the demo's sessions, people and auditors through the gateway …")
            subprocess.run(
                [sys.executable, str(ROOT / "scripts" / "demo_platform.py"), gateway, admin_key],
                env=env,
                check=True,
            )
        logins = ensure_demo_accounts(gateway, admin_key)
        secret = env.get("INTERNAL_TOKEN_SECRET", "dev-only-internal-secret-change-me")
        token = mint_internal_token(
            secret, Caller(subject="dev", role=Role.ministry), ttl=dt.timedelta(days=1)
        )
        print(
            f"""
IIMS platform (两化融合管理体系 咨询与认定服务平台) is running — Ctrl-C stops everything.
  registry API   http://127.0.0.1:{port}/api/v1/enterprises   (docs: /docs)
  training API   http://127.0.0.1:{services[1][1]}/api/v1/programmes   (docs: /docs)
  assessment API http://127.0.0.1:{services[2][1]}/api/v1/assessments  (docs: /docs)
  audit API      http://127.0.0.1:{services[3][1]}/api/v1/applications  (docs: /docs)
  gateway        {gateway}/docs   — the one public API (all services, merged OpenAPI)
  web console    {gateway}/   — {console}
{"".join(f"    {d.label}：{d.username} / {d.password}" + chr(10) for d in logins)}  admin API key  {admin_key}   (send as X-API-Key)
  health         /healthz  /readyz  /metrics on each
  broker         {env["KAFKA_BOOTSTRAP_SERVERS"]}{" (local tansu, memory-only)" if local_broker else ""}
  databases      {var}/<service>.db unless <SERVICE>_DATABASE_URL is set (REGISTRY_/TRAINING_/ASSESSMENT_/AUDIT_/GATEWAY_; DATABASE_URL is the registry's)
  ready in       {time.monotonic() - started:.1f} s;  {reset_hint(var)}
  ministry token (24 h), send as header X-IIMS-Identity:
{token}
""",
            flush=True,
        )
        supervise(children, stopping)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stopping.append(True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the stop
        stop_all(children)
        with contextlib.suppress(OSError, ValueError):
            if int((var / PIDFILE).read_text()) == os.getpid():
                (var / PIDFILE).unlink()


if __name__ == "__main__":
    sys.exit(main())
