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
from iims_common.i18n import _


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", _("Too many requests")


class RateLimit:
    """One limit (e.g. "30/minute") in a sliding window, per identifier and scope.

    Per client address means `request.client`: the connection's peer, or the address a
    proxy listed in `TRUSTED_PROXIES` reports (the app's ProxyHeadersMiddleware, see
    iims_common.app) — never an X-Forwarded-For anyone could send.
    """

    def __init__(self, rule: str, storage_uri: str = "async+memory://") -> None:
        self.item = parse(rule)
        uri = storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(uri))

    @staticmethod
    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def check(self, request: Request, scope: str) -> None:
        """Per client address (public endpoints)."""
        await self.hit(scope, self.client_of(request), "client")

    async def hit(self, scope: str, identifier: str, per: str = "key") -> None:
        if not await self.limiter.hit(self.item, scope, identifier):
            stats = await self.limiter.get_window_stats(self.item, scope, identifier)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            error = TooManyRequests(
                _(
                    "At most {item} per {per}; retry in {retry_after} s",
                    item=self.item,
                    per=per,
                    retry_after=retry_after,
                ),
                retry_after=retry_after,
            )
            error.headers["Retry-After"] = str(retry_after)
            raise error
