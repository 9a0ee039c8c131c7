"""The production upstream client (aiohttp) against real sockets: the path and query reach the
service as sent, the identity and forwarding headers are set, the answer comes back with its
headers (repeated ones kept, hop-by-hop ones dropped), keep-alive connections are reused,
and each way of getting no answer is its own problem: 502 (answer broken off), 503 (no
connection), 504 (too slow). An idempotent call that found no answer is tried once more."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.service.upstream import Upstreams, relay
from gateway.settings import GatewaySettings
from iims_common.errors import BadGateway, GatewayTimeout, ServiceUnavailable
from iims_common.identity import IDENTITY_HEADER, Caller, Role
from iims_common.testing import SECRET


class Service:
    """A minimal HTTP/1.1 server on a free port: answers each request with what it received
    (as JSON), or misbehaves on purpose for some paths."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ")
                headers = {}
                for line in lines[1:]:
                    if line:
                        k, _, v = line.partition(":")
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                if target.startswith("/broken"):
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                    await writer.drain()
                    writer.close()
                    return
                if target.startswith("/slow"):
                    await asyncio.sleep(2)
                cookie = b"Set-Cookie: session=caller-a; Path=/\r\n" if target == "/cookie" else b""
                answer = json.dumps(
                    {"method": method, "target": target, "headers": headers, "body": body.decode()}
                ).encode()
                writer.write(
                    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                    b'Link: <a>; rel=a\r\nLink: <b>; rel=b\r\nETag: "7"\r\n'
                    b"Connection: keep-alive, X-Hop\r\nX-Hop: gone\r\nServer: svc\r\n"
                    + cookie
                    + b"Content-Length: "
                    + str(len(answer)).encode()
                    + b"\r\n\r\n"
                    + answer
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest_asyncio.fixture(loop_scope="session")
async def service() -> AsyncIterator[tuple[Service, int]]:
    svc = Service()
    port = await svc.start()
    yield svc, port
    assert svc.server is not None
    svc.server.close()


def _upstreams(port: int, **extra: object) -> Upstreams:
    settings = GatewaySettings(
        environment="test",
        internal_token_secret=SECRET,  # type: ignore[arg-type]
        admin_password="a-real-admin-password-for-tests",  # type: ignore[arg-type]
        jwt_secret="jwt-secret-for-the-gateway-tests-32+",  # type: ignore[arg-type]
        registry_url=f"http://127.0.0.1:{port}",
        audit_url="http://127.0.0.1:9",  # nothing listens
        **extra,  # type: ignore[arg-type]
    )
    return Upstreams(settings)


async def test_forwards_as_sent_and_relays_the_answer(service: tuple[Service, int]) -> None:
    svc, port = service
    up = _upstreams(port)
    try:
        caller = Caller("key:abc", Role.province, province_code="320000")
        r = await up.request(
            "registry",
            "POST",
            "/api/v1/enterprises/%E4%BC%81%20x",
            caller=caller,
            params=[("name", "企业 a&b"), ("tag", "1"), ("tag", "2")],
            content=b'{"a": 1}',
            headers={"content-type": "application/json", "x-forwarded-for": "6.6.6.6"},
            client_address="198.51.100.7",
        )
        assert r.status_code == 201
        seen = r.json()
        path, _, query = seen["target"].partition("?")
        assert path == "/api/v1/enterprises/%E4%BC%81%20x"  # not re-encoded, not decoded
        from urllib.parse import parse_qsl

        assert parse_qsl(query) == [("name", "企业 a&b"), ("tag", "1"), ("tag", "2")]
        assert seen["body"] == '{"a": 1}'
        assert seen["headers"][IDENTITY_HEADER.lower()] == up.identity(caller)
        assert seen["headers"]["x-forwarded-for"] == "198.51.100.7"
        response = relay(r)
        names = [k for k, _ in response.raw_headers]
        assert names.count(b"link") == 2 and b"etag" in names
        assert b"x-hop" not in names and b"server" not in names and b"connection" not in names
        # keep-alive: sequential calls share one connection
        before = svc.connections
        for _ in range(20):
            assert (await up.request("registry", "GET", "/x", caller=None)).status_code == 201
        assert svc.connections - before <= 1
    finally:
        await up.close()


async def test_no_answer_is_502_503_or_504(service: tuple[Service, int]) -> None:
    svc, port = service
    up = _upstreams(port, upstream_timeout_s=0.5)
    try:
        with pytest.raises(ServiceUnavailable):
            await up.request("audit", "GET", "/api/v1/applications", caller=None)
        before = svc.requests
        with pytest.raises(BadGateway):
            await up.request("registry", "GET", "/broken", caller=None)
        assert svc.requests - before == 2  # an idempotent call is tried once more
        before = svc.requests
        with pytest.raises(BadGateway):
            await up.request("registry", "POST", "/broken", caller=None, content=b"{}")
        assert svc.requests - before == 1  # a POST is not repeated
        with pytest.raises(GatewayTimeout):
            await up.request("registry", "GET", "/slow", caller=None)
    finally:
        await up.close()


async def test_a_cookie_one_caller_got_is_never_sent_for_another(
    service: tuple[Service, int],
) -> None:
    """The upstream session is shared by every caller of the replica: it keeps no cookie jar, so a
    Set-Cookie a service answered to one caller cannot ride along on anyone else's request."""
    _, port = service
    up = _upstreams(port)
    try:
        a = Caller("key:a", Role.province, province_code="320000")
        b = Caller("key:b", Role.province, province_code="330000")
        first = await up.request("registry", "GET", "/cookie", caller=a)
        assert first.status_code == 201
        seen = (await up.request("registry", "GET", "/x", caller=b)).json()
        assert "cookie" not in seen["headers"]
    finally:
        await up.close()
