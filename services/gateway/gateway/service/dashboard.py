"""The dashboards' read model: facts from events in, counters out (no fan-out on read)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import (
    DashBatch,
    DashCounter,
    DashEnterprise,
    DashMeeting,
    DashPlan,
    DashTask,
)
from gateway.domain import dashboard as rules
from gateway.domain.dashboard import ALL, NATIONAL, Delta
from iims_common.db import upsert_insert
from iims_common.errors import NotFound
from iims_common.i18n import _
from iims_common.regions import PROVINCES

PROVINCE_COUNT = 31  # 31 provincial-level divisions in the programme (GB/T 2260)


async def add(session: AsyncSession, province: str | None, deltas: list[Delta]) -> None:
    rows = rules.both(province, deltas)
    if not rows:
        return
    table = DashCounter.__table__
    stmt = upsert_insert(session, table).values(
        [{"scope": s, "province_code": p, "metric": m, "value": v} for s, p, m, v in rows]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["scope", "province_code", "metric"],
            set_={"value": table.c.value + stmt.excluded.value},
        )
    )


async def enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> DashEnterprise:
    row = await session.get(DashEnterprise, enterprise_id, with_for_update=True)
    if row is None:
        row = DashEnterprise(enterprise_id=enterprise_id)
        session.add(row)
        await session.flush()
    return row


async def enterprise_registered(session: AsyncSession, data: dict[str, Any]) -> None:
    """An enterprise's province, for the events about it that do not carry one."""
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    e.province_code = data.get("province_code") or e.province_code


async def recommendation_made(session: AsyncSession, data: dict[str, Any]) -> None:
    """One more enterprise recommended for the batch (推荐)."""
    await add(session, data.get("province_code"), [Delta(str(data["batch_id"]), "recommended")])


async def training_completed(session: AsyncSession, data: dict[str, Any]) -> None:
    """One more person trained."""
    await add(session, data.get("province_code"), [Delta(ALL, "trained")])


async def qualification_granted(session: AsyncSession, data: dict[str, Any]) -> None:
    """One more person qualified, counted by kind (qualified.auditor, …)."""
    await add(session, data.get("province_code"), [Delta(ALL, f"qualified.{data['kind']}")])


async def not_counted(session: AsyncSession, data: dict[str, Any]) -> None:
    """An event the dashboards do not count (it is consumed for the webhooks only)."""
    return None


async def batch_updated(session: AsyncSession, data: dict[str, Any]) -> None:
    batch_id = uuid.UUID(str(data["batch_id"]))
    row = await session.get(DashBatch, batch_id, with_for_update=True)
    if row is None:
        row = DashBatch(batch_id=batch_id, year=int(data["year"]))
        session.add(row)
    row.year, row.name = int(data["year"]), data.get("name")
    row.pilot_quota, row.certification_target = (
        data.get("pilot_quota"),
        data.get("certification_target"),
    )
    deadline = data.get("plan_deadline")
    row.plan_deadline = dt.date.fromisoformat(deadline) if deadline else None


async def _move(
    session: AsyncSession, e: DashEnterprise, batch_id: uuid.UUID | None, province: str | None
) -> None:
    """Re-file the enterprise's facts (score, certificate, audits) under a new batch or a
    province learned late: events of different topics are consumed in no order, so a score
    can be read before the pilot-enrolled event that names the batch and the province."""
    old_scope = str(e.batch_id) if e.batch_id else ALL
    new_scope = str(batch_id) if batch_id else ALL
    if (old_scope, e.province_code) != (new_scope, province):
        facts = (e.latest_score, e.certified, dict(e.audit_counts or {}))
        await add(session, e.province_code, rules.enterprise_deltas(old_scope, *facts, sign=-1))
        await add(session, province, rules.enterprise_deltas(new_scope, *facts))
    e.batch_id, e.province_code = batch_id, province


async def _learn_province(session: AsyncSession, e: DashEnterprise, data: dict[str, Any]) -> None:
    if e.province_code is None and data.get("province_code"):
        await _move(session, e, e.batch_id, str(data["province_code"]))


