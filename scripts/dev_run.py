"""`make run`: broker + registry on SQLite under ./var, demo data, URLs; Ctrl-C stops all.

Settings come from the environment: DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS point the registry
at PostgreSQL / a real Kafka (then no local broker is started); REGISTRY_PORT (8001),
BROKER_PORT (9092), VAR_DIR (./var), DEMO_DATA (1) change the defaults.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

from iims_common.broker import start_broker, stop_broker, wait_for_port
from iims_common.identity import Caller, Role, mint_internal_token

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    var = Path(os.environ.get("VAR_DIR", ROOT / "var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("REGISTRY_PORT", "8001"))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{var / 'registry.db'}")
    env.setdefault("ENVIRONMENT", "development")
    env.setdefault("LOG_JSON", "false")
    broker = None
    if "KAFKA_BOOTSTRAP_SERVERS" not in env:
        broker_port = int(env.get("BROKER_PORT", "9092"))
        broker = start_broker(broker_port)
        env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{broker_port}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        registry_dir = ROOT / "services" / "registry"
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=registry_dir,
            env=env,
            check=True,
        )
        if env.get("DEMO_DATA", "1") == "1":
            subprocess.run([sys.executable, "-m", "registry.demo"], env=env, check=True)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "registry.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--timeout-graceful-shutdown",
                    "10",
                ],
                env=env,
            )
        )
        wait_for_port(port, timeout=60)
        secret = env.get("INTERNAL_TOKEN_SECRET", "dev-only-internal-secret-change-me")
        token = mint_internal_token(
            secret, Caller(subject="dev", role=Role.ministry), ttl=dt.timedelta(days=1)
        )
        print(
            f"""
IIMS platform (两化融合管理体系 咨询与认定服务平台) is running — Ctrl-C stops everything.
  registry API   http://127.0.0.1:{port}/api/v1/enterprises
  API docs       http://127.0.0.1:{port}/docs
  health         http://127.0.0.1:{port}/healthz  /readyz  /metrics
  broker         {env["KAFKA_BOOTSTRAP_SERVERS"]}{" (local tansu, memory-only)" if broker else ""}
  database       {env["DATABASE_URL"]}
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
