"""Tables every service carries in its own database: outbox, inbox, idempotency keys.

They live in their own MetaData; a service's Alembic env targets [its metadata, this one].
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from iims_common.db import NAMING_CONVENTION, JSONType, UTCDateTime

common_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

# BIGINT autoincrement on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The outbox is written once per event and kept `outbox_retention_hours` after publishing
# (a broker that loses records gets them again, iims_common.events.relay). Its publishing
# state lives in two narrow tables, so publishing a batch deletes narrow queue rows and
# inserts one row per partition instead of writing a new version of each ~0.8 KB event row
# and its index entries (bench/README.md, fifth round: the mark was ~1/3 of the relay's time):
#   - `outbox_pending`: one row per event not yet published (the relay's queue), with its
#     attempts and backoff; a trigger enqueues every inserted outbox row, so no writer can
#     forget it (`OUTBOX_ENQUEUE_DDL`);
#   - `outbox_acks`: per published batch and partition, the offsets the broker acknowledged
#     and the events' `seq`s — what the loss check compares and re-queues.
outbox = sa.Table(
    "outbox",
    common_metadata,
    sa.Column("seq", SeqType, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("type", sa.String(200), nullable=False),
    # `json`, not `jsonb`, on PostgreSQL: the text is kept as written and the relay sends it
    # as is (a `jsonb` → text cast was ~1/5 of the claim), and an import builds it by
    # concatenation (half the cost of `jsonb_build_object` per row; bench/README.md).
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("headers", sa.JSON(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # The last failure or re-publish reason (kept after publishing, for operators).
    sa.Column("last_error", sa.Text(), nullable=True),
)

outbox_pending = sa.Table(
    "outbox_pending",
    common_metadata,
    sa.Column("seq", SeqType, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("available_at", UTCDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
)
# The head-of-line check: an earlier unpublished row of the key.
sa.Index("ix_outbox_pending_key", outbox_pending.c.key, outbox_pending.c.seq)
# Rows in backoff (a failed attempt) block the later rows of their key; only they have
# attempts > 0, so this index stays tiny and costs nothing on insert.
sa.Index(
    "ix_outbox_pending_retry",
    outbox_pending.c.key,
    outbox_pending.c.seq,
    postgresql_where=outbox_pending.c.attempts > 0,
    sqlite_where=outbox_pending.c.attempts > 0,
)

# The `seq`s of one ack row: an array on PostgreSQL, a JSON list on SQLite.
SeqList = sa.JSON().with_variant(postgresql.ARRAY(sa.BigInteger()), "postgresql")

outbox_acks = sa.Table(
    "outbox_acks",
    common_metadata,
    sa.Column("id", SeqType, primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("partition", sa.Integer(), nullable=False),
    sa.Column("first_offset", sa.BigInteger(), nullable=False),
    sa.Column("last_offset", sa.BigInteger(), nullable=False),
    # The CloudEvents id of the record at `last_offset` (the offset check reads it back).
    sa.Column("last_event_id", sa.Uuid(), nullable=False),
    # The outbox rows acknowledged here, in offset order (first_offset + place).
    sa.Column("seqs", SeqList, nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=False),
)
sa.Index(
    "ix_outbox_acks_offsets",
    outbox_acks.c.topic,
    outbox_acks.c.partition,
    outbox_acks.c.last_offset,
)
sa.Index("ix_outbox_acks_published_at", outbox_acks.c.published_at)

# Every inserted outbox row is enqueued: one statement-level trigger on PostgreSQL (one
# INSERT … SELECT per INSERT statement, over its transition table), a row trigger on SQLite.
# Created by the migrations (iims_common.migrations.outbox_queue_v3).
OUTBOX_ENQUEUE_DDL: dict[str, list[str]] = {
    "postgresql": [
        """
        CREATE FUNCTION outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO outbox_pending (seq, key, available_at, attempts)
            SELECT seq, key, created_at, 0 FROM outbox_new;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER outbox_enqueue AFTER INSERT ON outbox
        REFERENCING NEW TABLE AS outbox_new
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_enqueue()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER outbox_enqueue AFTER INSERT ON outbox FOR EACH ROW
        BEGIN
            INSERT INTO outbox_pending (seq, key, available_at, attempts)
            VALUES (NEW.seq, NEW.key, NEW.created_at, 0);
        END
        """
    ],
}
OUTBOX_ENQUEUE_DROP: dict[str, list[str]] = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS outbox_enqueue ON outbox",
        "DROP FUNCTION IF EXISTS outbox_enqueue()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS outbox_enqueue"],
}

processed_events = sa.Table(
    "processed_events",
    common_metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("event_id", sa.String(200), primary_key=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("processed_at", UTCDateTime(), nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    common_metadata,
    sa.Column("client", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=True),
    sa.Column("response", JSONType, nullable=True),
    sa.Column("headers", JSONType, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
