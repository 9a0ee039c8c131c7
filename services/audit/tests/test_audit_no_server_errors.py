"""Every audit operation fed garbage answers a 4xx problem+json — never a 5xx."""

from __future__ import annotations

import uuid

import httpx

from iims_common.identity import Role
from iims_common.testing import fuzz_operations, mint


async def test_garbage_never_yields_a_server_error(client: httpx.AsyncClient) -> None:
    callers = [
        mint(Role.management_org),
        mint(Role.certification_body, org=uuid.uuid4()),
        mint(Role.enterprise, org=uuid.uuid4()),
    ]
    bodies = [
        b'{"kind": "stage2", "application_id": "x", "team": [{"role": "boss"}]}',
        b'{"starts_on": "2014-12-31", "ends_on": "2014-01-01", "team": []}',
        b'{"window_start": "2014-01-01", "window_end": "2099-01-01", "team_size": 99}',
        b'{"clause": "9.9", "severity": "fatal", "deadline": "soon"}',
        b'{"industries": ["ZZ", 1]}',
    ]
    assert await fuzz_operations(client, callers, bodies) > 1000
