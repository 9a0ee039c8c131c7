"""benchmark cells

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:46:32.609390
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "benchmark_cells",
        sa.Column("industry_section", sa.String(length=1), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "histogram",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "industry_section", "province_code", "period", name=op.f("pk_benchmark_cells")
        ),
    )


def downgrade() -> None:

    op.drop_table("benchmark_cells")
