"""`make bench` (gateway): what the one public API costs and how its views scale.

1. GET /api/v1/enterprises/{id} through the gateway vs the registry directly (wrk; the ratio
   is the gateway's overhead: key check, identity signing, one more HTTP hop).
2. The national and a provincial dashboard with 10^6 enterprises in the read model (p50, p95,
   p99 over sequential requests; the target is p95 < 50 ms), and their throughput (wrk).
3. Public certificate verification through the gateway vs the audit service directly.
Prints numbers only (no assertions).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import statistics
import time
import uuid

import asyncpg
import httpx
from harness import goal, ms, uvicorn_server, wrk

from iims_common.identity import Caller, Role, mint_internal_token
from iims_common.settings import to_async_url
from iims_common.testing import SECRET, create_migrated_database

ENTERPRISES = int(os.environ.get("BENCH_DASHBOARD_ENTERPRISES", "1000000"))
ADMIN_PASSWORD = "bench-admin-password-long-enough"
results: dict[str, tuple[float, str]] = {}


def report(name: str, value: str) -> None:
    print(f"  {name:<52} {value}")


def dsn(url: str) -> str:
    return to_async_url(url).replace("postgresql+asyncpg://", "postgresql://")


async def load_read_model(url: str) -> uuid.UUID:
    """10^6 enterprises across 31 provinces and 3 batches, and the counters the consumers
    would have maintained for them (computed here in SQL, once)."""
    conn = await asyncpg.connect(dsn(url))
    batches = [uuid.uuid4() for _ in range(3)]
    try:
        for year, b in zip((2014, 2015, 2016), batches, strict=True):
            await conn.execute(
                "INSERT INTO dash_batches (batch_id, year, name, pilot_quota, certification_target,"
                " plan_deadline) VALUES ($1, $2, $3, 600, 200, '2014-05-31')",
                b,
                year,
                f"{year}年贯标试点",
            )
        await conn.execute(
            """
            INSERT INTO dash_enterprises (enterprise_id, province_code, batch_id, pilot_status,
                                          latest_score, certified)
            SELECT gen_random_uuid(),
                   lpad(((g % 31) + 11)::text, 2, '0') || '0000',
                   (ARRAY[$1::uuid, $2::uuid, $3::uuid])[(g % 3) + 1],
                   (ARRAY['enrolled','implementing','basically_compliant','certified'])[(g % 4) + 1],
                   40 + (g % 50), (g % 4) = 3
            FROM generate_series(1, $4) AS g
            """,
            *batches,
            ENTERPRISES,
        )
        for province in ("e.province_code", "'000000'"):
            await conn.execute(
                f"""
                INSERT INTO dash_counters (scope, province_code, metric, value)
                SELECT e.batch_id::text, {province}, m.metric, sum(m.value)
                FROM dash_enterprises e,
                LATERAL (VALUES ('pilots', 1.0), ('pilots.' || e.pilot_status, 1.0),
                                ('assessed', 1.0), ('score_sum', e.latest_score),
                                ('certified', CASE WHEN e.certified THEN 1.0 ELSE 0 END),
                                ('recommended', 2.0), ('reports.2014-09', 1.0)) AS m(metric, value)
                GROUP BY 1, 2, 3
                ON CONFLICT (scope, province_code, metric) DO UPDATE SET value = excluded.value
                """
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return batches[0]


async def latencies(base: str, path: str, headers: dict[str, str], n: int = 300) -> list[float]:
    out = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as c:
        for _ in range(20):
            await c.get(path)
        for _ in range(n):
            t0 = time.perf_counter()
            r = await c.get(path)
            out.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def main() -> None:
    print("gateway benchmarks")
    if not shutil.which("wrk"):
        print("  wrk not installed (make bench installs it from Debian); skipped")
        return
    urls = {
        s: create_migrated_database(f"iims_bench_gw_{s}", service=s)
        for s in ("registry", "audit", "gateway")
    }
    common = {
        "INTERNAL_TOKEN_SECRET": SECRET,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        "BACKGROUND_WORKERS": "false",
        "VERIFICATION_RATE_LIMIT": "100000000/minute",
    }
    print(f"loading {ENTERPRISES:,} enterprises into the gateway's read model …", flush=True)
    t0 = time.perf_counter()
    await load_read_model(urls["gateway"])
    print(f"  loaded in {time.perf_counter() - t0:.1f} s")
    with (
        uvicorn_server(
            "registry.main:app", {**common, "DATABASE_URL": urls["registry"]}
        ) as registry,
        uvicorn_server("audit.main:app", {**common, "DATABASE_URL": urls["audit"]}) as audit,
        uvicorn_server(
            "gateway.main:app",
            {
                **common,
                "DATABASE_URL": urls["gateway"],
                "REGISTRY_URL": registry,
                "AUDIT_URL": audit,
                "ADMIN_PASSWORD": ADMIN_PASSWORD,
                "JWT_SECRET": "bench-jwt-secret-long-enough-for-hs256",
                "RATE_LIMIT_PER_KEY": "100000000/minute",
                "RATE_LIMIT_VERIFICATION": "100000000/minute",
            },
        ) as gateway,
    ):
        async with httpx.AsyncClient(base_url=gateway, timeout=30) as c:
            login = await c.post(
                "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
            )
            bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
            key = (
                await c.post(
                    "/api/v1/api-keys",
                    json={"name": "bench", "role": "ministry", "is_admin": True},
                    headers=bearer,
                )
            ).json()["api_key"]
            api = {"X-API-Key": key}
            ids = []
            for i in range(50):
                r = await c.post(
                    "/api/v1/enterprises",
                    headers=api,
                    json={
                        "uscc": _uscc(i),
                        "name": f"基准测试企业{i}有限公司",
                        "province_code": "320000",
                        "industry_code": "C34",
                        "size": "medium",
                    },
                )
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])
        paths = [f"/api/v1/enterprises/{i}" for i in ids]
        identity = {
            "X-IIMS-Identity": mint_internal_token(
                SECRET, Caller(subject="bench", role=Role.ministry), ttl=dt.timedelta(hours=1)
            )
        }
        print("\n1. GET /api/v1/enterprises/{id} (uvicorn 1 worker each; wrk -t2 -c32 -d10s)")
        both = {"gateway": gateway, "registry": registry}
        wrk(registry, identity, paths, seconds=2)
        direct = wrk(registry, identity, paths, servers=both)
        wrk(gateway, api, paths, seconds=2)
        through = wrk(gateway, api, paths, servers=both)
        report("registry directly", f"{direct.rps:,.0f} req/s  p50 {direct.p50}  p99 {direct.p99}")
        report(
            "through the gateway",
            f"{through.rps:,.0f} req/s  p50 {through.p50}  p99 {through.p99}",
        )
        report(
            "CPU per request: gateway, registry (own counters)",
            f"{through.cpu_us('gateway'):,.0f} us, {through.cpu_us('registry'):,.0f} us"
            f" (registry alone: {direct.cpu_us('registry'):,.0f} us)",
        )
        one_direct = wrk(registry, identity, paths, connections=1)
        one_through = wrk(gateway, api, paths, connections=1)
        added = ms(one_through.p50) - ms(one_direct.p50)
        report(
            "1 connection: p50 directly, through the gateway",
            f"{one_direct.p50}, {one_through.p50}",
        )
        results["gateway GET enterprise / registry directly (wrk -c32)"] = (
            through.rps / direct.rps,
            "≥ 0.6",
        )
        results["gateway's added p50 at 1 connection (ms)"] = (added, "≤ 1.0")

        print(f"\n2. dashboards with {ENTERPRISES:,} enterprises in the read model")
        for name, path in (
            ("national", "/api/v1/dashboards/national"),
            ("provincial (320000)", "/api/v1/dashboards/provinces/320000"),
        ):
            lat = await latencies(gateway, path, api)
            report(
                f"{name}: sequential latency",
                f"p50 {pct(lat, 50):.1f} ms  p95 {pct(lat, 95):.1f} ms  p99 {pct(lat, 99):.1f} ms",
            )
            m = wrk(gateway + path, api, None)
            report(f"{name}: wrk -c32", f"{m.rps:,.0f} req/s  p50 {m.p50}  p99 {m.p99}")

        print("\n3. public certificate verification (rate limits lifted for the measurement)")
        number = await _certificate(urls["audit"])
        path = f"/api/v1/public/certificates/{number}"
        pair = {"gateway": gateway, "audit": audit}
        wrk(audit + path, {}, None, seconds=2)
        direct = wrk(audit + path, {}, None, servers=pair)
        wrk(gateway + path, {}, None, seconds=2)
        through = wrk(gateway + path, {}, None, servers=pair)
        miss = wrk(gateway + "/api/v1/public/certificates/IIMS-RZ-2014-NOTANUMBER", {}, None)
        report("audit directly", f"{direct.rps:,.0f} req/s  p50 {direct.p50}  p99 {direct.p99}")
        report(
            "through the gateway",
            f"{through.rps:,.0f} req/s  p50 {through.p50}  p99 {through.p99}",
        )
        report(
            "CPU per request: gateway, audit (own counters)",
            f"{through.cpu_us('gateway'):,.0f} us, {through.cpu_us('audit'):,.0f} us"
            f" (audit alone: {direct.cpu_us('audit'):,.0f} us)",
        )
        report(
            "through the gateway, unknown number (404)", f"{miss.rps:,.0f} req/s  p50 {miss.p50}"
        )
        results["certificate verification via gateway / directly"] = (
            through.rps / direct.rps,
            "≥ 0.6",
        )

    print("\ngoals (issue 17; ratios of this run)")
    for name, (value, target) in results.items():
        goal(name, value, target)


def _uscc(i: int) -> str:
    from registry.domain.uscc import make_uscc

    return make_uscc(f"913201027{i:08d}")


async def _certificate(url: str) -> str:
    """One issued certificate in the audit database (the flow itself is tested elsewhere)."""
    conn = await asyncpg.connect(dsn(url))
    number = "IIMS-RZ-2014-BENCH7K3Q9"
    body, enterprise, application = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        await conn.execute(
            "INSERT INTO agencies (id, name, kind, status, updated_at) VALUES ($1, '认定机构',"
            " 'certification_body', 'authorized', now())",
            body,
        )
        await conn.execute(
            "INSERT INTO enterprises (id, name, updated_at) VALUES ($1, '基准企业', now())",
            enterprise,
        )
        await conn.execute(
            """INSERT INTO applications (id, enterprise_id, body_id, scope, site,
               system_running_since, internal_audit_done, management_review_done, status,
               created_at, updated_at, version)
               VALUES ($1, $2, $3, '范围', '南京', '2014-01-01', true, true, 'certified',
               now(), now(), 1)""",
            application,
            enterprise,
            body,
        )
        await conn.execute(
            """INSERT INTO certificates (id, number, application_id, enterprise_id,
               enterprise_name, site, scope, standard, edition, body_id, body_name, decision_on,
               effective_on, valid_until, status, created_at, version)
               VALUES ($1, $2, $3, $4, '基准企业', '南京', '范围', '信息化和工业化融合管理体系 要求',
               '试行', $5, '认定机构', '2014-12-15', '2014-12-15', '2099-12-14', 'valid', now(), 1)""",
            uuid.uuid4(),
            number,
            application,
            enterprise,
            body,
        )
    finally:
        await conn.close()
    return number


if __name__ == "__main__":
    asyncio.run(main())
