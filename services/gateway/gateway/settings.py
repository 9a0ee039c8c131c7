"""Gateway settings (environment variables; see README)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr, model_validator

from iims_common.settings import PLACEHOLDER_MARKERS, ServiceSettings

EVENT_SOURCE = "/iims/gateway"
SERVICES = ("registry", "training", "assessment", "audit")


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    database_url: str = "sqlite+aiosqlite:///./var/gateway.db"
    # Where each service answers (inside the cluster: http://<release>-<service>:8000).
    registry_url: str = "http://127.0.0.1:8001"
    training_url: str = "http://127.0.0.1:8002"
    assessment_url: str = "http://127.0.0.1:8003"
    audit_url: str = "http://127.0.0.1:8004"
    upstream_timeout_s: float = 15.0
    upstream_connect_timeout_s: float = 2.0
    upstream_max_connections: int = 200
    # Idle keep-alive connections to a service are closed after this (below uvicorn's 5 s).
    upstream_keepalive_s: float = 4.0
    # Browser origins of the platform's web frontend (none by default), comma-separated.
    cors_origins: str = ""
    # The first administrator (平台管理员); a placeholder password is refused outside development.
    admin_username: str = "admin"
    admin_password: SecretStr = SecretStr("dev-only-admin-password-change-me")
    # Signs the web frontend's short-lived bearer tokens (JWT, HS256).
    jwt_secret: SecretStr = SecretStr("dev-only-jwt-secret-change-me-please-32")
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 14 * 24 * 3600
    lockout_after_failures: int = 5
    lockout_minutes: int = 15
    # Verified API keys are kept per replica this long at most (0: not cached); a change to a
    # key reaches every replica at once through PostgreSQL NOTIFY (gateway.service.keycache).
    api_key_cache_ttl_s: float = 10.0
    # A rotated API key's old secret stays valid this long.
    key_rotation_overlap_hours: int = 24
    # Rate limits (the `limits` notation): per API key / account, per client address for
    # public endpoints, stricter for public verification.
    rate_limit_per_key: str = "1200/minute"
    rate_limit_public: str = "120/minute"
    rate_limit_verification: str = "20/minute"
    # Webhooks: delivery attempts, backoff base, and whether private/loopback targets are
    # allowed (an operator's choice, e.g. a province's system inside the same network).
    webhook_max_attempts: int = 8
    webhook_backoff_base_s: float = 2.0
    webhook_timeout_s: float = 10.0
    webhook_allow_private_targets: bool = False
    webhook_poll_interval_s: float = 1.0
    # The built web console (web/dist); empty = the source checkout's web/dist.
    console_dir: str = ""

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> GatewaySettings:
        if self.environment == "development":
            return self
        for name, secret in (
            ("ADMIN_PASSWORD", self.admin_password),
            ("JWT_SECRET", self.jwt_secret),
        ):
            value = secret.get_secret_value()
            if len(value) < 16 or any(m in value for m in PLACEHOLDER_MARKERS):
                raise ValueError(f"{name} must be set to a real secret outside development")
        return self

    def service_url(self, service: str) -> str:
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
