"""Tables every service carries in its own database: outbox, inbox, idempotency keys.

They live in their own MetaData; a service's Alembic env targets [its metadata, this one].
"""

import sqlalchemy as sa

from iims_common.db import NAMING_CONVENTION, JSONType, UTCDateTime

common_metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

# BIGINT autoincrement on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

outbox = sa.Table(
    "outbox",
    common_metadata,
    sa.Column("seq", SeqType, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("type", sa.String(200), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("headers", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("available_at", UTCDateTime(), nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text(), nullable=True),
    # Where the broker acknowledged the row (set with published_at): the relay compares them
    # with the partitions' end offsets to notice a broker that lost records (relay.py).
    sa.Column("kafka_partition", sa.Integer(), nullable=True),
    sa.Column("kafka_offset", sa.BigInteger(), nullable=True),
)
sa.Index(
    "ix_outbox_pending",
    outbox.c.seq,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)
sa.Index(
    "ix_outbox_pending_key",
    outbox.c.key,
    outbox.c.seq,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)

# Rows in backoff block the later rows of their key; this finds them without a table scan.
sa.Index(
    "ix_outbox_pending_available",
    outbox.c.available_at,
    outbox.c.key,
    postgresql_where=outbox.c.published_at.is_(None),
    sqlite_where=outbox.c.published_at.is_(None),
)

sa.Index(
    "ix_outbox_published_offsets",
    outbox.c.topic,
    outbox.c.kafka_partition,
    outbox.c.kafka_offset,
    postgresql_where=outbox.c.published_at.is_not(None),
    sqlite_where=outbox.c.published_at.is_not(None),
)

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
