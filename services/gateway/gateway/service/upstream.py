"""Calls to the services: one pooled httpx client per service, timeouts, one retry of an
idempotent read on a connection error, and the signed internal identity."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence

import httpx
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
        "content-encoding",  # httpx hands over the decoded body
        "date",
        "server",
        "x-request-id",
    }
)


def client_headers(upstream: httpx.Response) -> list[tuple[bytes, bytes]]:
    """The service's response headers that go on to the client (repeated ones kept), as raw
    ASGI header pairs."""
    named = {
        h.strip().lower() for h in upstream.headers.get("connection", "").split(",") if h.strip()
    }
    return [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in upstream.headers.multi_items()
        if k not in NOT_FORWARDED and k not in named
    ]


def relay(upstream: httpx.Response) -> Response:
    """The service's answer as the gateway's: status, body and headers unchanged."""
    response = Response(upstream.content, status_code=upstream.status_code)
    response.raw_headers.extend(client_headers(upstream))
    return response


class UpstreamAnswer(ProblemError):
    """A service refused a request a composed view made for its client (a 4xx, or its own
    5xx): the client gets that answer unchanged, because the service knows why. The gateway
    answers 502/503/504 only for its own failure to reach a service."""

    def __init__(self, service: str, response: httpx.Response) -> None:
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


class Upstreams:
    def __init__(
        self,
        settings: GatewaySettings,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        timeout = httpx.Timeout(
            settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s
        )
        limits = httpx.Limits(
            max_connections=settings.upstream_max_connections,
            max_keepalive_connections=settings.upstream_max_connections,
        )
        self.clients = {
            service: httpx.AsyncClient(
                base_url=settings.service_url(service),
                timeout=timeout,
                limits=limits,
                transport=(transports or {}).get(service),
            )
            for service in SERVICES
        }
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
    ) -> httpx.Response:
        out = dict(headers or {})
        out["x-request-id"] = request_id_var.get() or ""
        out["traceparent"] = outgoing_traceparent()
        if client_address:
            out["x-forwarded-for"] = client_address  # replaces whatever the client claimed
        if caller is not None:
            out[IDENTITY_HEADER] = self.identity(caller)
        client = self.clients[service]
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                return await client.request(
                    method, path, params=list(params), content=content, headers=out
                )
            except httpx.TimeoutException as e:
                raise GatewayTimeout(
                    _(
                        "The {service} service did not answer within {seconds} s",
                        service=service,
                        seconds=f"{self.timeout_s:g}",
                    ),
                    service=service,
                ) from e
            except httpx.InvalidURL as e:
                raise BadRequest(_("The request cannot be forwarded: {error}", error=str(e))) from e
            except httpx.RemoteProtocolError as e:
                if attempt + 1 < attempts:
                    continue
                raise BadGateway(
                    _("The {service} service broke off its answer", service=service),
                    service=service,
                ) from e
            except httpx.TransportError as e:
                if attempt + 1 < attempts:
                    continue
                raise ServiceUnavailable(
                    _("The {service} service is unreachable; retry later", service=service),
                    service=service,
                ) from e
        raise AssertionError("unreachable")

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
