"""Typed settings every service extends (pydantic-settings, read from the environment)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_MARKERS = ("change-me", "changeme", "dev-only")
# Bulk-import routes (enterprises/import, batches/{id}/recommendations/import, people/import):
# their bodies may be as large as IMPORT_MAX_BYTES (ServiceSettings.body_limit).
IMPORT_PATH = re.compile(r"/api/v1/(?:[^/]+/)*import")


class ServiceSettings(BaseSettings):
    """Settings shared by all services. Each service subclasses it to add its own."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./var/service.db"
    # Steady pool, no overflow: overflow connections are opened and closed per burst, and a
    # PostgreSQL backend start costs more than waiting for a pooled connection.
    database_pool_size: int = 20
    database_max_overflow: int = 0
    # SQLite (`make run`): how long a writer waits for the database's write lock before the
    # request answers 503 + Retry-After (iims_common.db).
    sqlite_busy_timeout_s: float = 30.0
    # Connections of the hot-path reader (iims_common.fastread, PostgreSQL only), on top of
    # the pool above.
    database_read_pool_size: int = 10
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # The bundled tansu broker cannot do InitProducerId; real Kafka should turn this on.
    kafka_enable_idempotence: bool = False
    kafka_request_timeout_ms: int = 10_000
    # External Kafka security (PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL); the CA file and
    # SASL credentials come from mounted Secrets in Kubernetes.
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_ssl_cafile: str | None = None
    kafka_sasl_mechanism: str | None = None  # PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    internal_token_secret: SecretStr = SecretStr("dev-only-internal-secret-change-me")
    # Fernet key(s) protecting personal data at rest (comma-separated; the first encrypts,
    # all decrypt, so keys can be rotated). The HMAC key makes lookup hashes unguessable.
    personal_data_keys: SecretStr = SecretStr("ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1rZXktMzJiISE=")
    personal_data_hmac_key: SecretStr = SecretStr("dev-only-personal-data-hmac-change-me")
    # The largest request body any route takes (bytes); larger ones are refused with 413
    # before they are read (Content-Length) or as soon as the count passes it (chunked).
    max_body_bytes: int = 20 * 1024 * 1024
    # The largest bulk-import body (`POST …/import`, see `body_limit`): imports may exceed
    # MAX_BODY_BYTES up to this. Services that import refuse what their own import rule says
    # (the registry 64 MiB, training 16 MiB); the gateway lets the largest of them through.
    import_max_bytes: int = 64 * 1024 * 1024
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated IPs or
    # CIDR ranges). None by default: the client is the connection's peer, so nobody can pick
    # their own address (and reset a per-address rate limit). Set to the ingress range at the
    # gateway and to the gateway's range at the services (deploy/helm/iims values).
    trusted_proxies: str = ""
    # Where public rate-limit windows live ("memory://" per process, or "redis://host:6379").
    rate_limit_storage: str = "memory://"
    # Run the outbox relay and the event consumers inside the API process.
    background_workers: bool = True
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 0.5
    # Published outbox rows are kept this long: the relay re-publishes those a broker lost
    # (iims_common.events.relay). It must exceed the longest broker outage plus the slowest
    # consumer's lag you want covered (README "Nothing lost when the broker loses its log").
    outbox_retention_hours: float = 168.0
    # How often the relay compares the offsets it was acknowledged with the partitions' end
    # offsets (also on every reconnect to the broker).
    relay_offset_check_interval_s: float = 10.0
    consumer_max_attempts: int = 5
    consumer_retry_backoff_s: float = 0.2
    # OpenTelemetry: traces are exported over OTLP/HTTP only when this is set (off by default).
    otel_exporter_otlp_endpoint: str | None = None
    log_level: str = "INFO"
    log_json: bool = True

    def body_limit(self, method: str, path: str) -> int:
        """The largest request body (bytes) for `method path`: `import_max_bytes` for a bulk
        import (every import route of the platform is `POST /api/v1/…/import`), else
        `max_body_bytes`. One rule for the body-limit middleware of every service and the
        gateway (iims_common.app) and for the 413 they answer."""
        if method == "POST" and IMPORT_PATH.fullmatch(path):
            return max(self.max_body_bytes, self.import_max_bytes)
        return self.max_body_bytes

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        secret = self.internal_token_secret.get_secret_value()
        if len(secret) < 32 or any(m in secret for m in PLACEHOLDER_MARKERS):
            raise ValueError(
                "INTERNAL_TOKEN_SECRET must be set to a real secret (>= 32 chars) in production"
            )
        if self.personal_data_keys == ServiceSettings.model_fields["personal_data_keys"].default:
            raise ValueError("PERSONAL_DATA_KEYS must be set in production")
        hmac_key = self.personal_data_hmac_key.get_secret_value()
        if len(hmac_key) < 32 or any(m in hmac_key for m in PLACEHOLDER_MARKERS):
            raise ValueError("PERSONAL_DATA_HMAC_KEY must be a real secret (>= 32 chars)")
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.async_database_url.startswith("sqlite")


def to_async_url(url: str) -> str:
    """Accept plain `postgresql://` / `sqlite:///` URLs and pick the async driver."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url
