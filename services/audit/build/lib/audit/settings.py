"""Audit settings (environment variables; see README)."""

from functools import lru_cache

from iims_common.settings import ServiceSettings

EVENT_SOURCE = "/iims/audit"


class AuditSettings(ServiceSettings):
    service_name: str = "audit"
    database_url: str = "sqlite+aiosqlite:///./var/audit.db"
    # Public verification of a certificate number (anti-enumeration).
    verification_rate_limit: str = "30/minute"
    # 公示: days the decision waits after the compliance review, for objections.
    notice_period_days: int = 7
    certificate_valid_years: int = 3
    # How often the certificate lifecycle (missed surveillance, suspension, expiry) is applied.
    lifecycle_interval_s: float = 3600.0
    # CP-SAT budget per certification body's sub-problem.
    scheduler_time_limit_s: float = 10.0
    scheduler_workers: int = 2


@lru_cache
def get_settings() -> AuditSettings:
    return AuditSettings()
