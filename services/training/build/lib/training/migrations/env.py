"""Alembic environment of the training service (its own history and version table)."""

from iims_common.migrations import run_alembic
from training.db.tables import Base
from training.settings import TrainingSettings

run_alembic(
    Base.metadata, TrainingSettings().database_url, version_table="alembic_version_training"
)
