"""Every operation in the OpenAPI document, fed garbage, answers a 4xx problem+json — never a
5xx and never a stack trace (a small in-suite fuzzer; schemathesis goes deeper, see README)."""

from __future__ import annotations

import uuid

import httpx
from factories import MINISTRY

from iims_common.identity import Role
from iims_common.testing import fuzz_operations, mint


async def test_garbage_never_yields_a_server_error(client: httpx.AsyncClient) -> None:
    callers = [
        MINISTRY,
        mint(Role.province, province="110000"),
        mint(Role.enterprise, org=uuid.uuid4()),
    ]
    assert await fuzz_operations(client, callers) > 300
