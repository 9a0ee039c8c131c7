"""`make bench` (audit): the automatic scheduler on 1,000 applications and 200 auditors over a
2-month window (the seed's certification pilot ran in November–December) — time, audits
placed, rules broken (must be 0) — next to a greedy first-fit baseline in the same run.
Prints numbers only."""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from collections import Counter

from audit.domain.enums import AuditKind, QualificationKind
from audit.domain.scheduler import AuditRequest, Schedule, greedy_first_fit, schedule, verify
from audit.domain.team_rules import Auditor, Enterprise, Qualification, Span, audit_days

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "1000"))
AUDITORS = int(os.environ.get("BENCH_AUDITORS", "200"))
BODIES = 20
BUDGET_S = float(os.environ.get("BENCH_SCHEDULER_SECONDS", "60"))
WINDOW = Span(dt.date(2014, 11, 1), dt.date(2014, 12, 31))
SECTIONS = "CCCCDDEGIB"  # manufacturing-heavy, like the 2014 pilots


def instance(seed: int = 2014) -> tuple[list[AuditRequest], list[Auditor]]:
    rng = random.Random(seed)
    bodies = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(BODIES)]
    consultancies = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(40)]
    pool = []
    for i in range(AUDITORS):
        body = bodies[i % BODIES]
        lead = rng.random() < 0.3
        kind = QualificationKind.lead_auditor if lead else QualificationKind.auditor
        granted = dt.date(2014, 10, 20) + dt.timedelta(
            days=rng.randint(0, 20)
        )  # trained in October
        quals = [Qualification(f"Q{i}", kind, body, granted, dt.date(2017, 10, 31))]
        if rng.random() < 0.2:  # used to work for a consultancy
            start = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 1400))
            quals.append(
                Qualification(
                    f"C{i}",
                    QualificationKind.consultant,
                    rng.choice(consultancies),
                    start,
                    start + dt.timedelta(days=rng.randint(200, 900)),
                )
            )
        off: tuple[Span, ...] = ()
        if rng.random() < 0.15:
            o = WINDOW.start + dt.timedelta(days=rng.randint(0, 54))
            off = (Span(o, o + dt.timedelta(days=6)),)
        pool.append(
            Auditor(
                person_id=uuid.UUID(int=rng.getrandbits(128)),
                name=f"A{i}",
                body_id=body,
                qualifications=tuple(quals),
                competences=frozenset(rng.sample("BCDEGI", 2)),
                unavailable=off,
            )
        )
    requests = []
    for _ in range(APPLICATIONS):
        size = rng.choice(["large", "large", "medium", "medium", "small", "micro"])
        audit_kind = AuditKind.stage1 if rng.random() < 0.6 else AuditKind.stage2
        requests.append(
            AuditRequest(
                ref=uuid.UUID(int=rng.getrandbits(128)),
                kind=audit_kind,
                body_id=rng.choice(bodies),
                enterprise=Enterprise(
                    uuid.UUID(int=rng.getrandbits(128)),
                    rng.choice(SECTIONS) + f"{rng.randint(13, 43)}",
                    size,
                    rng.choice(consultancies),
                ),
                days=audit_days(audit_kind, size),
                earliest=WINDOW.start + dt.timedelta(days=rng.randint(0, 20)),
            )
        )
    return requests, pool


def report(name: str, result: Schedule, requests: list[AuditRequest], pool: list[Auditor]) -> None:
    broken = verify(result, requests, pool, WINDOW)
    reasons = Counter(u.rule for u in result.unplaced)
    print(
        f"  {name:<22} placed {len(result.placements):>5} / {len(requests)}   "
        f"{result.seconds:7.2f} s   rules broken {len(broken)}"
    )
    print(f"  {'':<22} unplaced by reason: {dict(sorted(reasons.items()))}")


def main() -> None:
    print("audit benchmarks")
    print(
        f"scheduler: {APPLICATIONS:,} applications, {AUDITORS} auditors in {BODIES} bodies, "
        f"window {WINDOW.start}..{WINDOW.end} ({WINDOW.days} days), teams of 2"
    )
    requests, pool = instance()
    greedy = greedy_first_fit(requests, pool, WINDOW)
    solved = schedule(requests, pool, WINDOW, time_limit_s=BUDGET_S, workers=2)
    report("greedy first-fit", greedy, requests, pool)
    report(f"CP-SAT ({BUDGET_S:.0f} s budget)", solved, requests, pool)
    print(
        f"  placed ratio CP-SAT/greedy {len(solved.placements) / max(1, len(greedy.placements)):.3f}"
        f"   time ratio {solved.seconds / max(1e-9, greedy.seconds):.1f}x"
        f"   proven optimal: {solved.optimal}"
    )
    static = sum(1 for u in solved.unplaced if not u.rule.startswith("schedule."))
    print(
        f"  solver's proven bound: at most {solved.upper_bound} of the {len(requests) - static} "
        f"audits that have an eligible team could be placed"
    )


if __name__ == "__main__":
    main()
