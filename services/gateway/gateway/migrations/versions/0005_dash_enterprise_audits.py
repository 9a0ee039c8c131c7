"""dashboards: each enterprise's audits by status, so facts read before its pilot-enrolled
event (another topic, no order across topics) can move to its batch when it arrives

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dash_enterprises") as batch:
        batch.add_column(
            sa.Column("audit_counts", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("dash_enterprises") as batch:
        batch.drop_column("audit_counts")
