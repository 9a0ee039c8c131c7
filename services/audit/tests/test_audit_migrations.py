"""The Alembic history matches the models and runs both ways, on PostgreSQL and SQLite (the
shared round-trip tests, run for this service)."""

from iims_common.pytest_plugin import (  # noqa: F401
    test_postgres_models_match_migrations_and_downgrade_works,
    test_sqlite_runs_the_same_migrations,
)
