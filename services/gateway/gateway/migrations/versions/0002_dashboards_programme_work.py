"""dashboards: programme work (tasks, meetings, enterprise funds)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 06:05:31.628341
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dash_meetings",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_dash_meetings")),
    )
    op.create_index(op.f("ix_dash_meetings_year"), "dash_meetings", ["year"], unique=False)
    op.create_table(
        "dash_tasks",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("periodic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_dash_tasks")),
    )
    op.create_index(
        op.f("ix_dash_tasks_province_code"), "dash_tasks", ["province_code"], unique=False
    )
    op.create_index(op.f("ix_dash_tasks_year"), "dash_tasks", ["year"], unique=False)
    # Existing rows start at 0 (server default; the model sets 0 on insert).
    op.add_column(
        "dash_enterprises",
        sa.Column(
            "funds_allocated_yuan", sa.BigInteger(), nullable=False, server_default=sa.text("0")
        ),
    )
    op.add_column(
        "dash_enterprises",
        sa.Column(
            "funds_disbursed_yuan", sa.BigInteger(), nullable=False, server_default=sa.text("0")
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("dash_enterprises") as batch:
        batch.drop_column("funds_disbursed_yuan")
        batch.drop_column("funds_allocated_yuan")
    op.drop_index(op.f("ix_dash_tasks_year"), table_name="dash_tasks")
    op.drop_index(op.f("ix_dash_tasks_province_code"), table_name="dash_tasks")
    op.drop_table("dash_tasks")
    op.drop_index(op.f("ix_dash_meetings_year"), table_name="dash_meetings")
    op.drop_table("dash_meetings")
