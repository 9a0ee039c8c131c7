"""Pilot programme use cases: units, agencies, batches, recommendations, selection,
pilot lifecycle, progress reports, province plans and stats."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import utcnow
from iims_common.errors import Conflict, RuleViolation, StateConflict
from iims_common.i18n import _
from iims_common.identity import Caller, Role
from registry.db import repository
from registry.db.tables import (
    Agency,
    Batch,
    BatchQuotaChange,
    Enterprise,
    Pilot,
    PilotStatusChange,
    ProgressReport,
    ProvincePlan,
    Recommendation,
    RecommendingUnit,
)
from registry.domain import programme as rules
from registry.domain.enums import (
    AgencyKind,
    AgencyStatus,
    EnterpriseStatus,
    PilotStatus,
    RecommendingUnitKind,
)
from registry.domain.reference import PROVINCES, province_of_region
from registry.events import publish
from registry.service import dto
from registry.service.policies import AGENCY, PILOT


async def create_unit(session: AsyncSession, body: dto.RecommendingUnitCreate) -> RecommendingUnit:
    if body.kind is RecommendingUnitKind.provincial_authority and not body.region_code:
        raise RuleViolation(
            "recommending-unit.region-required",
            _("A provincial authority (地方工信主管部门) needs its region_code"),
        )
    if await repository.unit_by_name(session, body.name):
        raise Conflict(_("A recommending unit named {name} exists", name=repr(body.name)))
    unit = RecommendingUnit(**body.model_dump())
    session.add(unit)
    await session.flush()
    return unit


async def create_agency(session: AsyncSession, caller: Caller, body: dto.AgencyCreate) -> Agency:
    AGENCY.authorize(caller, "manage", body.kind)
    existing = await repository.agency_by_uscc(session, body.uscc)
    if existing:
        raise Conflict(
            _("An agency with USCC {uscc} exists", uscc=body.uscc), existing_id=str(existing.id)
        )
    agency = Agency(**body.model_dump())
    session.add(agency)
    await session.flush()
    await publish.agency_updated(session, agency)
    return agency


async def update_agency(
    session: AsyncSession, caller: Caller, agency: Agency, body: dto.AgencyUpdate
) -> Agency:
    AGENCY.authorize(caller, "manage", AgencyKind(agency.kind))
    for field, value in body.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(agency, field, value)
    await session.flush()
    await publish.agency_updated(session, agency)
    return agency


async def create_batch(
    session: AsyncSession,
    body: dto.BatchCreate,
    *,
    changed_by: str = "",
    on: dt.date | None = None,
) -> Batch:
    if await repository.batch_by_year(session, body.year):
        raise Conflict(_("A batch for {year} exists", year=body.year))
    batch = Batch(**body.model_dump())
    session.add(batch)
    await session.flush()
    change = BatchQuotaChange(
        batch_id=batch.id,
        from_quota=None,
        to_quota=batch.pilot_quota,
        changed_on=on or utcnow().date(),
        reason="计划 (batch created)",
        changed_by=changed_by,
    )
    session.add(change)
    await publish.batch_updated(session, batch, change)
    return batch


async def update_batch(
    session: AsyncSession, batch: Batch, body: dto.BatchUpdate, *, changed_by: str = ""
) -> Batch:
    """Update a batch; a quota change is kept with when and why (`batch_quota_changes`, and
    the `batch-updated` event carries it), never below the pilots already selected."""
    changes = body.model_dump(exclude_unset=True)
    reason = changes.pop("quota_change_reason", None)
    changed_on = changes.pop("quota_changed_on", None)
    change = None
    if changes.get("pilot_quota") is not None and changes["pilot_quota"] != batch.pilot_quota:
        selected = await repository.count_pilots(session, batch.id)
        if changes["pilot_quota"] < selected:
            raise RuleViolation(
                "batch.quota-below-selected",
                _(
                    "The quota cannot go below the {selected} pilots already selected",
                    selected=selected,
                ),
            )
        change = BatchQuotaChange(
            batch_id=batch.id,
            from_quota=batch.pilot_quota,
            to_quota=changes["pilot_quota"],
            changed_on=changed_on or utcnow().date(),
            reason=reason or "(no reason given)",
            changed_by=changed_by,
        )
        session.add(change)
    for field, value in changes.items():
        if value is not None or field == "plan_deadline":
            setattr(batch, field, value)
    await session.flush()
    await publish.batch_updated(session, batch, change)
    return batch


async def recommend(
    session: AsyncSession, caller: Caller, batch: Batch, body: dto.RecommendationCreate
) -> Recommendation:
    enterprise = await repository.get_one(
        session,
        Enterprise,
        body.enterprise_id,
        # A province only sees — and so only recommends — enterprises of its own province.
        repository.readable_enterprises(caller) if caller.role is Role.province else None,
        what="Enterprise",
    )
    rules.check_enterprise_active(EnterpriseStatus(enterprise.status))
    unit_id = body.recommending_unit_id
    if caller.role in (Role.province, Role.recommender):
        if unit_id is not None and unit_id != caller.organization_id:
            raise RuleViolation(
                "recommendation.own-unit", _("You may only recommend as your own recommending unit")
            )
        unit_id = caller.organization_id
    if unit_id is None:
        raise RuleViolation("recommendation.unit-required", _("recommending_unit_id is required"))
    unit = await repository.get_one(session, RecommendingUnit, unit_id, what="Recommending unit")
    if (
        unit.kind == RecommendingUnitKind.provincial_authority
        and unit.region_code
        and province_of_region(unit.region_code) != enterprise.province_code
    ):
        raise RuleViolation(
            "recommendation.own-province",
            _(
                "{unit} may only recommend enterprises of its own province ({province})",
                unit=unit.name,
                province=PROVINCES.get(province_of_region(unit.region_code)),
            ),
        )
    existing = await repository.recommendation_for(session, batch.id, enterprise.id)
    if existing:
        raise Conflict(
            _("This enterprise is already recommended in this batch"), existing_id=str(existing.id)
        )
    rec = Recommendation(
        batch_id=batch.id,
        enterprise_id=enterprise.id,
        recommending_unit_id=unit.id,
        province_code=enterprise.province_code,
        reason=body.reason,
    )
    session.add(rec)
    await session.flush()
    await publish.recommendation_made(session, rec)
    return rec


async def select_pilot(
    session: AsyncSession, caller: Caller, batch_id: uuid.UUID, body: dto.PilotSelect
) -> Pilot:
    # Lock the batch row: concurrent selections serialize here, so the count below is exact
    # and the quota can never be exceeded.
    batch = await repository.get_one(session, Batch, batch_id, for_update=True, what="Batch")
    rec = await repository.get_one(
        session, Recommendation, body.recommendation_id, what="Recommendation"
    )
    if rec.batch_id != batch.id:
        raise RuleViolation(
            "pilot.recommendation-batch", _("The recommendation belongs to another batch")
        )
    existing = await repository.pilot_for_recommendation(session, rec.id)
    if existing:
        raise Conflict(_("This recommendation is already a pilot"), existing_id=str(existing.id))
    rules.check_quota(await repository.count_pilots(session, batch.id), batch.pilot_quota)
    if body.consultancy_id:
        agency = await repository.get_one(session, Agency, body.consultancy_id, what="Agency")
        rules.check_consultancy(AgencyKind(agency.kind), AgencyStatus(agency.status))
    enterprise = await repository.get_one(session, Enterprise, rec.enterprise_id, for_update=True)
    rules.check_enterprise_active(EnterpriseStatus(enterprise.status))
    pilot = Pilot(
        batch_id=batch.id,
        enterprise_id=enterprise.id,
        recommendation_id=rec.id,
        consultancy_id=body.consultancy_id,
        province_code=enterprise.province_code,
        industry_code=enterprise.industry_code,
        status=PilotStatus.enrolled,
    )
    session.add(pilot)
    if enterprise.status == EnterpriseStatus.registered:
        enterprise.status = EnterpriseStatus.pilot
    await session.flush()
    session.add(
        PilotStatusChange(
            pilot_id=pilot.id,
            from_status=None,
            to_status=PilotStatus.enrolled,
            reason="selected as pilot (遴选为试点企业)",
            changed_by=caller.client_key,
        )
    )
    await publish.pilot_enrolled(session, pilot, batch)
    return pilot


async def change_pilot_status(
    session: AsyncSession,
    pilot: Pilot,
    target: PilotStatus,
    *,
    changed_by: str,
    reason: str | None,
    authoritative: bool = False,
) -> None:
    current = PilotStatus(pilot.status)
    if not authoritative:  # the certification decision overrides the manual lifecycle
        rules.check_pilot_transition(current, target, manual=True)
    pilot.status = target
    session.add(
        PilotStatusChange(
            pilot_id=pilot.id,
            from_status=current,
            to_status=target,
            reason=reason,
            changed_by=changed_by,
        )
    )
    await publish.pilot_status_changed(session, pilot, current, reason)


async def update_pilot(
    session: AsyncSession, caller: Caller, pilot: Pilot, body: dto.PilotUpdate
) -> Pilot:
    if body.status is not None and body.status != pilot.status:
        await change_pilot_status(
            session, pilot, body.status, changed_by=caller.client_key, reason=body.reason
        )
    if "consultancy_id" in body.model_fields_set:
        PILOT.authorize(caller, "assign_consultancy")
        if body.consultancy_id is not None:
            agency = await repository.get_one(session, Agency, body.consultancy_id, what="Agency")
            rules.check_consultancy(AgencyKind(agency.kind), AgencyStatus(agency.status))
        pilot.consultancy_id = body.consultancy_id
    await session.flush()
    return pilot


async def submit_progress_report(
    session: AsyncSession, caller: Caller, pilot: Pilot, body: dto.ProgressReportCreate
) -> ProgressReport:
    if pilot.status == PilotStatus.withdrawn:
        raise StateConflict("progress-report.pilot-withdrawn", _("The pilot has withdrawn"))
    existing = await repository.progress_report_for(session, pilot.id, body.period)
    if existing:
        raise Conflict(
            _("A progress report for {period} exists", period=body.period),
            existing_id=str(existing.id),
        )
    report = ProgressReport(
        pilot_id=pilot.id,
        batch_id=pilot.batch_id,
        province_code=pilot.province_code,
        submitted_by=caller.client_key,
        **body.model_dump(),
    )
    session.add(report)
    await session.flush()
    await publish.progress_reported(session, report, pilot.enterprise_id)
    return report


async def submit_province_plan(
    session: AsyncSession,
    caller: Caller,
    batch: Batch,
    body: dto.ProvincePlanCreate,
    submitted_at: dt.datetime | None = None,  # a plan handed in on paper earlier (demo data)
) -> ProvincePlan:
    province = body.province_code or caller.province_code
    if caller.role is Role.province and province != caller.province_code:
        raise RuleViolation("province-plan.own-province", _("A province submits only its own plan"))
    if province is None:
        raise RuleViolation("province-plan.province-required", _("province_code is required"))
    existing = (await repository.plans_of_batch(session, batch.id)).get(province)
    if existing:
        raise Conflict(_("This province's plan is already submitted"), existing_id=str(existing.id))
    plan = ProvincePlan(
        batch_id=batch.id,
        submitted_by=caller.client_key,
        **{**body.model_dump(), "province_code": province},
    )
    if submitted_at is not None:
        plan.submitted_at = submitted_at
    session.add(plan)
    await session.flush()
    await publish.province_plan_submitted(session, plan, batch)
    return plan


async def plan_statuses(
    session: AsyncSession, caller: Caller, batch: Batch, today: dt.date
) -> list[dto.ProvincePlanStatusOut]:
    plans = await repository.plans_of_batch(session, batch.id)
    codes = [caller.province_code] if caller.role is Role.province else list(PROVINCES)
    out = []
    for code in codes:
        assert code is not None
        plan = plans.get(code)
        status = rules.plan_status(batch.plan_deadline, plan.submitted_at if plan else None, today)
        out.append(
            dto.ProvincePlanStatusOut(
                province_code=code,
                province_name=PROVINCES[code],
                status=status,
                status_label=status.label_in(),
                deadline=batch.plan_deadline,
                submitted_at=plan.submitted_at if plan else None,
                plan_id=plan.id if plan else None,
            )
        )
    return out


async def batch_stats(session: AsyncSession, caller: Caller, batch: Batch) -> dto.BatchStats:
    own = caller.province_code if caller.role is Role.province else None
    recommended, pilots = await repository.batch_counts(session, batch.id, own)
    provinces = sorted({*recommended, *(p for p, _ in pilots)})
    rows = []
    for code in provinces:
        by_status = {s: n for (p, s), n in pilots.items() if p == code}
        rows.append(
            dto.ProvinceStats(
                province_code=code,
                province_name=PROVINCES.get(code, code),
                recommended=recommended.get(code, 0),
                pilots=sum(by_status.values()),
                by_status=by_status,
                certified=by_status.get(PilotStatus.certified, 0),
            )
        )
    total_by_status: dict[str, int] = {}
    for (_province, s), n in pilots.items():
        total_by_status[s] = total_by_status.get(s, 0) + n
    total_pilots = sum(total_by_status.values())
    certified = total_by_status.get(PilotStatus.certified, 0)
    return dto.BatchStats(
        batch_id=batch.id,
        year=batch.year,
        pilot_quota=batch.pilot_quota,
        certification_target=batch.certification_target,
        recommended=sum(recommended.values()),
        pilots=total_pilots,
        by_status=total_by_status,
        certified=certified,
        quota_used_ratio=round(total_pilots / batch.pilot_quota, 4),
        certification_target_ratio=round(certified / batch.certification_target, 4)
        if batch.certification_target
        else 0.0,
        by_province=rows,
    )


async def progress_summary(
    session: AsyncSession, caller: Caller, batch: Batch, period: str
) -> dto.ProgressSummary:
    """Provinces aggregate their pilots' reports; the ministry sees every province."""
    own = caller.province_code if caller.role is Role.province else None
    pilots, reported = await repository.progress_by_province(session, batch.id, period, own)
    rows = []
    for code in sorted({*pilots, *reported}):
        n_reports, average = reported.get(code, (0, None))
        rows.append(
            dto.ProgressSummaryRow(
                province_code=code,
                province_name=PROVINCES.get(code, code),
                active_pilots=pilots.get(code, 0),
                reported=n_reports,
                missing=max(pilots.get(code, 0) - n_reports, 0),
                average_percent=round(average, 1) if average is not None else None,
            )
        )
    total_reports = sum(r.reported for r in rows)
    weighted = sum((r.average_percent or 0) * r.reported for r in rows)
    return dto.ProgressSummary(
        batch_id=batch.id,
        period=period,
        active_pilots=sum(r.active_pilots for r in rows),
        reported=total_reports,
        average_percent=round(weighted / total_reports, 1) if total_reports else None,
        by_province=rows,
    )
