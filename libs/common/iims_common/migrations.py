"""Alembic helpers: each service's env.py calls `run_alembic()` with its own metadata."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from iims_common.events.tables import common_metadata
from iims_common.settings import to_async_url


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # Dialect-specific indexes (e.g. PostgreSQL trigram GIN) are written by hand in migrations.
    return not (type_ == "index" and name is not None and name.endswith("_trgm"))


def run_alembic(service_metadata: sa.MetaData, database_url: str, version_table: str) -> None:
    """Online migrations over the async driver (offline mode renders SQL)."""
    targets = [service_metadata, common_metadata]
    url = to_async_url(database_url)
    opts: dict[str, Any] = {
        "target_metadata": targets,
        "version_table": version_table,
        "render_as_batch": url.startswith("sqlite"),  # ALTER TABLE via copy on SQLite
        "compare_type": True,
        "include_object": _include_object,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: sa.Connection) -> None:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # alembic has no lock of its own: serialize concurrent `upgrade` runs.
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": version_table}
                )
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
