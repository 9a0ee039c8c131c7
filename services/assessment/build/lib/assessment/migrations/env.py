"""Alembic environment of the assessment service (its own history and version table)."""

from assessment.db.tables import Base
from assessment.settings import AssessmentSettings
from iims_common.migrations import run_alembic

run_alembic(
    Base.metadata, AssessmentSettings().database_url, version_table="alembic_version_assessment"
)
