"""Registry settings (environment variables; see README)."""

from functools import lru_cache

from iims_common.settings import ServiceSettings

EVENT_SOURCE = "/iims/registry"


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    database_url: str = "sqlite+aiosqlite:///./var/registry.db"
    # Largest accepted bulk-import body (10^5 rows of CSV are ~15 MB).
    import_max_bytes: int = 64 * 1024 * 1024
    import_max_rows: int = 200_000
    # Largest document file (培训讲义, templates …) stored in the database; the gateway's
    # MAX_BODY_BYTES (20 MiB) must be at least this.
    document_max_bytes: int = 20 * 1024 * 1024


@lru_cache
def get_settings() -> RegistrySettings:
    return RegistrySettings()
