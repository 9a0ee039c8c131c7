"""Assessment tests: the shared fixtures of `iims_common.pytest_plugin` for this service."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def service_name() -> str:
    return "assessment"
