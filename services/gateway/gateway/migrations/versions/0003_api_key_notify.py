"""api_keys changes notify the gateways (PostgreSQL): the per-replica API-key cache listens
on channel `iims_api_keys` and drops the key named in the payload (gateway.service.keycache).

A trigger rather than a NOTIFY in the application's code, so any writer — a revocation from
another replica, an operator's SQL — reaches every replica. NOTIFY is delivered on commit.
SQLite (`make run`, one process) needs none: the process drops its own entries on commit.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION iims_api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('iims_api_keys', COALESCE(NEW.key_id, OLD.key_id));
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER api_keys_notify AFTER UPDATE OR DELETE ON api_keys "
        "FOR EACH ROW EXECUTE FUNCTION iims_api_keys_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER api_keys_notify ON api_keys")
    op.execute("DROP FUNCTION iims_api_keys_notify()")
