"""Rate limits for public endpoints (the `limits` library, sliding window counter: O(1) per hit).

In-memory per process by default; `RATE_LIMIT_STORAGE=redis://…` shares the window across
replicas.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from iims_common.errors import ProblemError


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class RateLimit:
    """One limit (e.g. "30/minute") in a sliding window, per identifier and scope.

    Services sit behind the gateway, which sets X-Forwarded-For to the real client, so they
    trust it (`trust_forwarded`); the gateway itself must not (a client could pick any
    address) and uses the connection's peer, which uvicorn's --forwarded-allow-ips sets from
    a trusted ingress.
    """

    def __init__(
        self, rule: str, storage_uri: str = "async+memory://", *, trust_forwarded: bool = True
    ) -> None:
        self.item = parse(rule)
        uri = storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(uri))
        self.trust_forwarded = trust_forwarded

    def client_of(self, request: Request) -> str:
        forwarded = request.headers.get("x-forwarded-for", "") if self.trust_forwarded else ""
        return forwarded.split(",")[0].strip() or (
            request.client.host if request.client else "unknown"
        )

    async def check(self, request: Request, scope: str) -> None:
        """Per client address (public endpoints)."""
        await self.hit(scope, self.client_of(request), "client")

    async def hit(self, scope: str, identifier: str, per: str = "key") -> None:
        if not await self.limiter.hit(self.item, scope, identifier):
            stats = await self.limiter.get_window_stats(self.item, scope, identifier)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            error = TooManyRequests(
                f"At most {self.item} per {per}; retry in {retry_after} s",
                retry_after=retry_after,
            )
            error.headers["Retry-After"] = str(retry_after)
            raise error
