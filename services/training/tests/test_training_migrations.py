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
        cwd=ROOT / "services" / "training",
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )


def test_postgres_models_match_migrations_and_downgrade_works() -> None:
    url = create_migrated_database("iims_training_migrations", service="training")
    check = alembic(url, "check")
    assert check.returncode == 0, check.stderr
    assert alembic(url, "downgrade", "base").returncode == 0
    assert alembic(url, "upgrade", "head").returncode == 0


def test_sqlite_runs_the_same_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'training.db'}"
    up = alembic(url, "upgrade", "head")
    assert up.returncode == 0, up.stderr
    check = alembic(url, "check")
    assert check.returncode == 0, check.stderr


def test_migrations_seed_fixed_data_matching_the_code(tmp_path: Path) -> None:
    """Migrations carry their own snapshot (never import the live domain module, so what a
    revision seeds cannot change later), and after `upgrade head` the seeded programmes are
    what the code describes — a change to the code needs a new migration."""
    import json
    import sqlite3

    from training.domain.programmes import PROGRAMMES, to_record

    versions = ROOT / "services" / "training" / "training" / "migrations" / "versions"
    for path in versions.glob("*.py"):
        assert "training.domain" not in path.read_text(encoding="utf-8"), path.name
    db = tmp_path / "training.db"
    assert alembic(f"sqlite:///{db}", "upgrade", "head").returncode == 0
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {r["code"]: dict(r) for r in conn.execute("SELECT * FROM programmes")}
    for code, programme in PROGRAMMES.items():
        expected = to_record(programme)
        row = rows[code]
        for field, value in expected.items():
            got = json.loads(row[field]) if field == "modules" else row[field]
            assert str(got) == str(value), (code, field)
