"""`make bench` (assessment): scoring throughput of the pure function, and benchmark-query
latency with 10^6 scored assessments in PostgreSQL — the maintained aggregate the API reads
next to a naive full-scan aggregate over the same rows (ratio). Prints numbers only."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import statistics
import time
import uuid
from decimal import Decimal

import asyncpg

import assessment.domain.benchmarks as benchmarks
from assessment.domain.framework import IndicatorKind
from assessment.domain.scoring import Answer, score
from assessment.domain.seed import DISCRETE
from iims_common.testing import create_migrated_database

N = int(os.environ.get("BENCH_ASSESSMENTS", "1000000"))
PROVINCES = ["110000", "320000", "330000", "370000", "440000", "510000", "420000", "130000"]
SECTIONS = "CCCCCCDEGI"


def random_answers(rng: random.Random) -> dict[str, Answer]:
    return {
        c: rng.choice("ABCD")
        if i.kind is IndicatorKind.ordinal
        else Decimal(rng.randint(0, int(i.valid_max)))
        for c, i in DISCRETE.indicators().items()
    }


def bench_scoring() -> None:
    rng = random.Random(3)
    sets = [random_answers(rng) for _ in range(20_000)]
    t0 = time.perf_counter()
    for answers in sets:
        score(DISCRETE, answers)
    elapsed = time.perf_counter() - t0
    print(
        f"  scoring (pure function, 离散型 framework)   {len(sets) / elapsed:10,.0f} assessments/s"
    )


def timings(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:8.2f} ms  p99 {p99 * 1000:8.2f} ms"


async def bench_queries() -> None:
    url = create_migrated_database("iims_assessment_bench", service="assessment")
    conn = await asyncpg.connect(url)
    framework_id = await conn.fetchval("SELECT id FROM frameworks WHERE code = 'gbt23020-discrete'")
    rng = random.Random(5)
    now = dt.datetime.now(dt.UTC)
    enterprises, assessments = [], []
    cells: dict[tuple[str, str, str], list] = {}
    for _ in range(N):
        eid = uuid.uuid4()
        province, section = rng.choice(PROVINCES), rng.choice(SECTIONS)
        industry = f"{section}{rng.randint(13, 43) if section == 'C' else ''}"[:3]
        total = Decimal(rng.randint(500, 9500)) / 100
        enterprises.append((eid, None, province, industry, None))
        assessments.append(
            (
                uuid.uuid4(),
                eid,
                province,
                industry,
                framework_id,
                "gbt23020-discrete",
                "2015",
                "periodic",
                "scored",
                "{}",
                "{}",
                total,
                "{}",
                "集成提升",
                "主动",
                "{}",
                now,
                now,
                now,
                1,
            )
        )
        for p in ("000000", province):
            cell = cells.setdefault((section, p, "2015"), [0, Decimal(0), [0] * benchmarks.BUCKETS])
            cell[0] += 1
            cell[1] += total
            cell[2][benchmarks.bucket_of(total)] += 1
    t0 = time.perf_counter()
    await conn.copy_records_to_table(
        "enterprises",
        records=enterprises,
        columns=["id", "name", "province_code", "industry_code", "consultancy_id"],
    )
    await conn.copy_records_to_table(
        "assessments",
        records=assessments,
        columns=[
            "id",
            "enterprise_id",
            "province_code",
            "industry_code",
            "framework_id",
            "framework_code",
            "period",
            "kind",
            "status",
            "answers",
            "conformity",
            "total_score",
            "dimension_scores",
            "stage",
            "management_level",
            "diagnosis",
            "scored_at",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    await conn.executemany(
        "INSERT INTO benchmark_cells (industry_section, province_code, period, count, total, histogram, dimension_totals)"
        " VALUES ($1, $2, $3, $4, $5, $6, '{}')",
        [(k[0], k[1], k[2], v[0], v[1], json.dumps(v[2])) for k, v in cells.items()],
    )
    await conn.execute("ANALYZE")
    print(f"  loaded {N:,} scored assessments in {time.perf_counter() - t0:.1f} s")

    cell_sql = "SELECT count, total, histogram FROM benchmark_cells WHERE industry_section = $1 AND province_code = $2 AND period = $3"
    naive_sql = (
        "SELECT count(*), avg(total_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY total_score),"
        " percentile_cont(0.9) WITHIN GROUP (ORDER BY total_score) FROM assessments"
        " WHERE left(industry_code, 1) = $1 AND period = $2"
    )
    fast, slow = [], []
    for _ in range(300):
        t = time.perf_counter()
        row = await conn.fetchrow(cell_sql, "C", "000000", "2015")
        benchmarks.summarize(json.loads(row["histogram"]), row["count"], row["total"])
        fast.append(time.perf_counter() - t)
    for _ in range(15):
        t = time.perf_counter()
        await conn.fetchrow(naive_sql, "C", "2015")
        slow.append(time.perf_counter() - t)
    await conn.close()
    print(f"  benchmark from the maintained aggregate     {timings(fast)}")
    print(f"  naive full-scan aggregate (same answer)     {timings(slow)}")
    print(
        f"  naive / maintained (p50)                    {statistics.median(slow) / statistics.median(fast):10.0f}x"
    )


if __name__ == "__main__":
    print("assessment benchmarks")
    bench_scoring()
    asyncio.run(bench_queries())
