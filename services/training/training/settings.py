"""Training settings (environment variables; see README)."""

from functools import lru_cache

from iims_common.settings import ServiceSettings

EVENT_SOURCE = "/iims/training"


class TrainingSettings(ServiceSettings):
    service_name: str = "training"
    database_url: str = "sqlite+aiosqlite:///./var/training.db"
    # Public verification of a qualification number (anti-enumeration).
    verification_rate_limit: str = "30/minute"
    qualification_valid_years: int = 3
    # Bulk import of people (POST /api/v1/people/import).
    import_max_bytes: int = 16 * 1024 * 1024
    import_max_rows: int = 50_000


@lru_cache
def get_settings() -> TrainingSettings:
    return TrainingSettings()
