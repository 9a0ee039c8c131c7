"""The demo tells the 2014 programme as the seed does (loaded into a fresh SQLite database with
the real migrations, as `make run` does)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from iims_common.testing import ROOT


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path = tmp_path_factory.mktemp("demo") / "registry.db"
    cwd = ROOT / "services" / "registry"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    up = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=cwd, env=env, capture_output=True
    )
    assert up.returncode == 0, up.stderr
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{path}"
    load = subprocess.run(
        [sys.executable, "-m", "registry.demo"], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert load.returncode == 0, load.stderr
    return sqlite3.connect(Path(path))


def test_quota_is_the_plan_then_what_happened(demo_db: sqlite3.Connection) -> None:
    changes = demo_db.execute(
        "SELECT from_quota, to_quota, reason FROM batch_quota_changes q "
        "JOIN batches b ON b.id = q.batch_id WHERE b.year = 2014 ORDER BY q.created_at"
    ).fetchall()
    assert [(a, b) for a, b, _ in changes] == [(None, 500), (500, 502)]
    assert "最终入选502家" in changes[1][2]
    assert demo_db.execute("SELECT count(*) FROM pilots").fetchone() == (502,)


def test_recommenders_as_the_seed_names_them(demo_db: sqlite3.Connection) -> None:
    names = {n for (n,) in demo_db.execute("SELECT name FROM recommending_units")}
    assert len(names) == 106
    assert "浙江省经济和信息化委员会" in names
    assert not any(n.endswith("工业和信息化厅") for n in names)  # no guessed official names
    assert not any("中车" in n for n in names)  # CRRC was formed in 2015
    assert "产业政策司" not in names  # not among the 部内司局 of 会议材料之五


def test_certification_bodies_authorized_after_the_management_org(
    demo_db: sqlite3.Connection,
) -> None:
    (formed,) = demo_db.execute(
        "SELECT completed_on FROM programme_tasks WHERE ref = '之二 四.1'"
    ).fetchone()
    assert formed is not None and formed.startswith("2014-07")
    rows = demo_db.execute(
        "SELECT c.authorized_on, c.reviewed_on, a.status FROM call_candidates c "
        "JOIN agencies a ON a.id = c.agency_id"
    ).fetchall()
    assert rows and all(a > formed and a >= r and s == "authorized" for a, r, s in rows)
    assert all(a.startswith("2014-08") for a, _, _ in rows)


def test_programme_work_seeded(demo_db: sqlite3.Connection) -> None:
    by_source = dict(demo_db.execute("SELECT source, count(*) FROM programme_tasks GROUP BY 1"))
    assert by_source == {"national": 21, "provincial": 310, "domain": 9, "city": 5}
    assert demo_db.execute("SELECT count(*) FROM meetings").fetchone() == (5,)
    late = demo_db.execute(
        "SELECT count(*) FROM task_submissions s JOIN programme_tasks t ON t.id = s.task_id "
        "WHERE t.periodic AND s.submitted_on > date(substr(s.period, 1, 7) || '-01', '+1 month', '+9 days')"
    ).fetchone()[0]
    assert late > 0
