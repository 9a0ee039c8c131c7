"""outbox: publishing state in narrow tables (the relay's queue and the broker's acks)

Publishing a batch deletes its queue rows and records one ack row per partition instead of
rewriting every event row (iims_common.events.tables; issue 17).

Revision ID: 0006
Revises: 0005
"""

from iims_common.migrations import drop_outbox_queue_v3, outbox_queue_v3

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    outbox_queue_v3()


def downgrade() -> None:
    drop_outbox_queue_v3()
