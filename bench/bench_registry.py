"""`make bench`: registry throughput on PostgreSQL, each number next to a baseline from the
same run.

1. Bulk import of 100,000 enterprises over HTTP (parse + validate + upsert + outbox) vs a
   raw COPY of the same rows.
2. Outbox relay (claim, publish, mark) vs raw aiokafka producing the same messages (one
   send() per message, as the issue measured; and, not a goal, one record batch per
   partition as the relay sends them).
3. GET /api/v1/enterprises/{id} with wrk (req/s, p50, p99) vs GET /healthz on the same server.
4. The same 100,000-row provincial list (Chinese headers and values) as UTF-8 CSV (the
   baseline), GB18030 CSV and .xlsx: the shared reader alone (bytes → rows → codes) and the
   whole import over HTTP, rows/s each, each against the UTF-8 CSV of the same run.

Set BENCH_ROWS to change the size, BENCH_PARTS=import,relay,http,formats to pick parts and
BENCH_REUSE_DB=1 to reuse the last run's database. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from harness import goal, uvicorn_server, wrk
from sqlalchemy import text

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.db import create_engine, create_sessionmaker
from iims_common.events.relay import OutboxRelay, partition_for
from iims_common.identifiers import fold_text
from iims_common.identity import Caller, Role, mint_internal_token
from iims_common.testing import create_migrated_database, pg_url
from registry.domain.enums import EnterpriseSize
from registry.domain.reference import INDUSTRY_SECTIONS, PROVINCES
from registry.domain.uscc import ALPHABET, make_uscc
from registry.settings import RegistrySettings

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
SECRET = "bench-internal-secret-of-sufficient-length"
results: list[tuple[str, str, str]] = []
goals: dict[str, tuple[float, str]] = {}


def report(name: str, value: str, note: str = "") -> None:
    results.append((name, value, note))
    print(f"  {name:<46} {value:>16}  {note}", flush=True)


def make_rows(n: int) -> list[dict[str, str]]:
    rng = random.Random(7)
    provinces = list(PROVINCES)
    words = "华宏兴永昌盛恒通达新远泰鑫金瑞丰安康明和德海天宇博创联信正东"
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(rows) < n:
        province = rng.choice(provinces)
        code = make_uscc(
            "91" + province[:2] + "0101" + "".join(rng.choice(ALPHABET) for _ in range(9))
        )
        if code in seen:
            continue
        seen.add(code)
        section = rng.choice("CCCCCDEGI")
        rows.append(
            {
                "uscc": code,
                "name": f"{PROVINCES[province][:2]}{rng.choice(words)}{rng.choice(words)}制造{len(rows)}有限公司",
                "province_code": province,
                "industry_code": section + rng.choice(INDUSTRY_SECTIONS[section].divisions),
                "size": rng.choice([s.value for s in EnterpriseSize]),
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


async def bench_import(settings: RegistrySettings, base: str, rows: list[dict[str, str]]) -> None:
    print(f"\n1. bulk import of {len(rows):,} enterprises (POST /api/v1/enterprises/import)")
    raw = to_csv(rows)
    headers = {"X-IIMS-Identity": token(), "Content-Type": "text/csv"}
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        response = await client.post("/api/v1/enterprises/import", content=raw, headers=headers)
    t_import = time.perf_counter() - t0
    body = response.json()
    assert response.status_code == 200 and body["created"] == len(rows), str(body)[:500]

    dsn = settings.database_url.replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    await conn.execute("CREATE TABLE bench_copy (LIKE enterprises INCLUDING ALL)")
    now = dt.datetime.now(dt.UTC)
    import uuid as _uuid

    records = [
        (
            _uuid.uuid4(),
            r["uscc"],
            r["name"],
            fold_text(r["name"]),
            r["province_code"],
            r["industry_code"],
            r["size"],
            "registered",
            now,
            now,
            1,
        )
        for r in rows
    ]
    t0 = time.perf_counter()
    await conn.copy_records_to_table(
        "bench_copy",
        records=records,
        columns=[
            "id",
            "uscc",
            "name",
            "name_folded",
            "province_code",
            "industry_code",
            "size",
            "status",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    t_copy = time.perf_counter() - t0
    await conn.execute("DROP TABLE bench_copy")
    await conn.close()
    report(
        "import over HTTP (CSV → validated upsert + outbox)",
        f"{len(rows) / t_import:,.0f} rows/s",
        f"{t_import:.1f} s",
    )
    report(
        "raw COPY of the same rows (same indexes)",
        f"{len(rows) / t_copy:,.0f} rows/s",
        f"{t_copy:.1f} s",
    )
    report("import / COPY", f"{t_copy / t_import:.2f}", "(1.00 = as fast as COPY)")
    goals["bulk import over HTTP / raw COPY"] = (t_copy / t_import, "≥ 0.3")


async def bench_relay(settings: RegistrySettings) -> None:
    print("\n2. outbox relay vs raw aiokafka", flush=True)
    engine = create_engine(settings)
    maker = create_sessionmaker(engine)
    async with maker() as s:
        backlog = (await s.execute(text("SELECT count(*) FROM outbox_pending"))).scalar_one()
        payloads = [
            (row.key, json.dumps(row.payload, ensure_ascii=False).encode())
            for row in (await s.execute(text("SELECT key, payload FROM outbox ORDER BY seq")))
        ]
    relay = OutboxRelay(settings, engine, maker)
    t0 = time.perf_counter()
    published = 0
    while published < backlog:  # as `run` does: batches in a row
        published += await relay.publish_available()
    t_relay = time.perf_counter() - t0
    await relay.close()
    await engine.dispose()

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", max_batch_size=256 * 1024
    )
    await producer.start()
    t0 = time.perf_counter()
    for start in range(0, len(payloads), settings.relay_batch_size):
        futures = [
            await producer.send("bench-raw", value=value, key=key.encode())
            for key, value in payloads[start : start + settings.relay_batch_size]
        ]
        await asyncio.gather(*futures)
    t_raw = time.perf_counter() - t0
    # The relay sends one record batch per partition (send_batch), not one send() per event
    # as the baseline above does: the same API used raw, for comparison (not a goal).
    t0 = time.perf_counter()
    partitions = sorted(await producer.partitions_for("bench-raw"))
    for start in range(0, len(payloads), settings.relay_batch_size):
        batches: dict[int, Any] = {}
        futures = []
        for key, value in payloads[start : start + settings.relay_batch_size]:
            key_bytes = key.encode()
            p = partition_for(key_bytes, partitions)
            batch = batches.get(p) or batches.setdefault(p, producer.create_batch())
            if batch.append(key=key_bytes, value=value, timestamp=None) is None:
                futures.append(await producer.send_batch(batches.pop(p), "bench-raw", partition=p))
                batch = batches.setdefault(p, producer.create_batch())
                batch.append(key=key_bytes, value=value, timestamp=None)
        for p, batch in batches.items():
            futures.append(await producer.send_batch(batch, "bench-raw", partition=p))
        await asyncio.gather(*futures)
    t_raw_batch = time.perf_counter() - t0
    await producer.stop()
    report(
        "outbox relay (claim → send → mark published)",
        f"{backlog / t_relay:,.0f} events/s",
        f"{backlog:,} events, batch {settings.relay_batch_size}",
    )
    report("raw aiokafka, same messages, same batching", f"{len(payloads) / t_raw:,.0f} events/s")
    report(
        "  raw aiokafka, one record batch per partition",
        f"{len(payloads) / t_raw_batch:,.0f} events/s",
        f"relay / this {t_raw_batch / t_relay:.2f} (not a goal: the relay's own send API)",
    )
    report("relay / raw", f"{t_raw / t_relay:.2f}")
    goals["outbox relay / raw aiokafka, same batching"] = (t_raw / t_relay, "≥ 0.5")


def token() -> str:
    caller = Caller(subject="bench", role=Role.ministry)
    return mint_internal_token(SECRET, caller, ttl=dt.timedelta(hours=1))


def registry_server(settings: RegistrySettings) -> contextlib.AbstractContextManager[str]:
    """The registry under uvicorn (1 worker). Its relay is off: section 2 measures the relay."""
    env = {
        "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "INTERNAL_TOKEN_SECRET": SECRET,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "BACKGROUND_WORKERS": "false",
    }
    return uvicorn_server("registry.main:app", env)


async def bench_http(settings: RegistrySettings, base: str) -> None:
    print("\n3. GET /api/v1/enterprises/{id} (uvicorn, 1 worker; wrk -t2 -c32 -d10s)", flush=True)
    if not shutil.which("wrk"):
        print("  wrk not installed (make bench installs it from Debian); skipped")
        return
    dsn = settings.database_url.replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    ids = [
        str(r["id"])
        for r in await conn.fetch("SELECT id FROM enterprises ORDER BY random() LIMIT 2000")
    ]
    await conn.close()
    identity = {"X-IIMS-Identity": token()}
    server = {"registry": base}
    wrk(base + "/healthz", identity, None, seconds=2)  # warm-up
    health = wrk(base + "/healthz", identity, None, servers=server)
    paths = [f"/api/v1/enterprises/{i}" for i in ids]
    wrk(base, identity, paths, seconds=2)
    read = wrk(base, identity, paths, servers=server)
    rps, rps_h = read.rps, health.rps
    report(
        "GET /enterprises/{id} (random of 2,000 ids)",
        f"{rps:,.0f} req/s",
        f"p50 {read.p50}, p99 {read.p99}, {read.cpu_us('registry'):,.0f} us CPU/request",
    )
    report(
        "GET /healthz on the same server (baseline)",
        f"{rps_h:,.0f} req/s",
        f"p50 {health.p50}, p99 {health.p99}, {health.cpu_us('registry'):,.0f} us CPU/request",
    )
    goals["GET enterprise by id / healthz"] = (rps / rps_h, "≥ 0.35")
    report("enterprise read / healthz", f"{rps / rps_h:.2f}")


SIZE_WORDS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
CHINESE_HEADER = ["统一社会信用代码", "企业名称", "所在省份", "行业门类", "企业规模"]


def provincial_rows(seed: int) -> list[list[str]]:
    """BENCH_ROWS rows as provinces write them: province names, Chinese size words."""
    rng = random.Random(seed)
    out: list[list[str]] = []
    seen: set[str] = set()
    words = "华宏兴永昌盛恒通达新远泰鑫金瑞丰安康明和德海天宇博创联信正东"
    provinces = list(PROVINCES)
    while len(out) < ROWS:
        province = rng.choice(provinces)
        code = make_uscc(
            "91" + province[:2] + "0102" + "".join(rng.choice(ALPHABET) for _ in range(9))
        )
        if code in seen:
            continue
        seen.add(code)
        section = rng.choice("CCCCCDEGI")
        out.append(
            [
                code,
                f"{PROVINCES[province][:2]}{rng.choice(words)}{rng.choice(words)}智能{len(out)}有限公司",
                PROVINCES[province],
                section + rng.choice(INDUSTRY_SECTIONS[section].divisions),
                SIZE_WORDS[rng.choice(list(SIZE_WORDS))],
            ]
        )
    return out


def encode_csv(rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CHINESE_HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def encode_xlsx(rows: list[list[str]]) -> bytes:
    """The list as an .xlsx shaped like Excel's and WPS's: written by openpyxl's streaming
    writer, which leaves out the sheet's `<dimension>` element; Excel and WPS always write
    it, and without it openpyxl's read-only reader parses the whole sheet twice (once to
    find the size), which would measure a file no province sends."""
    import zipfile

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(CHINESE_HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    last = f"{chr(ord('A') + len(CHINESE_HEADER) - 1)}{len(rows) + 1}"
    shaped = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as src,
        zipfile.ZipFile(shaped, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                dimension = f'<dimension ref="A1:{last}"/><sheetViews>'.encode()
                data = data.replace(b"<sheetViews>", dimension, 1)  # its place in the schema
            dst.writestr(item, data)
    return shaped.getvalue()


async def bench_formats(base: str) -> None:
    from registry.service.enterprises import parse_rows

    print(f"\n4. the same {ROWS:,}-row provincial list in three formats", flush=True)
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    shapes = [
        ("UTF-8 CSV", lambda r: encode_csv(r, "utf-8"), "text/csv"),
        ("GB18030 CSV", lambda r: encode_csv(r, "gb18030"), "text/csv"),
        (".xlsx", encode_xlsx, xlsx_type),
    ]
    read_rate: dict[str, float] = {}
    import_rate: dict[str, float] = {}
    for seed, (label, encode, content_type) in enumerate(shapes, start=100):
        raw = encode(provincial_rows(seed))
        t0 = time.perf_counter()
        parsed, _table = parse_rows(raw, content_type, ROWS)
        t_read = time.perf_counter() - t0
        assert len(parsed) == ROWS
        headers = {"X-IIMS-Identity": token(), "Content-Type": content_type}
        t0 = time.perf_counter()
        async with httpx.AsyncClient(base_url=base, timeout=900) as client:
            response = await client.post("/api/v1/enterprises/import", content=raw, headers=headers)
        t_import = time.perf_counter() - t0
        body = response.json()
        assert response.status_code == 200 and body["created"] == ROWS, str(body)[:500]
        read_rate[label], import_rate[label] = ROWS / t_read, ROWS / t_import
        report(
            f"{label}: reader only ({len(raw) / 1e6:.1f} MB)",
            f"{ROWS / t_read:,.0f} rows/s",
            f"{t_read:.2f} s",
        )
        report(f"{label}: import over HTTP", f"{ROWS / t_import:,.0f} rows/s", f"{t_import:.1f} s")
    for label in ("GB18030 CSV", ".xlsx"):
        report(
            f"{label} / UTF-8 CSV (reader, import)",
            f"{read_rate[label] / read_rate['UTF-8 CSV']:.2f}, "
            f"{import_rate[label] / import_rate['UTF-8 CSV']:.2f}",
            "(1.00 = as fast as UTF-8 CSV)",
        )


async def main() -> None:
    port = free_port()
    broker = start_broker(port)
    try:
        url = (
            pg_url("iims_registry_bench" + os.environ.get("IIMS_TEST_DB_SUFFIX", ""))
            if os.environ.get("BENCH_REUSE_DB")
            else create_migrated_database("iims_registry_bench")
        )
        settings = RegistrySettings(
            database_url=url,
            kafka_bootstrap_servers=f"127.0.0.1:{port}",
            internal_token_secret=SECRET,
            environment="test",
            relay_batch_size=1000,
            log_json=False,
        )
        print(
            f"registry benchmarks — PostgreSQL {url}, broker 127.0.0.1:{port} (tansu, memory-only)"
        )
        parts = os.environ.get("BENCH_PARTS", "import,relay,http,formats").split(",")
        with registry_server(settings) as base:
            if "import" in parts:
                await bench_import(settings, base, make_rows(ROWS))
            if "relay" in parts:
                await bench_relay(settings)
            if "http" in parts:
                await bench_http(settings, base)
            if "formats" in parts:
                await bench_formats(base)
    finally:
        stop_broker(broker)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print("\ngoals (issue 17; ratios of this run)")
    for name, (value, target) in goals.items():
        goal(name, value, target)


if __name__ == "__main__":
    asyncio.run(main())
