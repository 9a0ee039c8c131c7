"""Alembic environment of the registry (its own history and version table)."""

from iims_common.migrations import run_alembic
from registry.db.tables import Base
from registry.settings import RegistrySettings

run_alembic(
    Base.metadata, RegistrySettings().database_url, version_table="alembic_version_registry"
)
