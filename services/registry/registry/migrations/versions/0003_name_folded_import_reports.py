"""enterprise names searched folded (full/half width, case); refused import rows kept

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

from alembic import op

from iims_common.migrations import (
    add_folded_column,
    create_import_reports_v1,
    drop_folded_column,
    drop_import_reports_v1,
)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_folded_column("enterprises", "name", "name_folded")
    # Search reads name_folded now; the trigram index on the raw name has no reader left.
    op.execute("DROP INDEX IF EXISTS ix_enterprises_name_trgm")
    create_import_reports_v1()


def downgrade() -> None:
    drop_import_reports_v1()
    drop_folded_column("enterprises", "name_folded")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops)"
        )
