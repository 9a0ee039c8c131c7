"""outbox: the broker's acknowledged partition and offset of each published row

The relay compares them with the partitions' end offsets and re-publishes what a broker
lost (iims_common.events.relay; issue 11).

Revision ID: 0004
Revises: 0003
"""

from iims_common.migrations import add_outbox_offsets_v2, drop_outbox_offsets_v2

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_offsets_v2()


def downgrade() -> None:
    drop_outbox_offsets_v2()
