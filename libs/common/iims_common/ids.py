"""Identifiers: UUIDv7 — time-ordered (cheap keyset pagination) yet not guessable (74 random bits)."""

import os
import threading
import time
from collections.abc import Iterator
from uuid import UUID, SafeUUID

# As `uuid6.uuid7` makes them (what `new_id` called before): a 48-bit Unix millisecond
# timestamp, strictly increasing in this process — a clock that has not moved since the
# last id gives the last millisecond + 1 — then version 7, the RFC 4122 variant and 74
# random bits.
_last_ms = 0
_lock = threading.Lock()
_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_BITS = (0x7000 << 64) | (0x8000 << 48)
_RANDOM_76 = (1 << 76) - 1
_UNKNOWN = SafeUUID.unknown  # an enum member read through a class property: once, not per id


def _uuid(value: int) -> UUID:
    # `UUID(int=...)` re-checks the range and the version on every call: ~2 µs per id in a
    # bulk import of 100,000 rows (two ids per row) for values built right here.
    u = object.__new__(UUID)
    object.__setattr__(u, "int", value)
    object.__setattr__(u, "is_safe", _UNKNOWN)
    return u


def new_ids(n: int) -> list[UUID]:
    """`n` new ids at once, increasing (for bulk imports: `uuid6.uuid7` per id was ~17 % of
    an import's CPU in the profile of bench/README.md, third round)."""
    global _last_ms
    with _lock:
        first = max(time.time_ns() // 1_000_000, _last_ms + 1)
        _last_ms = first + n - 1
    noise = os.urandom(10 * n)  # 80 bits per id, 76 used
    return [
        _uuid(
            (
                ((first + i) & 0xFFFFFFFFFFFF) << 80
                | (int.from_bytes(noise[10 * i : 10 * i + 10], "big") & _RANDOM_76)
            )
            & _VERSION_MASK
            | _VERSION_BITS
        )
        for i in range(n)
    ]


def iter_new_ids(n: int) -> Iterator[UUID]:
    """`n` new ids as `new_ids` makes them (reserved now, increasing), each made when it is
    taken: for a bulk import whose records are consumed one by one (COPY), so the ids of a
    part never all live at once — 10^5 live ids are objects the garbage collector's full
    passes walk again and again."""
    global _last_ms
    with _lock:
        first = max(time.time_ns() // 1_000_000, _last_ms + 1)
        _last_ms = first + n - 1
    noise = os.urandom(10 * n)  # 80 bits per id, 76 used
    return (
        _uuid(
            (
                ((first + i) & 0xFFFFFFFFFFFF) << 80
                | (int.from_bytes(noise[10 * i : 10 * i + 10], "big") & _RANDOM_76)
            )
            & _VERSION_MASK
            | _VERSION_BITS
        )
        for i in range(n)
    )


def new_id() -> UUID:
    return new_ids(1)[0]
