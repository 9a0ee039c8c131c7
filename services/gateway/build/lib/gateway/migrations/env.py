"""Alembic environment of the gateway (its own history and version table)."""

from gateway.db.tables import Base
from gateway.settings import GatewaySettings
from iims_common.migrations import run_alembic

run_alembic(Base.metadata, GatewaySettings().database_url, version_table="alembic_version_gateway")
