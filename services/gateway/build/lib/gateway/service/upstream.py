"""Calls to the services: one pooled httpx client per service, timeouts, one retry of an
idempotent read on a connection error, and the signed internal identity."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence

import httpx

from gateway.settings import SERVICES, GatewaySettings
from iims_common.context import outgoing_traceparent, request_id_var
from iims_common.errors import BadRequest, GatewayTimeout, ServiceUnavailable
from iims_common.identity import IDENTITY_HEADER, Caller, mint_internal_token

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_TTL = dt.timedelta(minutes=5)


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
                    f"The {service} service did not answer within {self.timeout_s:g} s",
                    service=service,
                ) from e
            except httpx.InvalidURL as e:
                raise BadRequest(f"The request cannot be forwarded: {e}") from e
            except httpx.TransportError as e:
                if attempt + 1 < attempts:
                    continue
                raise ServiceUnavailable(
                    f"The {service} service is unreachable; retry later", service=service
                ) from e
        raise AssertionError("unreachable")

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
