"""Per-request context (request id, W3C trace context) carried in contextvars."""

from __future__ import annotations

import contextvars
import re
import secrets

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
traceparent_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "traceparent", default=None
)
# "POST /api/v1/applications/<id>/decision?x=1": method and full target of the current
# request (set by RequestContextMiddleware), part of every Idempotency-Key fingerprint.
request_target_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_target", default=""
)

_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def valid_traceparent(value: str | None) -> str | None:
    return value if value and _TRACEPARENT.match(value) else None


def current_traceparent() -> str:
    """The caller's trace context, or a fresh one (so every event can be correlated)."""
    return traceparent_var.get() or new_traceparent()


def outgoing_traceparent() -> str:
    """The trace context for a call this request makes: same trace, a new parent span."""
    current = current_traceparent()
    return f"{current[:36]}{secrets.token_hex(8)}{current[52:]}"
