"""Every operation in the OpenAPI document, fed garbage, answers a 4xx problem+json — never a
5xx and never a stack trace (a small in-suite fuzzer; schemathesis goes deeper, see README)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from factories import MINISTRY

from iims_common.identity import Role
from iims_common.testing import mint

GARBAGE_BODIES: list[Any] = [
    b"{broken",
    b"",
    b"null",
    b"[]",
    b'{"name": {"$gt": ""}, "limit": -1}',
    "\u0000\ud7ff".encode("utf-8", "surrogatepass"),
    b'{"uscc": "' + b"9" * 10_000 + b'"}',
]
GARBAGE_IDS = ["not-a-uuid", str(uuid.uuid4()), "0" * 300, "%00", "..%2f..%2fetc"]
GARBAGE_QUERY = {
    "limit": "-5",
    "cursor": "\u4e2d\u6587",
    "province_code": "x" * 50,
    "as_of": "yesterday",
}


def concrete(path: str, value: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + value + path[end + 1 :]
    return path


async def test_garbage_never_yields_a_server_error(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    callers = [
        MINISTRY,
        mint(Role.province, province="110000"),
        mint(Role.enterprise, org=uuid.uuid4()),
    ]
    requests: list[tuple[str, str, dict[str, str], bytes | None, dict[str, str]]] = []
    for template, operations in spec["paths"].items():
        for method in operations:
            for ident in GARBAGE_IDS:
                path = concrete(template, ident)
                for headers in callers:
                    if method in ("post", "patch", "put"):
                        for body in GARBAGE_BODIES:
                            h = {**headers, "content-type": "application/json", "If-Match": '"1"'}
                            requests.append((method, path, h, body, {}))
                    else:
                        requests.append((method, path, headers, None, GARBAGE_QUERY))

    async def send(req: tuple[str, str, dict[str, str], bytes | None, dict[str, str]]) -> None:
        method, path, headers, body, params = req
        r = await client.request(method, path, headers=headers, content=body, params=params)
        assert r.status_code < 500, (method, path, body, r.status_code, r.text[:300])
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json", (
                method,
                path,
                r.text[:200],
            )
            assert "Traceback" not in r.text

    for start in range(0, len(requests), 50):
        await asyncio.gather(*(send(r) for r in requests[start : start + 50]))
    assert len(requests) > 300
