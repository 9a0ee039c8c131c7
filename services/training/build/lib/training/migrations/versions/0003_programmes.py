"""programmes

Revision ID: 0003
Revises: 0002

Creates the programmes table and loads the seed's plan (a snapshot of
training.domain.programmes at the time of this migration).
Create Date: 2026-11-28 03:13:12.130193
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from training.domain.programmes import PROGRAMMES, to_record

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=300), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("window_label", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("lecturers", sa.String(length=500), nullable=False),
        sa.Column(
            "modules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("session_days", sa.Integer(), nullable=True),
        sa.Column("confers", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programmes")),
    )
    # The seed's training plan (会议材料之三) plus the auditor programme, as first data.
    op.bulk_insert(
        sa.table(
            "programmes",
            *[
                sa.column(c)
                for c in (
                    "code",
                    "name",
                    "audience",
                    "window_label",
                    "location",
                    "lecturers",
                    "pass_mark",
                    "session_days",
                    "confers",
                    "source",
                )
            ],
            sa.column("window_start", sa.Date()),
            sa.column("window_end", sa.Date()),
            sa.column("modules", sa.JSON()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        ),
        [{**to_record(p), "created_at": dt.datetime.now(dt.UTC)} for p in PROGRAMMES.values()],
    )
    with op.batch_alter_table("sessions") as batch:
        batch.create_foreign_key(
            op.f("fk_sessions_programme_code_programmes"),
            "programmes",
            ["programme_code"],
            ["code"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(op.f("fk_sessions_programme_code_programmes"), type_="foreignkey")
    op.drop_table("programmes")
