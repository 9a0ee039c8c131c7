"""people's names searched folded (full/half width, case); refused import rows kept

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:30:00
"""

from collections.abc import Sequence

from iims_common.migrations import (
    add_folded_column,
    create_import_reports_v1,
    drop_folded_column,
    drop_import_reports_v1,
)

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_folded_column("people", "name", "name_folded")
    create_import_reports_v1()


def downgrade() -> None:
    drop_import_reports_v1()
    drop_folded_column("people", "name_folded")
