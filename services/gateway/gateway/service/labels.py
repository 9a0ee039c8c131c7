"""The platform's enum labels in one answer (`GET /api/v1/labels`): every service serves its
own enums' labels at its internal `GET /labels` (defined beside the enums, rendered through
the shared gettext catalogue in the request's language); the gateway adds its own (roles,
webhook statuses) and merges them, cached per language.

Why composed here and not one table in a library: each service owns its vocabulary (a new
status is added where the state machine is), and the gateway must not import services'
code. Why cached: the labels change only with a deploy; `CACHE_SECONDS` bounds how long a
rolled-out service's new label waits to be seen.
"""

from __future__ import annotations

import asyncio
import time

from gateway.domain.webhooks import DeliveryStatus, SubscriptionStatus
from gateway.service.upstream import UpstreamAnswer, Upstreams
from gateway.settings import SERVICES
from iims_common.enums import served_labels
from iims_common.i18n import CONTENT_LANGUAGE
from iims_common.identity import Role

CACHE_SECONDS = 300.0
Labels = dict[str, dict[str, str]]


def own_labels(locale: str) -> Labels:
    """The gateway's own enums: roles (accounts, tokens) and webhook statuses."""
    return served_labels([Role, SubscriptionStatus, DeliveryStatus], locale)


class LabelCatalogue:
    """The merged labels per language, fetched from every service on first use and kept for
    `CACHE_SECONDS`. A service that cannot answer fails the request (503/502/504 from
    `Upstreams`) and nothing is cached, so a partial catalogue is never served."""

    def __init__(self, upstreams: Upstreams, ttl_s: float = CACHE_SECONDS) -> None:
        self.upstreams = upstreams
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, Labels]] = {}
        self._lock = asyncio.Lock()

    async def get(self, locale: str) -> Labels:
        """Every enum's labels in `locale` (kind → code → label), kinds sorted by name."""
        cached = self._cache.get(locale)
        if cached and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        async with self._lock:
            cached = self._cache.get(locale)
            if cached and time.monotonic() - cached[0] < self.ttl_s:
                return cached[1]
            merged = await self._fetch(locale)
            self._cache[locale] = (time.monotonic(), merged)
            return merged

    async def _fetch(self, locale: str) -> Labels:
        headers = {"accept-language": CONTENT_LANGUAGE[locale]}
        answers = await asyncio.gather(
            *(
                self.upstreams.request(service, "GET", "/labels", caller=None, headers=headers)
                for service in SERVICES
            )
        )
        merged: Labels = own_labels(locale)
        for service, answer in zip(SERVICES, answers, strict=True):
            if answer.status_code != 200:
                raise UpstreamAnswer(service, answer)
            for kind, labels in answer.json().items():
                # One kind in two services (QualificationKind: training and audit) must label
                # alike; the union keeps every code either knows.
                merged[kind] = {**labels, **merged.get(kind, {})}
        return dict(sorted(merged.items()))
