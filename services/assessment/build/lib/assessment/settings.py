"""Assessment settings (environment variables)."""

from functools import lru_cache

from iims_common.settings import ServiceSettings

EVENT_SOURCE = "/iims/assessment"


class AssessmentSettings(ServiceSettings):
    service_name: str = "assessment"
    database_url: str = "sqlite+aiosqlite:///./var/assessment.db"


@lru_cache
def get_settings() -> AssessmentSettings:
    return AssessmentSettings()
