"""`make run`: broker + registry on SQLite under ./var, demo data, URLs; Ctrl-C stops all.

Settings come from the environment: DATABASE_URL (or REGISTRY_DATABASE_URL) and
TRAINING_/ASSESSMENT_/AUDIT_/GATEWAY_DATABASE_URL point the services at PostgreSQL — one database each —
KAFKA_BOOTSTRAP_SERVERS at a real Kafka (then no local broker is started); REGISTRY_PORT
(8001), TRAINING_PORT (8002), ASSESSMENT_PORT (8003), AUDIT_PORT (8004), GATEWAY_PORT (8000), BROKER_PORT (9092), VAR_DIR (./var), DEMO_DATA (1) change the
defaults.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from iims_common.broker import start_broker, stop_broker, wait_for_port
from iims_common.identity import Caller, Role, mint_internal_token

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from console_build import ensure_built  # noqa: E402
from demo_accounts import ensure_demo_accounts  # noqa: E402


def _admin_key(gateway: str, env: dict[str, str]) -> str:
    """Sign in as the bootstrap administrator and create an admin API key to print."""
    password = env.get("ADMIN_PASSWORD", "dev-only-admin-password-change-me")
    login = httpx.post(
        f"{gateway}/api/v1/auth/login",
        json={"username": env.get("ADMIN_USERNAME", "admin"), "password": password},
        timeout=30,
    )
    login.raise_for_status()
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    created = httpx.post(
        f"{gateway}/api/v1/api-keys",
        json={"name": "make run administrator", "role": "ministry", "is_admin": True},
        headers=bearer,
        timeout=30,
    )
    created.raise_for_status()
    key: str = created.json()["api_key"]
    return key


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


def main() -> int:
    var = Path(os.environ.get("VAR_DIR", ROOT / "var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
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
    broker = None
    if "KAFKA_BOOTSTRAP_SERVERS" not in env:
        broker_port = int(env.get("BROKER_PORT", "9092"))
        broker = start_broker(broker_port)
        env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{broker_port}"
    procs: list[subprocess.Popen[bytes]] = []
    console = ensure_built()  # the gateway serves web/dist at /
    try:
        for name, port_, db_env in services:
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
                subprocess.run([sys.executable, "-m", "registry.demo"], env=service_env, check=True)
            procs.append(subprocess.Popen(server_command(name, port_), env=service_env))
        for _, port_, _ in services:
            wait_for_port(port_, timeout=60)
        gateway = f"http://127.0.0.1:{services[-1][1]}"
        admin_key = _admin_key(gateway, env)
        if env.get("DEMO_DATA", "1") == "1":
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
  broker         {env["KAFKA_BOOTSTRAP_SERVERS"]}{" (local tansu, memory-only)" if broker else ""}
  databases      {var}/<service>.db unless REGISTRY_/TRAINING_DATABASE_URL (or DATABASE_URL) are set
  ministry token (24 h), send as header X-IIMS-Identity:
{token}
""",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        procs[0].wait()
        return procs[0].returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
        if broker is not None:
            stop_broker(broker)


if __name__ == "__main__":
    sys.exit(main())
