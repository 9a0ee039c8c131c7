"""The platform under test: the shared pieces of the gateway tests (a uniquely named module,
so it never collides with another service's conftest)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from gateway.settings import GatewaySettings
from iims_common.settings import ServiceSettings
from iims_common.testing import SECRET, create_migrated_database

ADMIN_PASSWORD = "a-real-admin-password-for-tests"
COMMON = {
    "environment": "test",
    "internal_token_secret": SECRET,
    "relay_poll_interval_s": 0.1,
    "consumer_max_attempts": 3,
    "consumer_retry_backoff_s": 0.05,
    "log_json": False,
}


@dataclass
class Platform:
    gateway: FastAPI
    services: dict[str, FastAPI]
    settings: GatewaySettings


def _settings(
    cls: type[ServiceSettings], name: str, broker: str, **extra: object
) -> ServiceSettings:
    return cls(
        database_url=create_migrated_database(f"iims_gw_{name}_test", service=name),
        kafka_bootstrap_servers=broker,
        # The gateway reaches the services in-process as 127.0.0.1: their trusted proxy.
        trusted_proxies="127.0.0.1",
        **COMMON,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )
