"""Alembic helpers: each service's env.py calls `run_alembic()` with its own metadata."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from iims_common.events.tables import OUTBOX_ENQUEUE_DDL, OUTBOX_ENQUEUE_DROP, common_metadata
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


# Frozen DDL of the common tables (outbox, inbox, idempotency keys) as of their first
# version; every service's initial migration calls it. A later change to the tables is a new
# function (v2) called from a new migration — never an edit here.
def create_event_tables_v1() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["seq"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_pending_key",
        "outbox",
        ["key", "seq"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_pending_available",
        "outbox",
        ["available_at", "key"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_processed_events")),
    )


def drop_event_tables_v1() -> None:
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_pending_available", table_name="outbox")
    op.drop_index(
        "ix_outbox_pending_key",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.drop_index(
        "ix_outbox_pending",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.drop_table("outbox")
    op.drop_table("idempotency_keys")


# --- imports and folded search columns (iims_common.imports, iims_common.identifiers) ------


def create_import_reports_v1() -> None:
    """The `import_reports` table of `iims_common.imports.import_reports_table`."""
    op.create_table(
        "import_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_reports")),
    )
    op.create_index(
        op.f("ix_import_reports_created_at"), "import_reports", ["created_at"], unique=False
    )


def drop_import_reports_v1() -> None:
    op.drop_index(op.f("ix_import_reports_created_at"), table_name="import_reports")
    op.drop_table("import_reports")


def add_folded_column(table: str, source: str, target: str, batch: int = 5000) -> None:
    """Add `target` (TEXT NOT NULL) to `table`, filled with `fold_text(source)` for every
    existing row (in batches, by primary key `id`), and on PostgreSQL a trigram GIN index
    `ix_<table>_<target>_trgm` for substring search (pg_trgm, a trusted extension)."""
    from iims_common.identifiers import fold_text

    op.add_column(table, sa.Column(target, sa.Text(), nullable=True))
    bind = op.get_bind()
    t = sa.table(table, sa.column("id", sa.Uuid()), sa.column(source), sa.column(target))
    last = None
    while True:
        stmt = sa.select(t.c.id, t.c[source]).order_by(t.c.id).limit(batch)
        if last is not None:
            stmt = stmt.where(t.c.id > last)
        rows = bind.execute(stmt).all()
        if not rows:
            break
        bind.execute(
            sa.update(t).where(t.c.id == sa.bindparam("_id")).values({target: sa.bindparam("_v")}),
            [{"_id": r[0], "_v": fold_text(r[1] or "")} for r in rows],
        )
        last = rows[-1][0]
    with op.batch_alter_table(table) as b:
        b.alter_column(target, existing_type=sa.Text(), nullable=False)
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            f"CREATE INDEX ix_{table}_{target}_trgm ON {table} USING gin ({target} gin_trgm_ops)"
        )


def drop_folded_column(table: str, target: str) -> None:
    op.execute(f"DROP INDEX IF EXISTS ix_{table}_{target}_trgm")
    with op.batch_alter_table(table) as b:
        b.drop_column(target)


# v2 of the common tables: the outbox keeps, per published row, where the broker acknowledged
# it (partition, offset), so the relay can tell when the broker lost records it had accepted
# (iims_common.events.relay) and re-publish them.
def add_outbox_offsets_v2() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kafka_partition", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("kafka_offset", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_outbox_published_offsets",
        "outbox",
        ["topic", "kafka_partition", "kafka_offset"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
        sqlite_where=sa.text("published_at IS NOT NULL"),
    )


def drop_outbox_offsets_v2() -> None:
    op.drop_index(
        "ix_outbox_published_offsets",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NOT NULL"),
        sqlite_where=sa.text("published_at IS NOT NULL"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kafka_offset")
        batch.drop_column("kafka_partition")


# v3 of the common tables: the outbox's publishing state moves to two narrow tables
# (`outbox_pending`, the relay's queue, filled by a trigger on insert; `outbox_acks`, per
# published batch and partition the acknowledged offsets and the rows' seqs), so publishing
# no longer rewrites each event row (iims_common.events.tables; bench/README.md, fifth round).
# Existing rows keep their state: unpublished rows are queued, published rows with an
# acknowledged offset become one ack row per (topic, partition); rows published before v2 (no
# offset) could never be re-published and are left to the retention purge as acknowledged at
# offset -1 of partition -1 (never probed: no partition has it).
def outbox_queue_v3() -> None:
    dialect = op.get_bind().dialect.name
    seq_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "outbox_acks",
        sa.Column("id", seq_type, autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("first_offset", sa.BigInteger(), nullable=False),
        sa.Column("last_offset", sa.BigInteger(), nullable=False),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
        sa.Column(
            "seqs",
            sa.JSON().with_variant(postgresql.ARRAY(sa.BigInteger()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_acks")),
    )
    op.create_index("ix_outbox_acks_offsets", "outbox_acks", ["topic", "partition", "last_offset"])
    op.create_index("ix_outbox_acks_published_at", "outbox_acks", ["published_at"])
    op.create_table(
        "outbox_pending",
        sa.Column("seq", seq_type, autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_pending")),
    )
    op.execute(
        "INSERT INTO outbox_pending (seq, key, available_at, attempts)"
        " SELECT seq, key, available_at, attempts FROM outbox WHERE published_at IS NULL"
    )
    bind = op.get_bind()
    published = bind.execute(
        sa.text(
            "SELECT topic, coalesce(kafka_partition, -1), coalesce(kafka_offset, -1), seq,"
            " event_id, published_at FROM outbox WHERE published_at IS NOT NULL"
            " ORDER BY topic, kafka_partition, kafka_offset, seq"
        ).columns(
            sa.column("topic", sa.String()),
            sa.column("partition", sa.Integer()),
            sa.column("offset", sa.BigInteger()),
            sa.column("seq", sa.BigInteger()),
            sa.column("event_id", sa.Uuid()),
            sa.column("published_at", sa.DateTime(timezone=True)),
        )
    ).all()
    acks: dict[tuple[str, int], list[Any]] = {}
    for row in published:
        acks.setdefault((row[0], int(row[1])), []).append(row)
    acks_table = sa.table(
        "outbox_acks",
        sa.column("topic", sa.String()),
        sa.column("partition", sa.Integer()),
        sa.column("first_offset", sa.BigInteger()),
        sa.column("last_offset", sa.BigInteger()),
        sa.column("last_event_id", sa.Uuid()),
        sa.column("seqs", sa.JSON().with_variant(postgresql.ARRAY(sa.BigInteger()), "postgresql")),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    if acks:
        op.bulk_insert(
            acks_table,
            [
                {
                    "topic": topic,
                    "partition": partition,
                    "first_offset": int(rows[0][2]),
                    "last_offset": int(rows[-1][2]),
                    "last_event_id": rows[-1][4],
                    "seqs": [int(r[3]) for r in rows],
                    "published_at": max(r[5] for r in rows),
                }
                for (topic, partition), rows in acks.items()
            ],
        )
    op.drop_index(
        "ix_outbox_published_offsets",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NOT NULL"),
        sqlite_where=sa.text("published_at IS NOT NULL"),
    )
    op.drop_index("ix_outbox_pending_available", table_name="outbox")
    op.drop_index(
        "ix_outbox_pending_key",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.drop_index(
        "ix_outbox_pending",
        table_name="outbox",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kafka_offset")
        batch.drop_column("kafka_partition")
        batch.drop_column("attempts")
        batch.drop_column("published_at")
        batch.drop_column("available_at")
    if dialect == "postgresql":  # kept as written: the relay sends the text as is
        op.execute(
            "ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json,"
            " ALTER COLUMN headers TYPE json USING headers::json"
        )
    op.create_index("ix_outbox_pending_key", "outbox_pending", ["key", "seq"])
    op.create_index(
        "ix_outbox_pending_retry",
        "outbox_pending",
        ["key", "seq"],
        postgresql_where=sa.text("attempts > 0"),
        sqlite_where=sa.text("attempts > 0"),
    )
    # After the batch copy (SQLite rebuilds the table, which would drop the trigger).
    for statement in OUTBOX_ENQUEUE_DDL[dialect]:
        op.execute(statement)


def drop_outbox_queue_v3() -> None:
    """Back to v2: the state columns on the outbox, filled from the queue and the acks."""
    dialect = op.get_bind().dialect.name
    for statement in OUTBOX_ENQUEUE_DROP[dialect]:
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING payload::jsonb,"
            " ALTER COLUMN headers TYPE jsonb USING headers::jsonb"
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("available_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("kafka_partition", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("kafka_offset", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    for partition, first, seqs, published_at in bind.execute(
        sa.text("SELECT partition, first_offset, seqs, published_at FROM outbox_acks").columns(
            sa.column("partition", sa.Integer()),
            sa.column("first_offset", sa.BigInteger()),
            sa.column(
                "seqs", sa.JSON().with_variant(postgresql.ARRAY(sa.BigInteger()), "postgresql")
            ),
            sa.column("published_at", sa.DateTime(timezone=True)),
        )
    ).all():
        for n, seq in enumerate(seqs):
            bind.execute(
                sa.text(
                    "UPDATE outbox SET published_at = :at, kafka_partition = :p,"
                    " kafka_offset = :o WHERE seq = :seq"
                ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
                {
                    "at": published_at,
                    "p": None if partition < 0 else partition,
                    "o": None if partition < 0 else first + n,
                    "seq": seq,
                },
            )
    op.execute(
        "UPDATE outbox SET available_at = (SELECT p.available_at FROM outbox_pending p"
        " WHERE p.seq = outbox.seq), attempts = (SELECT p.attempts FROM outbox_pending p"
        " WHERE p.seq = outbox.seq) WHERE seq IN (SELECT seq FROM outbox_pending)"
    )
    op.execute("UPDATE outbox SET available_at = created_at WHERE available_at IS NULL")
    op.execute(
        "UPDATE outbox SET published_at = created_at WHERE published_at IS NULL"
        " AND seq NOT IN (SELECT seq FROM outbox_pending)"
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("available_at", nullable=False)
    op.drop_index(
        "ix_outbox_pending_retry",
        table_name="outbox_pending",
        postgresql_where=sa.text("attempts > 0"),
        sqlite_where=sa.text("attempts > 0"),
    )
    op.drop_index("ix_outbox_pending_key", table_name="outbox_pending")
    op.drop_table("outbox_pending")
    op.drop_index("ix_outbox_acks_published_at", table_name="outbox_acks")
    op.drop_index("ix_outbox_acks_offsets", table_name="outbox_acks")
    op.drop_table("outbox_acks")
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_pending_key",
        "outbox",
        ["key", "seq"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_pending_available",
        "outbox",
        ["available_at", "key"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_published_offsets",
        "outbox",
        ["topic", "kafka_partition", "kafka_offset"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
        sqlite_where=sa.text("published_at IS NOT NULL"),
    )
