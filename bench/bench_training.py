"""`make bench` (training): enrollments/s with 50 concurrent clients racing for one session's
last seats — and zero over-booking — next to a single client enrolling one at a time.

Prints numbers; asserts only that no session ends over capacity.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import time
import uuid

import httpx

from iims_common.broker import free_port, wait_for_port
from iims_common.identity import Caller, Role, mint_internal_token
from iims_common.testing import create_migrated_database
from training.domain.id_number import check_character

SECRET = "bench-internal-secret-of-sufficient-length"
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1200"))
CLIENTS = 50
SEATS = 100


def token(role: Role, org: uuid.UUID | None = None) -> dict[str, str]:
    caller = Caller(subject=f"bench-{role}", role=role, organization_id=org)
    return {"X-IIMS-Identity": mint_internal_token(SECRET, caller, ttl=dt.timedelta(hours=1))}


def id_numbers(n: int) -> list[str]:
    rng, out = random.Random(11), set[str]()
    while len(out) < n:
        first17 = f"110105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        out.add(first17 + check_character(first17))
    return sorted(out)


async def main() -> None:
    url = create_migrated_database("iims_training_bench", service="training")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "INTERNAL_TOKEN_SECRET": SECRET,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "BACKGROUND_WORKERS": "false",
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
    }
    cmd = [sys.executable, "-m", "uvicorn", "training.main:app", "--port", str(port)]
    server = subprocess.Popen([*cmd, "--no-access-log", "--log-level", "warning"], env=env)
    try:
        wait_for_port(port, 30)
        org = uuid.uuid4()
        ministry, agency = token(Role.ministry), token(Role.consultancy, org)
        limits = httpx.Limits(max_connections=CLIENTS)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits
        ) as c:

            async def new_session(capacity: int) -> str:
                body = {
                    "programme_code": "enterprise-phase-1",
                    "starts_on": "2014-06-16",
                    "ends_on": "2014-06-18",
                    "location": "北京",
                    "lecturers": "联合工作组",
                    "capacity": capacity,
                }
                r = await c.post("/api/v1/sessions", json=body, headers=ministry)
                return str(r.json()["id"])

            sem = asyncio.Semaphore(CLIENTS)

            async def register(number: str) -> str:
                async with sem:
                    body = {"name": "学员", "id_number": number, "organization_kind": "agency"}
                    r = await c.post("/api/v1/people", json=body, headers=agency)
                    return str(r.json()["id"])

            people = await asyncio.gather(*(register(n) for n in id_numbers(PEOPLE)))
            half = len(people) // 2
            print(f"training benchmarks — {len(people):,} people registered; {CLIENTS} clients")

            # Baseline: one client, one enrollment at a time, plenty of seats.
            single = await new_session(capacity=len(people))
            t0 = time.perf_counter()
            for p in people[:half]:
                r = await c.post(
                    f"/api/v1/sessions/{single}/enrollments", json={"person_id": p}, headers=agency
                )
                assert r.status_code == 201, r.text
            t_single = time.perf_counter() - t0

            # Contention: 50 clients at once for SEATS seats (the rest go to the waitlist).
            raced = await new_session(capacity=SEATS)
            queue = list(people[half:])

            async def client_loop() -> None:
                while queue:
                    p = queue.pop()
                    r = await c.post(
                        f"/api/v1/sessions/{raced}/enrollments",
                        json={"person_id": p},
                        headers=agency,
                    )
                    assert r.status_code == 201, r.text

            t0 = time.perf_counter()
            await asyncio.gather(*(client_loop() for _ in range(CLIENTS)))
            t_race = time.perf_counter() - t0
            detail = (await c.get(f"/api/v1/sessions/{raced}", headers=ministry)).json()
    finally:
        server.terminate()
        server.wait(15)
    n_race = len(people) - half
    assert detail["seats_taken"] == SEATS, detail  # zero over-booking
    print(
        f"  single client, free seats            {half / t_single:10,.0f} enrollments/s  ({half} in {t_single:.1f} s)"
    )
    print(
        f"  {CLIENTS} clients racing for {SEATS} seats      {n_race / t_race:10,.0f} enrollments/s  ({n_race} in {t_race:.1f} s)"
    )
    print(
        f"  seats taken / capacity                {detail['seats_taken']}/{SEATS}, waitlisted {detail['waitlisted']}"
    )
    print(f"  concurrent / single                   {(n_race / t_race) / (half / t_single):10.2f}")


if __name__ == "__main__":
    asyncio.run(main())
