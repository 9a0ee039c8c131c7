"""Benchmarks (对标): average, median, top decile (标杆) and an enterprise's percentile, from a
maintained histogram of scores (1-point buckets 0–100) — never a scan of all assessments.

Median and top decile are read off the histogram: the lower edge of the bucket holding the
50th / 90th percentile (so to within 1 point of the exact value).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BUCKETS = 101  # scores 0..100; bucket i holds [i, i+1), bucket 100 holds exactly 100


def bucket_of(score: Decimal) -> int:
    return min(BUCKETS - 1, max(0, int(score)))


def add(histogram: list[int], score: Decimal) -> list[int]:
    out = list(histogram) if len(histogram) == BUCKETS else [0] * BUCKETS
    out[bucket_of(score)] += 1
    return out


def _quantile(histogram: list[int], count: int, q: Decimal) -> Decimal:
    rank = q * count
    seen = 0
    for i, n in enumerate(histogram):
        seen += n
        if seen >= rank and n:
            return Decimal(i)
    return Decimal(BUCKETS - 1)


@dataclass(frozen=True)
class Benchmark:
    count: int
    average: Decimal | None
    median: Decimal | None
    top_decile: Decimal | None


def summarize(histogram: list[int], count: int, total: Decimal) -> Benchmark:
    if count == 0:
        return Benchmark(0, None, None, None)
    return Benchmark(
        count=count,
        average=(total / count).quantize(Decimal("0.01")),
        median=_quantile(histogram, count, Decimal("0.5")),
        top_decile=_quantile(histogram, count, Decimal("0.9")),
    )


def percentile(histogram: list[int], count: int, score: Decimal) -> Decimal | None:
    """Share (0–100) of assessments scoring below this one, counting its bucket half."""
    if count == 0:
        return None
    b = bucket_of(score)
    below = sum(histogram[:b])
    return (Decimal(100) * (below + Decimal(histogram[b]) / 2) / count).quantize(Decimal("0.1"))
