"""Calls to the services: one pooled HTTP client per service (aiohttp; an httpx client on an
in-process ASGI transport in tests), timeouts, one retry of an idempotent read on a
connection error, and the signed internal identity."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import aiohttp
import httpx
import yarl
from starlette.responses import Response

from gateway.settings import SERVICES, GatewaySettings
from iims_common.context import outgoing_traceparent, request_id_var
from iims_common.errors import (
    BadGateway,
    BadRequest,
    GatewayTimeout,
    ProblemError,
    ServiceUnavailable,
)
from iims_common.i18n import _
from iims_common.identity import IDENTITY_HEADER, Caller, mint_internal_token

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_TTL = dt.timedelta(minutes=5)
# Headers that describe one hop, not the resource (RFC 9110 §7.6.1), or that the gateway
# sets itself (length and encoding of the body it sends, its own Date/Server, the request
# id of its own middleware). Everything else a service answers reaches the client: a
# deny-list, so a header a service adds (Idempotent-Replayed, ETag, Location, Retry-After,
# Content-Disposition, Allow, Link, …) cannot be lost by a spelling in an allow-list.
NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "content-encoding",  # the client hands over the decoded body
        "date",
        "server",
        "x-request-id",
        "x-iims-route",  # which route of the service answered: for the gateway's metrics
    }
)


class UpstreamResponse:
    """A service's answer: status, headers as received (raw pairs, repeated ones kept) and
    the whole body. Deliberately small: building an `httpx.Response` cost ~50 µs and an
    `httpx.Request` ~70 µs per forwarded call (bench/README.md)."""

    __slots__ = ("_headers", "content", "raw_headers", "status_code")

    def __init__(
        self, status_code: int, raw_headers: list[tuple[bytes, bytes]], content: bytes
    ) -> None:
        self.status_code = status_code
        self.raw_headers = raw_headers
        self.content = content
        self._headers: httpx.Headers | None = None

    @property
    def headers(self) -> httpx.Headers:
        """Case-insensitive view (built on first use)."""
        if self._headers is None:
            self._headers = httpx.Headers(self.raw_headers)
        return self._headers

    def json(self) -> Any:
        return json.loads(self.content)


_NOT_FORWARDED = frozenset(h.encode() for h in NOT_FORWARDED)


def client_headers(upstream: UpstreamResponse) -> list[tuple[bytes, bytes]]:
    """The service's response headers that go on to the client (repeated ones kept), as raw
    ASGI header pairs."""
    named: set[bytes] = set()
    for k, v in upstream.raw_headers:
        if k.lower() == b"connection":
            named.update(h.strip().lower() for h in v.split(b",") if h.strip())
    out = []
    for k, v in upstream.raw_headers:
        lower = k.lower()
        if lower not in _NOT_FORWARDED and lower not in named:
            out.append((lower, v))
    return out


def relay(upstream: UpstreamResponse) -> Response:
    """The service's answer as the gateway's: status, body and headers unchanged."""
    response = Response(upstream.content, status_code=upstream.status_code)
    response.raw_headers.extend(client_headers(upstream))
    return response


class UpstreamAnswer(ProblemError):
    """A service refused a request a composed view made for its client (a 4xx, or its own
    5xx): the client gets that answer unchanged, because the service knows why. The gateway
    answers 502/503/504 only for its own failure to reach a service."""

    def __init__(self, service: str, response: UpstreamResponse) -> None:
        super().__init__(
            _(
                "The {service} service answered {status}",
                service=service,
                status=response.status_code,
            ),
            service=service,
        )
        self.status = response.status_code
        self.response = response


class _Timeout(Exception):
    pass


class _BadURL(Exception):
    pass


class _Broken(Exception):
    """The connection broke while the answer was on its way (or the answer was not HTTP)."""


class _Unreachable(Exception):
    """No answer at all: refused, reset before any byte, DNS, ..."""


class _Sender(Protocol):
    async def send(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        content: bytes | None,
        headers: dict[str, str],
    ) -> UpstreamResponse: ...

    async def close(self) -> None: ...


class _AiohttpSender:
    """Production: aiohttp's pooled HTTP/1.1 keep-alive client. httpx with httpcore cost
    ~0.5-1.5 ms CPU per call here (its pool checks every idle connection's socket on each
    request), aiohttp ~0.1 ms (bench/README.md)."""

    def __init__(self, base_url: str, settings: GatewaySettings) -> None:
        self.base = base_url
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # created inside the running loop, on first use
            connector = aiohttp.TCPConnector(
                limit=self.settings.upstream_max_connections,
                # Below uvicorn's 5 s keep-alive, so an idle connection is never reused just
                # as the service closes it (a POST cannot be retried safely).
                keepalive_timeout=self.settings.upstream_keepalive_s,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=self.settings.upstream_timeout_s,
                    sock_connect=self.settings.upstream_connect_timeout_s,
                ),
                skip_auto_headers=("User-Agent",),
                # One session serves every caller of this replica: a cookie a service set for
                # one caller must never be sent on another caller's request.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def send(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        content: bytes | None,
        headers: dict[str, str],
    ) -> UpstreamResponse:
        try:
            url = yarl.URL(self.base + path, encoded=True)  # the path exactly as the client sent it
            if params:
                url = url.extend_query(list(params))
        except (ValueError, TypeError) as e:
            raise _BadURL(str(e)) from e
        try:
            async with self._client().request(
                method, url, data=content, headers=headers, allow_redirects=False
            ) as r:
                body = await r.read()
                return UpstreamResponse(r.status, list(r.raw_headers), body)
        except TimeoutError as e:
            raise _Timeout() from e
        except aiohttp.InvalidURL as e:
            raise _BadURL(str(e)) from e
        except (
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientPayloadError,
            aiohttp.ClientResponseError,
        ) as e:
            raise _Broken(str(e)) from e
        except (aiohttp.ClientError, OSError) as e:
            raise _Unreachable(str(e)) from e

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class _HttpxSender:
    """Tests: an httpx client on an in-process transport (the service's ASGI app)."""

    def __init__(self, base_url: str, settings: GatewaySettings, transport: Any) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(
                settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s
            ),
            transport=transport,
        )

    async def send(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        content: bytes | None,
        headers: dict[str, str],
    ) -> UpstreamResponse:
        try:
            r = await self.client.request(
                method, path, params=list(params), content=content, headers=headers
            )
        except httpx.TimeoutException as e:
            raise _Timeout() from e
        except httpx.InvalidURL as e:
            raise _BadURL(str(e)) from e
        except httpx.RemoteProtocolError as e:
            raise _Broken(str(e)) from e
        except httpx.TransportError as e:
            raise _Unreachable(str(e)) from e
        return UpstreamResponse(r.status_code, list(r.headers.raw), r.content)

    async def close(self) -> None:
        await self.client.aclose()