async def pilot_enrolled(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    batch = str(data["batch_id"])
    province = data.get("province_code") or e.province_code
    if e.batch_id is None:  # facts read before this event were filed under ALL: they move
        await _move(session, e, uuid.UUID(batch), province)
    e.batch_id, e.province_code = uuid.UUID(batch), province
    e.pilot_status = "enrolled"
    if data.get("year") is not None and await session.get(DashBatch, e.batch_id) is None:
        session.add(DashBatch(batch_id=e.batch_id, year=int(data["year"])))
    await add(session, e.province_code, [Delta(batch, "pilots"), Delta(batch, "pilots.enrolled")])


async def pilot_status_changed(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    batch = str(data["batch_id"])
    previous = e.pilot_status or data.get("from_status")
    if previous == data["status"]:
        return
    e.pilot_status = data["status"]
    await add(
        session,
        data.get("province_code"),
        rules.pilot_status_deltas(batch, previous, data["status"]),
    )


async def assessment_scored(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    score = float(data["total_score"])
    scope = str(e.batch_id) if e.batch_id else ALL
    await add(session, e.province_code, rules.score_deltas(scope, e.latest_score, score))
    e.latest_score = score


async def certificate_issued(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    if e.certified:
        return
    await _learn_province(session, e, data)
    e.certified = True
    scope = str(e.batch_id) if e.batch_id else ALL
    await add(session, e.province_code, [Delta(scope, "certified")])


async def audit_updated(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    await _learn_province(session, e, data)
    scope = str(e.batch_id) if e.batch_id else ALL
    deltas = [Delta(scope, f"audits.{data['status']}")]
    counts = dict(e.audit_counts or {})
    counts[data["status"]] = counts.get(data["status"], 0) + 1
    if data.get("from_status"):
        deltas.append(Delta(scope, f"audits.{data['from_status']}", -1))
        counts[data["from_status"]] = counts.get(data["from_status"], 0) - 1
    e.audit_counts = counts  # a new dict: the JSON column notices assignment, not mutation
    await add(session, e.province_code, deltas)


async def progress_reported(session: AsyncSession, data: dict[str, Any]) -> None:
    await add(
        session,
        data.get("province_code"),
        [Delta(str(data["batch_id"]), f"reports.{data['period']}")],
    )


async def province_plan_submitted(session: AsyncSession, data: dict[str, Any]) -> None:
    key = (uuid.UUID(str(data["batch_id"])), str(data["province_code"]))
    if await session.get(DashPlan, key) is None:
        session.add(
            DashPlan(
                batch_id=key[0],
                province_code=key[1],
                submitted_on=dt.date.fromisoformat(str(data["submitted_on"])),
                late=bool(data.get("late")),
            )
        )


# --- the programme's own work (tasks, 报送, meetings, funds) -------------------------------


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def year_scope(year: Any) -> str:
    return f"year:{int(year)}"


async def task_updated(session: AsyncSession, data: dict[str, Any]) -> None:
    """The task as its latest event describes it (events of one task are keyed in order)."""
    task_id = uuid.UUID(str(data["task_id"]))
    row = await session.get(DashTask, task_id, with_for_update=True)
    if row is None:
        row = DashTask(task_id=task_id)
        session.add(row)
    row.year, row.ref = int(data["year"]), str(data["ref"])
    row.province_code = data.get("province_code")
    due = _date(data["due_on"])
    assert due is not None
    row.due_on, row.completed_on = due, _date(data.get("completed_on"))
    row.periodic = bool(data.get("periodic"))


async def submission_received(session: AsyncSession, data: dict[str, Any]) -> None:
    """A periodic 报送 counts per period (received, and late among them)."""
    period = data.get("period")
    if not period:
        return  # a one-off task's submission shows through its task-updated event
    deltas = [Delta(year_scope(data["year"]), f"task_reports.{period}")]
    if data.get("late"):
        deltas.append(Delta(year_scope(data["year"]), f"task_reports_late.{period}"))
    await add(session, data.get("province_code"), deltas)


async def meeting_updated(session: AsyncSession, data: dict[str, Any]) -> None:
    meeting_id = uuid.UUID(str(data["meeting_id"]))
    row = await session.get(DashMeeting, meeting_id, with_for_update=True)
    if row is None:
        row = DashMeeting(meeting_id=meeting_id, registered=0, attended=0)
        session.add(row)
    row.year, row.kind, row.title = int(data["year"]), str(data["kind"]), str(data["title"])
    row.province_code, row.status = data.get("province_code"), str(data["status"])
    row.starts_on = _date(data.get("starts_on"))
    row.registered = int(data.get("registered") or 0)
    if data.get("attended") is not None:
        row.attended = int(data["attended"])


async def fund_allocated(session: AsyncSession, data: dict[str, Any]) -> None:
    amount = int(data["amount_yuan"])
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    e.funds_allocated_yuan = (e.funds_allocated_yuan or 0) + amount
    scope = year_scope(data["year"])
    await add(
        session,
        data.get("province_code"),
        [Delta(scope, "funds.allocated_yuan", amount), Delta(scope, "funds.allocations")],
    )


async def fund_disbursed(session: AsyncSession, data: dict[str, Any]) -> None:
    amount = int(data["amount_yuan"])
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    e.funds_disbursed_yuan = (e.funds_disbursed_yuan or 0) + amount
    await add(
        session,
        data.get("province_code"),
        [Delta(year_scope(data["year"]), "funds.disbursed_yuan", amount)],
    )


async def _programme(
    session: AsyncSession, province: str, today: dt.date, counters: dict[str, dict[str, float]]
) -> list[dict[str, object]]:
    """Per programme year: tasks (done, late, overdue on `today`), the latest period's 报送,
    meetings (planned, held, the next ones) and funds (allocated, disbursed)."""
    tasks = sa.select(DashTask)
    meetings = sa.select(DashMeeting)
    if province != NATIONAL:
        tasks = tasks.where(DashTask.province_code == province)
        meetings = meetings.where(
            sa.or_(DashMeeting.province_code.is_(None), DashMeeting.province_code == province)
        )
    task_rows = list((await session.scalars(tasks)).all())
    meeting_rows = list((await session.scalars(meetings)).all())
    years = sorted(
        {t.year for t in task_rows}
        | {m.year for m in meeting_rows}
        | {int(k.split(":", 1)[1]) for k in counters if k.startswith("year:")}
    )
    out = []
    for year in years:
        mine = [t for t in task_rows if t.year == year]
        c = counters.get(year_scope(year), {})
        out.append(
            rules.programme_view(
                year,
                [(t.due_on, t.completed_on, t.periodic) for t in mine],
                [
                    (
                        m.title,
                        m.kind,
                        m.province_code,
                        m.starts_on,
                        m.status,
                        m.registered,
                        m.attended,
                    )
                    for m in meeting_rows
                    if m.year == year
                ],
                c,
                today,
            )
        )
    return out


async def enterprise_funds(session: AsyncSession, enterprise_id: uuid.UUID) -> dict[str, int]:
    """贯标试点支持 an enterprise received (from fund events), in yuan."""
    row = await session.get(DashEnterprise, enterprise_id)
    return {
        "allocated_yuan": int(row.funds_allocated_yuan or 0) if row else 0,
        "disbursed_yuan": int(row.funds_disbursed_yuan or 0) if row else 0,
    }


async def national(session: AsyncSession, today: dt.date) -> dict[str, object]:
    return await _dashboard(session, NATIONAL, today)


async def provincial(session: AsyncSession, province: str, today: dt.date) -> dict[str, object]:
    return await _dashboard(session, province, today)


async def _dashboard(session: AsyncSession, province: str, today: dt.date) -> dict[str, object]:
    counters: dict[str, dict[str, float]] = {}
    rows = await session.execute(
        sa.select(DashCounter.scope, DashCounter.metric, DashCounter.value).where(
            DashCounter.province_code == province
        )
    )
    for scope, metric, value in rows.all():
        counters.setdefault(scope, {})[metric] = value
    batches = list((await session.scalars(sa.select(DashBatch).order_by(DashBatch.year))).all())
    plans: dict[uuid.UUID, list[DashPlan]] = {}
    for plan in await session.scalars(sa.select(DashPlan)):
        if province in (NATIONAL, plan.province_code):
            plans.setdefault(plan.batch_id, []).append(plan)
    views = []
    for b in batches:
        submitted = plans.get(b.batch_id, [])
        expected = PROVINCE_COUNT if province == NATIONAL else 1
        missing = (
            max(0, expected - len(submitted))
            if b.plan_deadline is not None and today > b.plan_deadline
            else None
        )
        views.append(
            rules.view(
                str(b.batch_id),
                b.year,
                b.name,
                b.pilot_quota,
                b.certification_target,
                counters.get(str(b.batch_id), {}),
                (len(submitted), sum(1 for p in submitted if p.late), missing),
            )
        )
    overall = counters.get(ALL, {})
    return {
        "province_code": None if province == NATIONAL else province,
        "batches": views,
        "programme": await _programme(session, province, today, counters),
        "people_trained": int(overall.get("trained", 0)),
        "people_qualified": {
            k.split(".", 1)[1]: int(v) for k, v in overall.items() if k.startswith("qualified.")
        },
    }


async def require_known_province(province: str) -> None:
    """404 unless `province` is one of GB/T 2260's 31 province-level codes (000000, the
    national sentinel of the read model, is not a province)."""
    if province not in PROVINCES:
        raise NotFound(_("No province {province}", province=province))
