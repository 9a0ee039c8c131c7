"""Loads the suite's shared test shape (`iims_common.pytest_plugin`: broker, per-service
database, app, client, SQLite twin, migration round trip) for every test directory."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from iims_common.testing import mint

pytest_plugins = ["iims_common.pytest_plugin"]


@pytest.fixture
def as_role() -> Callable[..., dict[str, str]]:
    return mint
