"""Identifiers: UUIDv7 — time-ordered (cheap keyset pagination) yet not guessable (74 random bits)."""

from uuid import UUID

import uuid6


def new_id() -> UUID:
    return UUID(bytes=uuid6.uuid7().bytes)
