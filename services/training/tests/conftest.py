"""Training tests: the shared fixtures of `iims_common.pytest_plugin` for this service."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def service_name() -> str:
    return "training"


@pytest.fixture(scope="session")
def service_settings_overrides() -> dict[str, Any]:
    # As deployed behind the gateway: the test client (127.0.0.1) is the trusted proxy.
    return {"verification_rate_limit": "5/minute", "trusted_proxies": "127.0.0.1"}
