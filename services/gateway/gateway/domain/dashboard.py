"""Dashboards (national for the ministry, provincial for a province) as counters.

Every fact the gateway consumes turns into increments of (scope, province, metric) — scope
a batch id (or "all" for facts not tied to a batch), province a GB/T 2260 code or
NATIONAL — applied in the consuming transaction. A dashboard read is then one indexed
range scan, whatever the number of enterprises.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NATIONAL = "000000"
ALL = "all"
STATUSES = ("enrolled", "implementing", "basically_compliant", "certified", "withdrawn")


@dataclass(frozen=True)
class Delta:
    scope: str
    metric: str
    value: float = 1.0


def both(province: str | None, deltas: list[Delta]) -> list[tuple[str, str, str, float]]:
    """Each delta for the province and for the national total."""
    rows = []
    for d in deltas:
        rows.append((d.scope, NATIONAL, d.metric, d.value))
        if province and province != NATIONAL:
            rows.append((d.scope, province, d.metric, d.value))
    return rows


def enterprise_deltas(
    scope: str,
    latest_score: float | None,
    certified: bool,
    audit_counts: dict[str, int],
    sign: int = 1,
) -> list[Delta]:
    """What one enterprise's facts add to a scope (sign=-1 takes them out again): used when
    its pilot-enrolled event arrives after facts filed under ALL — events of different
    topics are consumed in no order, so a score or a certificate can be read first."""
    out: list[Delta] = []
    if latest_score is not None:
        out += [Delta(scope, "assessed", sign), Delta(scope, "score_sum", sign * latest_score)]
    if certified:
        out.append(Delta(scope, "certified", sign))
    out += [Delta(scope, f"audits.{s}", sign * n) for s, n in sorted(audit_counts.items()) if n]
    return out


def pilot_status_deltas(batch: str, previous: str | None, status: str) -> list[Delta]:
    out = [Delta(batch, f"pilots.{status}")]
    if previous:
        out.append(Delta(batch, f"pilots.{previous}", -1))
    return out


def score_deltas(batch: str, previous: float | None, score: float) -> list[Delta]:
    """The average index is score_sum / assessed over each enterprise's latest score."""
    if previous is None:
        return [Delta(batch, "assessed"), Delta(batch, "score_sum", score)]
    return [Delta(batch, "score_sum", score - previous)]


@dataclass(frozen=True)
class BatchView:
    batch_id: str
    year: int
    name: str | None
    pilot_quota: int | None
    certification_target: int | None
    counters: dict[str, float]
    plans_submitted: int
    plans_late: int
    plans_missing: int | None


def view(
    batch_id: str,
    year: int,
    name: str | None,
    quota: int | None,
    target: int | None,
    counters: dict[str, float],
    plans: tuple[int, int, int | None],
) -> dict[str, object]:
    """The numbers the users asked for, per batch."""
    c = counters
    assessed = int(c.get("assessed", 0))
    reports = {k.split(".", 1)[1]: int(v) for k, v in c.items() if k.startswith("reports.")}
    latest_period = max(reports) if reports else None
    active = int(c.get("pilots", 0) - c.get("pilots.withdrawn", 0))
    return {
        "batch_id": batch_id,
        "year": year,
        "name": name,
        "recommended": int(c.get("recommended", 0)),
        "pilots": int(c.get("pilots", 0)),
        "pilot_quota": quota,
        "pilots_by_status": {s: int(c.get(f"pilots.{s}", 0)) for s in STATUSES},
        "assessments_done": assessed,
        "average_index": round(c.get("score_sum", 0) / assessed, 2) if assessed else None,
        "audits_scheduled": int(c.get("audits.planned", 0)),
        "audits_completed": int(c.get("audits.completed", 0)),
        "certified": int(c.get("certified", 0)),
        "certification_target": target,
        "province_plans": {"submitted": plans[0], "late": plans[1], "missing": plans[2]},
        "progress_reports": {
            "latest_period": latest_period,
            "submitted": reports.get(latest_period, 0) if latest_period else 0,
            "missing": max(0, active - reports.get(latest_period, 0)) if latest_period else active,
        },
    }


def programme_view(
    year: int,
    tasks: list[tuple[dt.date, dt.date | None, bool]],
    meetings: list[tuple[str, str, str | None, dt.date | None, str, int, int]],
    counters: dict[str, float],
    today: dt.date,
) -> dict[str, object]:
    """One programme year: tasks (due_on, completed_on, periodic) counted as done, done late,
    overdue (not done after the due date, on `today`) or open; the latest period's periodic
    报送 (received, late among them, missing = periodic tasks − received); meetings by status
    and the next ones (title, kind, province, starts_on, status, registered, attended); funds."""
    done = sum(1 for due, completed, _ in tasks if completed is not None and completed <= due)
    late_done = sum(1 for due, completed, _ in tasks if completed is not None and completed > due)
    overdue = sum(1 for due, completed, _ in tasks if completed is None and today > due)
    periodic = sum(1 for _, _, p in tasks if p)
    received = {
        k.split(".", 1)[1]: int(v) for k, v in counters.items() if k.startswith("task_reports.")
    }
    latest = max(received) if received else None
    by_status: dict[str, int] = {}
    for m in meetings:
        by_status[m[4]] = by_status.get(m[4], 0) + 1
    upcoming = sorted(
        (m for m in meetings if m[4] in ("planned", "scheduled")),
        key=lambda m: (m[3] or dt.date.max, m[0]),
    )[:5]
    return {
        "year": year,
        "tasks": {
            "total": len(tasks),
            "done": done,
            "done_late": late_done,
            "overdue": overdue,
            "open": len(tasks) - done - late_done - overdue,
        },
        "reporting": {
            "latest_period": latest,
            "received": received.get(latest, 0) if latest else 0,
            "late": int(counters.get(f"task_reports_late.{latest}", 0)) if latest else 0,
            "missing": max(0, periodic - received.get(latest, 0)) if latest else periodic,
        },
        "meetings": {
            "total": len(meetings),
            "by_status": by_status,
            "registered": sum(m[5] for m in meetings),
            "attended": sum(m[6] for m in meetings),
            "next": [
                {
                    "title": m[0],
                    "kind": m[1],
                    "province_code": m[2],
                    "starts_on": m[3],
                    "status": m[4],
                }
                for m in upcoming
            ],
        },
        "funds": {
            "allocated_yuan": int(counters.get("funds.allocated_yuan", 0)),
            "disbursed_yuan": int(counters.get("funds.disbursed_yuan", 0)),
            "allocations": int(counters.get("funds.allocations", 0)),
        },
    }
