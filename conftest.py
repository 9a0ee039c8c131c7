"""Session fixtures shared by every test directory: the broker and identities."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.testing import mint


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """A broker for the whole session (memory-only; topics start empty)."""
    port = free_port()
    proc = start_broker(port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop_broker(proc)


@pytest.fixture
def as_role() -> Callable[..., dict[str, str]]:
    return mint
