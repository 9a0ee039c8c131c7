"""dimension totals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:50:14.998303
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.add_column(
        "benchmark_cells",
        sa.Column(
            "dimension_totals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            server_default="{}",
        ),
    )


def downgrade() -> None:

    op.drop_column("benchmark_cells", "dimension_totals")
