"""The dashboards' read model: facts from events in, counters out (no fan-out on read)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import DashBatch, DashCounter, DashEnterprise, DashPlan
from gateway.domain import dashboard as rules
from gateway.domain.dashboard import ALL, NATIONAL, Delta
from iims_common.db import upsert_insert
from iims_common.errors import NotFound
from iims_common.identifiers import is_ascii_digits

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


async def pilot_enrolled(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    batch = str(data["batch_id"])
    e.batch_id, e.province_code = uuid.UUID(batch), data.get("province_code") or e.province_code
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
    e.certified = True
    scope = str(e.batch_id) if e.batch_id else ALL
    await add(session, e.province_code or data.get("province_code"), [Delta(scope, "certified")])


async def audit_updated(session: AsyncSession, data: dict[str, Any]) -> None:
    e = await enterprise(session, uuid.UUID(str(data["enterprise_id"])))
    scope = str(e.batch_id) if e.batch_id else ALL
    deltas = [Delta(scope, f"audits.{data['status']}")]
    if data.get("from_status"):
        deltas.append(Delta(scope, f"audits.{data['from_status']}", -1))
    await add(session, data.get("province_code") or e.province_code, deltas)


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
        "people_trained": int(overall.get("trained", 0)),
        "people_qualified": {
            k.split(".", 1)[1]: int(v) for k, v in overall.items() if k.startswith("qualified.")
        },
    }


async def require_known_province(province: str) -> None:
    if not is_ascii_digits(province, 6) or not province.endswith("0000"):
        raise NotFound(f"No province {province}")
