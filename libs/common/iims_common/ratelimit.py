"""Rate limits for public endpoints (the `limits` library, moving window).

In-memory per process by default; `RATE_LIMIT_STORAGE=redis://…` shares the window across
replicas.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from iims_common.errors import ProblemError


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class RateLimit:
    def __init__(self, rule: str, storage_uri: str = "async+memory://") -> None:
        self.item = parse(rule)
        uri = storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))

    async def check(self, request: Request, scope: str) -> None:
        client = request.headers.get("x-forwarded-for", "").split(",")[0].strip() or (
            request.client.host if request.client else "unknown"
        )
        if not await self.limiter.hit(self.item, scope, client):
            stats = await self.limiter.get_window_stats(self.item, scope, client)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            error = TooManyRequests(
                f"At most {self.item} per client; retry in {retry_after} s",
                retry_after=retry_after,
            )
            error.headers["Retry-After"] = str(retry_after)
            raise error