class Upstreams:
    """One pooled client per service (aiohttp; in tests an httpx client on the service's
    in-process ASGI transport), timeouts, one retry of an idempotent call that found no
    answer, and the signed identity of the caller."""

    def __init__(
        self,
        settings: GatewaySettings,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.senders: dict[str, _Sender] = {}
        for service in SERVICES:
            transport = (transports or {}).get(service)
            base = settings.service_url(service)
            self.senders[service] = (
                _HttpxSender(base, settings, transport)
                if transport is not None
                else _AiohttpSender(base, settings)
            )
        self.secret = settings.internal_token_secret.get_secret_value()
        self.timeout_s = settings.upstream_timeout_s
        self._tokens: dict[Caller, tuple[str, float]] = {}

    def identity(self, caller: Caller) -> str:
        """A signed identity for the caller, reused while it has over a minute to live."""
        cached = self._tokens.get(caller)
        now = time.monotonic()
        if cached and cached[1] - now > 60:
            return cached[0]
        token = mint_internal_token(self.secret, caller, TOKEN_TTL)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[caller] = (token, now + TOKEN_TTL.total_seconds())
        return token

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        caller: Caller | None,
        params: Sequence[tuple[str, str]] = (),
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        client_address: str | None = None,
    ) -> UpstreamResponse:
        """The service's answer, whatever its status; 502/503/504 problems when there is none
        (a broken answer, no connection, no answer within `upstream_timeout_s`)."""
        out = dict(headers or {})
        out["x-request-id"] = request_id_var.get() or ""
        out["traceparent"] = outgoing_traceparent()
        if client_address:
            out["x-forwarded-for"] = client_address  # replaces whatever the client claimed
        if caller is not None:
            out[IDENTITY_HEADER] = self.identity(caller)
        sender = self.senders[service]
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                return await sender.send(method, path, params, content, out)
            except _Timeout as e:
                raise GatewayTimeout(
                    _(
                        "The {service} service did not answer within {seconds} s",
                        service=service,
                        seconds=f"{self.timeout_s:g}",
                    ),
                    service=service,
                ) from e
            except _BadURL as e:
                raise BadRequest(_("The request cannot be forwarded: {error}", error=str(e))) from e
            except _Broken as e:
                if attempt + 1 < attempts:
                    continue
                raise BadGateway(
                    _("The {service} service broke off its answer", service=service),
                    service=service,
                ) from e
            except _Unreachable as e:
                if attempt + 1 < attempts:
                    continue
                raise ServiceUnavailable(
                    _("The {service} service is unreachable; retry later", service=service),
                    service=service,
                ) from e
        raise AssertionError("unreachable")

    async def close(self) -> None:
        for sender in self.senders.values():
            await sender.close()
