"""Let time pass for the browser test of the whole programme (web/e2e/programme.spec.ts), the
way the service tests do it (services/audit/tests/audit_world.py `end_notice`, the gateway's
programme test): by moving dates in the audit service's own database, never through the API.

  python scripts/e2e_time.py qualified-days-ago 60 <qualification number>...
      the auditors were qualified 60 days ago (so audits held in the past month are covered)
  python scripts/e2e_time.py notice-ended <application scope>
      the 公示 of the application with this scope ended yesterday

The database: AUDIT_DATABASE_URL, else `make run`'s SQLite file $VAR_DIR/audit.db (VAR_DIR
defaults to ./var). Prints how many rows it moved; exits 1 when it moved none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "services" / "audit"))
from audit.db.tables import Application, Qualification  # noqa: E402


def database_url() -> str:
    url = os.environ.get("AUDIT_DATABASE_URL")
    if url:
        return url
    var = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    return f"sqlite+aiosqlite:///{var / 'audit.db'}"


async def move(args: list[str]) -> int:
    today = dt.datetime.now(dt.UTC).date()
    if len(args) >= 3 and args[0] == "qualified-days-ago":
        statement = (
            sa.update(Qualification)
            .where(Qualification.number.in_(args[2:]))
            .values(granted_on=today - dt.timedelta(days=int(args[1])))
        )
    elif len(args) == 2 and args[0] == "notice-ended":
        statement = (
            sa.update(Application)
            .where(Application.scope == args[1], Application.notice_ends_on.is_not(None))
            .values(notice_ends_on=today - dt.timedelta(days=1))
        )
    else:
        raise SystemExit(__doc__)
    engine = create_async_engine(database_url())
    try:
        async with engine.begin() as conn:
            result = await conn.execute(statement)
            return int(result.rowcount or 0)
    finally:
        await engine.dispose()


def main() -> int:
    moved = asyncio.run(move(sys.argv[1:]))
    print(f"moved {moved} row(s)")
    return 0 if moved else 1


if __name__ == "__main__":
    sys.exit(main())
