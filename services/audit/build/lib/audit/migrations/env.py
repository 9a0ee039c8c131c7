"""Alembic environment of the audit service (its own history and version table)."""

from audit.db.tables import Base
from audit.settings import AuditSettings
from iims_common.migrations import run_alembic

run_alembic(Base.metadata, AuditSettings().database_url, version_table="alembic_version_audit")
