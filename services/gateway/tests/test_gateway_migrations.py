"""The Alembic history matches the models and runs both ways, on PostgreSQL and SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from iims_common.testing import ROOT, create_migrated_database


def alembic(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=ROOT / "services" / "gateway",
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )


def test_postgres_models_match_migrations_and_downgrade_works() -> None:
    url = create_migrated_database("iims_gateway_migrations", service="gateway")
    check = alembic(url, "check")
    assert check.returncode == 0, check.stderr
    assert alembic(url, "downgrade", "base").returncode == 0
    assert alembic(url, "upgrade", "head").returncode == 0


def test_sqlite_runs_the_same_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    up = alembic(url, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    check = alembic(url, "check")
    assert check.returncode == 0, check.stderr
