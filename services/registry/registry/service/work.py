"""Use cases of the programme's own work: seeding the seed's tasks and meetings, completing
tasks and receiving 报送, meetings (registration, attendance), notices (read receipts),
documents (versioned files in this database), funds and agency lists. Each function is one
piece of a request's (or consumer's) transaction; it never commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import is_postgres, upsert_insert
from iims_common.errors import Conflict, NotFound, RuleViolation, StateConflict
from iims_common.events import CloudEvent
from iims_common.i18n import _
from iims_common.identity import Caller, Role
from iims_common.ids import new_id
from iims_contracts.training import QualificationGranted, QualificationRevoked
from registry.db import work_repository as repo
from registry.db.tables import Agency, Enterprise, Pilot, RecommendingUnit
from registry.db.work import (
    AgencyList,
    AgencyListEntry,
    AgencyStaffQualification,
    CallCandidate,
    CertificationCall,
    Document,
    DocumentVersion,
    FundAllocation,
    FundBudget,
    FundDisbursement,
    FundEligibility,
    Meeting,
    MeetingRegistration,
    Notice,
    NoticeRead,
    ProgrammeTask,
    TaskSubmission,
)
from registry.domain import documents as docrules
from registry.domain import work as rules
from registry.domain.enums import AgencyKind, AgencyStatus, PilotStatus, RecommendingUnitKind
from registry.domain.reference import PROVINCES, SEPARATELY_PLANNED_CITIES
from registry.events import publish
from registry.events import work_events as events
from registry.service import work_dto as w
from registry.service.policies import (
    AGENCY_LIST,
    ALLOCATION,
    BUDGET,
    CALL,
    CANDIDATE,
    DOCUMENT,
    MEETING,
    NATIONAL,
    TASK,
    budget_province,
)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def acting_party(caller: Caller) -> str:
    """The organization a caller acts for (a province, an organization, or the person)."""
    if caller.role is Role.province and caller.province_code:
        return f"province:{caller.province_code}"
    if caller.organization_id:
        return f"{caller.role}:{caller.organization_id}"
    return caller.client_key


# --- tasks ---------------------------------------------------------------------------------


def task_status(task: ProgrammeTask, on: dt.date) -> w.TaskStatus:
    return w.TaskStatus(rules.task_status(task.starts_on, task.due_on, task.completed_on, on))


def task_out(task: ProgrammeTask, on: dt.date) -> w.TaskOut:
    return w.TaskOut.model_validate(
        {**{c: getattr(task, c) for c in w.TaskOut.model_fields if hasattr(task, c)},
         "status": task_status(task, on)}
    )  # fmt: skip


def _task(
    year: int,
    seed: rules.SeedTask,
    source: str,
    assignee: str,
    *,
    region_code: str | None = None,
    organization_id: uuid.UUID | None = None,
    owner: str | None = None,
) -> ProgrammeTask:
    starts_on, due_on = rules.parse_window(year, seed.window)
    return ProgrammeTask(
        year=year,
        source=source,
        ref=seed.ref,
        section=seed.section,
        title=seed.title,
        owner=owner or seed.owner,
        assignee=assignee,
        region_code=region_code,
        organization_id=organization_id,
        window_text=seed.window,
        starts_on=starts_on,
        due_on=due_on,
        periodic=seed.ref == rules.PERIODIC_REF,
    )


async def seed_year(session: AsyncSession, year: int) -> w.SeedResult:
    """Create the seed's tasks and meetings for `year` (the seed's windows read in that year).
    Idempotent: rows already there (same year, ref, assignee / same title) are kept.

    之二: 21 national rows; 之四: 10 rows × 31 provinces; 之二 三.1 once per 相关司局 (every
    recommending unit of kind ministry_department); 之四 一.1 once per separately-planned
    city (计划单列市) — the per-unit instances are the platform's reading of the owners.
    """
    if is_postgres(session):
        # Concurrent seeding of one year serializes here (SQLite: BEGIN IMMEDIATE already
        # holds the write lock), so the existence check below is exact.
        await session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"programme-seed-{year}"}
        )
    wanted: list[ProgrammeTask] = [_task(year, t, NATIONAL, NATIONAL) for t in rules.NATIONAL_TASKS]
    for code in PROVINCES:
        wanted += [
            _task(year, t, "provincial", code, region_code=code) for t in rules.PROVINCIAL_TASKS
        ]
    domain_seed = next(t for t in rules.NATIONAL_TASKS if t.ref == rules.DOMAIN_PLAN_REF)
    departments = (
        await session.scalars(
            sa.select(RecommendingUnit)
            .where(RecommendingUnit.kind == RecommendingUnitKind.ministry_department)
            .order_by(RecommendingUnit.name)
        )
    ).all()
    for unit in departments:
        wanted.append(
            _task(
                year, domain_seed, "domain", str(unit.id), organization_id=unit.id, owner=unit.name
            )
        )
    city_seed = next(t for t in rules.PROVINCIAL_TASKS if t.ref == rules.CITY_PLAN_REF)
    for code, name in SEPARATELY_PLANNED_CITIES.items():
        wanted.append(_task(year, city_seed, "city", code, region_code=code, owner=name))
    # One multi-row INSERT … ON CONFLICT DO NOTHING: rows already there (same year, ref,
    # assignee) are kept, and only the rows this call created are announced.
    now = dt.datetime.now(dt.UTC)
    for task in wanted:
        task.id, task.version, task.created_at = new_id(), 1, now
    columns = [c.key for c in ProgrammeTask.__table__.columns]
    table = ProgrammeTask.__table__
    stmt = (
        upsert_insert(session, table)
        .values([{c: getattr(t, c) for c in columns} for t in wanted])
        .on_conflict_do_nothing(index_elements=["year", "ref", "assignee"])
        .returning(table.c.id)
    )
    inserted = set((await session.execute(stmt)).scalars().all())
    await events.tasks_created(session, [t for t in wanted if t.id in inserted])
    created = len(inserted)
    titles = set(
        (await session.scalars(sa.select(Meeting.title).where(Meeting.year == year))).all()
    )
    for m in rules.MEETINGS_2014 if year == 2014 else ():
        if m.title in titles:
            continue
        starts_on, ends_on = rules.parse_window(year, m.window)
        meeting = Meeting(
            year=year,
            kind=m.kind,
            title=m.title,
            organizer=m.organizer,
            task_ref=m.task_ref,
            window_text=m.window,
            starts_on=m.held_on or starts_on,
            ends_on=m.held_on or ends_on,
            location=m.location,
            status="held" if m.held_on else "planned",
        )
        session.add(meeting)
        created += 1
        await session.flush()
        await events.meeting_updated(session, meeting, 0, 0)
    return w.SeedResult(
        year=year,
        national_tasks=len(rules.NATIONAL_TASKS),
        provincial_tasks=len(rules.PROVINCIAL_TASKS) * len(PROVINCES),
        domain_plan_tasks=len(departments),
        city_plan_tasks=len(SEPARATELY_PLANNED_CITIES),
        meetings=len(rules.MEETINGS_2014) if year == 2014 else 0,
        created=created,
    )


async def complete_task(
    session: AsyncSession, caller: Caller, task: ProgrammeTask, body: w.TaskComplete
) -> ProgrammeTask:
    TASK.authorize(caller, "report", task)
    if task.periodic:
        raise RuleViolation(
            "task.periodic", _("A periodic task is reported per period (POST …/submissions)")
        )
    if task.completed_on is not None:
        raise Conflict(_("The task is already done"), completed_on=task.completed_on.isoformat())
    task.completed_on = body.completed_on or today()
    task.completed_by = caller.client_key
    task.evidence = body.evidence
    await session.flush()
    await events.task_updated(session, task)
    return task


async def submit(
    session: AsyncSession, caller: Caller, task: ProgrammeTask, body: w.SubmissionCreate
) -> TaskSubmission:
    """报送 for a task: a periodic task takes one per period (YYYY-MM within its window); a
    one-off task's submission completes it."""
    TASK.authorize(caller, "report", task)
    if body.submitted_on is not None:
        TASK.authorize(caller, "backdate")
    on = body.submitted_on or today()
    if task.periodic:
        if body.period is None:
            raise RuleViolation("submission.period-required", _("This task is reported per period"))
        if body.period not in rules.periods_of(task.year, task.window_text):
            raise RuleViolation(
                "submission.period-outside-window",
                _(
                    "{period} is outside the task's window ({window_text})",
                    period=body.period,
                    window_text=task.window_text,
                ),
            )
        period = body.period
    else:
        if task.completed_on is not None:
            raise Conflict(_("The task is already done"))
        period = ""
    if body.document_id is not None:
        await get_document(session, caller, body.document_id)
    if await repo.submission_for(session, task.id, period):
        raise Conflict(
            _("Already submitted for {period}", period=period)
            if period
            else _("Already submitted for this task")
        )
    sub = TaskSubmission(
        task_id=task.id,
        region_code=task.region_code,
        period=period,
        summary=body.summary,
        document_id=body.document_id,
        submitted_on=on,
        submitted_by=caller.client_key,
    )
    session.add(sub)
    if not task.periodic:
        task.completed_on, task.completed_by, task.evidence = on, caller.client_key, body.summary
    await session.flush()
    await events.submission_received(session, task, sub, submission_status(task, sub))
    if not task.periodic:
        await events.task_updated(session, task)
    return sub


def submission_status(task: ProgrammeTask, sub: TaskSubmission) -> str:
    if task.periodic:
        return rules.submission_status(sub.period, sub.submitted_on, sub.submitted_on)
    return "received" if sub.submitted_on <= task.due_on else "received_late"


async def reporting_status(
    session: AsyncSession, caller: Caller, year: int, period: str, on: dt.date
) -> w.ReportingStatus:
    """Per province, the 报送 of `period` for 之四 三.4: received / late / missing / not due."""
    tasks = await repo.periodic_tasks(session, caller, year)
    if not tasks:
        raise NotFound(_("No periodic reporting task for {year}", year=year))
    if period not in rules.periods_of(year, tasks[0].window_text):
        raise RuleViolation(
            "submission.period-outside-window",
            _(
                "{period} is outside the reporting window ({window_text})",
                period=period,
                window_text=tasks[0].window_text,
            ),
        )
    subs = await repo.submissions_of(session, [t.id for t in tasks], period)
    rows = []
    for t in tasks:
        sub = subs.get(t.id)
        code = t.region_code or ""
        rows.append(
            w.ReportingRow(
                region_code=code,
                region_name=PROVINCES.get(code, code),
                task_id=t.id,
                status=rules.submission_status(period, sub.submitted_on if sub else None, on),
                submitted_on=sub.submitted_on if sub else None,
            )
        )
    count = {
        s: sum(1 for r in rows if r.status == s) for s in ("received", "received_late", "missing")
    }
    return w.ReportingStatus(
        year=year,
        period=period,
        due_on=rules.period_due(period),
        basis=rules.REPORT_RULE_BASIS,
        rows=rows,
        **count,
    )


async def task_summary(
    session: AsyncSession, caller: Caller, year: int, on: dt.date
) -> w.TaskSummary:
    tasks = await repo.tasks_of_year(session, caller, year)
    by_status: dict[str, int] = {}
    regions: dict[str | None, list[int]] = {}
    for t in tasks:
        status = task_status(t, on)
        by_status[status] = by_status.get(status, 0) + 1
        row = regions.setdefault(t.region_code, [0, 0, 0])
        row[0] += 1
        row[1] += status in (w.TaskStatus.done, w.TaskStatus.done_late)
        row[2] += status is w.TaskStatus.overdue
    return w.TaskSummary(
        year=year,
        as_of=on,
        total=len(tasks),
        by_status=by_status,
        by_region=[
            w.TaskSummaryRow(region_code=r, total=v[0], done=v[1], overdue=v[2])
            for r, v in sorted(regions.items(), key=lambda kv: kv[0] or "")
        ],
    )


# --- meetings ------------------------------------------------------------------------------


async def create_meeting(session: AsyncSession, caller: Caller, body: w.MeetingCreate) -> Meeting:
    province = body.province_code
    if caller.role is Role.province:
        province = province or caller.province_code
    MEETING.authorize(caller, "organize", province)
    if body.starts_on and body.ends_on and body.ends_on < body.starts_on:
        raise RuleViolation("meeting.dates", _("ends_on is before starts_on"))
    if body.host_enterprise_id is not None:
        await repo.get_one(session, Enterprise, body.host_enterprise_id, what="Enterprise")
    meeting = Meeting(**{**body.model_dump(), "province_code": province})
    session.add(meeting)
    await session.flush()
    await events.meeting_updated(session, meeting, 0, 0)
    return meeting


async def update_meeting(
    session: AsyncSession, caller: Caller, meeting: Meeting, body: w.MeetingUpdate
) -> Meeting:
    MEETING.authorize(caller, "organize", meeting.province_code)
    changes = body.model_dump(exclude_unset=True)
    if body.status is not None:
        rules.check_meeting_transition(meeting.status, body.status)
    if changes.get("host_enterprise_id") is not None:
        pilot = await repo.pilot_of_enterprise(session, changes["host_enterprise_id"])
        if pilot is None:
            # 现场会: "选择1家贯标工作进展顺利、成效良好的试点企业" — the host is a pilot.
            raise RuleViolation("meeting.host-not-pilot", _("The host of a 现场会 must be a pilot"))
    for field, value in changes.items():
        setattr(meeting, field, value)
    await session.flush()
    registered, attended = await repo.meeting_counts(session, meeting.id)
    await events.meeting_updated(session, meeting, registered, attended)
    return meeting


async def register(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, body: w.RegistrationCreate
) -> MeetingRegistration:
    # Lock the meeting: concurrent registrations serialize, so capacity is never exceeded.
    meeting = await MEETING.load(session, caller, meeting_id, for_update=True)
    registered, _attended = await repo.meeting_counts(session, meeting.id)
    rules.check_registration_open(meeting.status, registered, body.attendees, meeting.capacity)
    registrant = acting_party(caller)
    if await repo.registration_of(session, meeting.id, registrant):
        raise Conflict(_("Already registered for this meeting"))
    reg = MeetingRegistration(
        meeting_id=meeting.id,
        registrant=registrant,
        organization_name=body.organization_name,
        province_code=caller.province_code,
        attendees=body.attendees,
    )
    session.add(reg)
    await session.flush()
    await events.meeting_updated(session, meeting, registered + body.attendees, None)
    return reg


async def record_attendance(
    session: AsyncSession,
    caller: Caller,
    meeting: Meeting,
    reg: MeetingRegistration,
    attended: bool,
) -> MeetingRegistration:
    MEETING.authorize(caller, "organize", meeting.province_code)
    rules.check_attendance_after_held(meeting.status)
    reg.attended = attended
    await session.flush()
    registered, present = await repo.meeting_counts(session, meeting.id)
    await events.meeting_updated(session, meeting, registered, present)
    return reg


# --- notices -------------------------------------------------------------------------------


async def issue_notice(session: AsyncSession, caller: Caller, body: w.NoticeCreate) -> Notice:
    for doc_id in body.document_ids:
        await get_document(session, caller, doc_id)
    notice = Notice(
        number=body.number,
        title=body.title,
        body=body.body,
        issued_on=body.issued_on or today(),
        issued_by=caller.client_key,
        audience="," + ",".join(sorted({r.value for r in body.audience_roles})) + ",",
        document_ids=[str(d) for d in body.document_ids],
    )
    session.add(notice)
    await session.flush()
    await events.notice_issued(session, notice)
    return notice


async def notices_out(
    session: AsyncSession, caller: Caller, notices: Sequence[Notice]
) -> list[w.NoticeOut]:
    """Notices as the caller sees them: each with `read_by_me` for the caller's party (the
    party `mark_read` records: a province's receipt counts for everyone acting for it)."""
    reads = await repo.read_times(session, [n.id for n in notices], acting_party(caller))
    return [
        notice_out(n).model_copy(update={"read_by_me": n.id in reads, "read_at": reads.get(n.id)})
        for n in notices
    ]


def notice_out(notice: Notice) -> w.NoticeOut:
    return w.NoticeOut(
        id=notice.id,
        number=notice.number,
        title=notice.title,
        body=notice.body,
        issued_on=notice.issued_on,
        issued_by=notice.issued_by,
        audience_roles=[r for r in notice.audience.split(",") if r],
        document_ids=list(notice.document_ids or []),
    )


async def mark_read(session: AsyncSession, caller: Caller, notice: Notice) -> None:
    """已读: recorded once per reading party (a repeat keeps the first time)."""
    stmt = upsert_insert(session, NoticeRead.__table__).values(
        id=uuid.uuid4(),
        notice_id=notice.id,
        reader=acting_party(caller),
        role=caller.role.value,
        province_code=caller.province_code,
        read_at=dt.datetime.now(dt.UTC),
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["notice_id", "reader"]))


async def receipts(session: AsyncSession, notice: Notice) -> w.NoticeReceipts:
    reads = await repo.reads_of(session, notice.id)
    read_provinces = {r.province_code for r in reads if r.role == Role.province}
    missing = (
        [c for c in PROVINCES if c not in read_provinces] if ",province," in notice.audience else []
    )
    return w.NoticeReceipts(
        notice_id=notice.id,
        read=[w.NoticeReadOut.model_validate(r) for r in reads],
        provinces_not_read=missing,
    )


# --- documents -----------------------------------------------------------------------------


async def create_document(
    session: AsyncSession, caller: Caller, body: w.DocumentCreate
) -> Document:
    DOCUMENT.authorize(caller, "create", body)
    province = caller.province_code if caller.role is Role.province else None
    doc = Document(**body.model_dump(), province_code=province, created_by=caller.client_key)
    session.add(doc)
    await session.flush()
    return doc


async def get_document(
    session: AsyncSession,
    caller: Caller | None,
    document_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Document:
    """In the caller's scope (`caller=None`: a public document)."""
    return await DOCUMENT.load(session, caller, document_id, for_update=for_update)


async def upload(
    session: AsyncSession,
    caller: Caller,
    doc: Document,
    *,
    filename: str,
    media_type: str,
    content: bytes,
    max_bytes: int,
) -> DocumentVersion:
    """A new version of the document's file (type and size checked, SHA-256 recorded)."""
    DOCUMENT.authorize(caller, "upload", doc)
    clean_name, media = docrules.check_file(filename, media_type, content, max_bytes)
    doc.current_version += 1
    version = DocumentVersion(
        document_id=doc.id,
        number=doc.current_version,
        filename=clean_name,
        media_type=media,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=caller.client_key,
    )
    session.add(version)
    await session.flush()
    await events.document_published(session, doc, version)
    return version


# --- funds ---------------------------------------------------------------------------------


async def create_budget(session: AsyncSession, caller: Caller, body: w.BudgetCreate) -> FundBudget:
    BUDGET.authorize(caller, "create", body)
    province = budget_province(caller, body)
    if body.source is w.FundSource.ministry_special:
        if province is not None:
            raise RuleViolation("fund.ministry-national", _("部级专项经费 has no province"))
    elif province is None:
        raise RuleViolation("fund.province-required", _("各地支持资金 needs province_code"))
    if await repo.budget_for(session, body.year, body.source, province):
        raise Conflict(_("A budget for this year, source and province exists"))
    budget = FundBudget(**{**body.model_dump(), "province_code": province})
    session.add(budget)
    await session.flush()
    return budget


async def allocate(
    session: AsyncSession, caller: Caller, budget_id: uuid.UUID, body: w.AllocationCreate
) -> FundAllocation:
    """支持 for one pilot: 部级专项经费 only for certified pilots (eligible from
    `certificate-issued`); a province's funds for its own active pilots. The budget row is
    locked, so concurrent allocations never exceed it."""
    budget = await BUDGET.load(session, caller, budget_id, for_update=True)
    BUDGET.authorize(caller, "hold", budget)
    pilot = await repo.get_one(session, Pilot, body.pilot_id, what="Pilot")
    if budget.source == w.FundSource.ministry_special:
        if await session.get(FundEligibility, pilot.id) is None:
            raise RuleViolation(
                "fund.pilot-not-certified",
                _("部级专项经费 supports pilots that passed 认定 (certificate issued)"),
            )
    else:
        if pilot.province_code != budget.province_code:
            raise RuleViolation(
                "fund.other-province", _("The pilot is not in the budget's province")
            )
        if pilot.status == PilotStatus.withdrawn:
            raise StateConflict("fund.pilot-withdrawn", _("The pilot has withdrawn"))
    used = await repo.allocated_of_budget(session, budget.id)
    rules.check_within(
        budget.amount_yuan, used, body.amount_yuan, "fund.budget-exceeded", "Allocation"
    )
    allocation = FundAllocation(
        budget_id=budget.id, province_code=pilot.province_code, **body.model_dump()
    )
    session.add(allocation)
    await session.flush()
    await events.fund_allocated(session, budget, allocation, pilot.enterprise_id)
    return allocation


async def disburse(
    session: AsyncSession, caller: Caller, allocation_id: uuid.UUID, body: w.DisbursementCreate
) -> FundDisbursement:
    allocation = await ALLOCATION.load(session, caller, allocation_id, for_update=True)
    budget = await repo.get_one(session, FundBudget, allocation.budget_id)
    BUDGET.authorize(caller, "hold", budget)
    if body.paid_on < allocation.decided_on:
        raise RuleViolation("fund.paid-before-decided", _("Paid before the allocation was decided"))
    paid = await repo.disbursed_of_allocation(session, allocation.id)
    rules.check_within(
        allocation.amount_yuan, paid, body.amount_yuan, "fund.allocation-exceeded", "Disbursement"
    )
    d = FundDisbursement(
        allocation_id=allocation.id, province_code=allocation.province_code, **body.model_dump()
    )
    session.add(d)
    await session.flush()
    pilot = await repo.get_one(session, Pilot, allocation.pilot_id)
    await events.fund_disbursed(session, budget, allocation, d, pilot.enterprise_id)
    return d


async def fund_summary(session: AsyncSession, caller: Caller, year: int) -> w.FundSummary:
    # A province sees its own row ("" — nothing — for a province identity without a code).
    own = (caller.province_code or "") if caller.role is Role.province else None
    ministry, data = await repo.fund_totals(session, year, own)
    codes = [own] if own is not None else sorted(set().union(*[set(v) for v in data.values()]))
    rows = [
        w.FundProvinceRow(
            province_code=c,
            province_name=PROVINCES.get(c, c),
            provincial_budget_yuan=data["provincial"].get(c, 0),
            allocated_yuan=data["allocated"].get(c, 0),
            disbursed_yuan=data["disbursed"].get(c, 0),
            eligible_pilots=data["eligible"].get(c, 0),
            supported_pilots=data["supported"].get(c, 0),
        )
        for c in codes
        if c
    ]
    return w.FundSummary(
        year=year,
        ministry_budget_yuan=ministry,
        provincial_budget_yuan=sum(r.provincial_budget_yuan for r in rows),
        allocated_yuan=sum(r.allocated_yuan for r in rows),
        disbursed_yuan=sum(r.disbursed_yuan for r in rows),
        eligible_pilots=sum(r.eligible_pilots for r in rows),
        supported_pilots=sum(r.supported_pilots for r in rows),
        by_province=rows,
    )


async def record_eligibility(
    session: AsyncSession, pilot: Pilot, year: int, certificate_no: str, certified_on: dt.date
) -> None:
    """`certificate-issued` makes the certified pilot eligible for 贯标试点支持 (idempotent)."""
    if await session.get(FundEligibility, pilot.id) is None:
        session.add(
            FundEligibility(
                pilot_id=pilot.id,
                enterprise_id=pilot.enterprise_id,
                province_code=pilot.province_code,
                year=year,
                certificate_no=certificate_no,
                certified_on=certified_on,
            )
        )


# --- agency staff, lists and the certification bodies' call ---------------------------------


async def qualification_granted(
    session: AsyncSession, event: CloudEvent, data: QualificationGranted
) -> None:
    """Keep the agency staff's qualifications (for the recommended-consultancy lists); a
    revoked one stays revoked."""
    row = await session.get(AgencyStaffQualification, data.qualification_no)
    values = {
        "person_id": str(data.person_id),
        "person_name": data.person_name,
        "kind": data.kind,
        "organization_id": data.organization_id,
        "granted_on": data.granted_on,
        "valid_until": data.valid_until,
    }
    if row is None:
        session.add(AgencyStaffQualification(qualification_no=data.qualification_no, **values))
    elif not row.revoked:
        for k, v in values.items():
            setattr(row, k, v)


async def qualification_revoked(
    session: AsyncSession, event: CloudEvent, data: QualificationRevoked
) -> None:
    """A revoked qualification no longer counts for the lists."""
    row = await session.get(AgencyStaffQualification, data.qualification_no)
    if row is not None:
        row.revoked = True


async def create_list(
    session: AsyncSession, caller: Caller, body: w.AgencyListCreate
) -> AgencyList:
    AGENCY_LIST.authorize(caller, "keep", body.kind)
    lst = AgencyList(**body.model_dump())
    session.add(lst)
    await session.flush()
    return lst


async def add_entry(
    session: AsyncSession, caller: Caller, lst: AgencyList, agency_id: uuid.UUID
) -> AgencyListEntry:
    AGENCY_LIST.authorize(caller, "keep", lst.kind)
    if lst.status != w.AgencyListStatus.draft:
        raise StateConflict(
            "agency-list.not-draft", _("Entries change only while the list is a draft")
        )
    agency = await repo.get_one(session, Agency, agency_id, what="Agency")
    if agency.kind != lst.kind:
        raise RuleViolation(
            "agency-list.kind",
            _("The agency is a {kind}, not a {list_kind}", kind=agency.kind, list_kind=lst.kind),
        )
    if agency.status != AgencyStatus.authorized:
        raise RuleViolation(
            "agency-list.not-authorized", _("The agency is '{status}'", status=agency.status)
        )
    qualified = 0
    if lst.kind == AgencyKind.consultancy:
        # "对参与培训的贯标服务机构专业人员统一组织考核，通过考核后授予咨询资质证书。在此基础上遴选
        # 首批推荐的贯标服务机构名单" — only agencies whose staff hold 咨询资质.
        qualified = await repo.qualified_staff(session, agency.id, today())
        if qualified == 0:
            raise RuleViolation(
                "agency-list.no-qualified-staff",
                _(
                    "None of the consultancy's staff holds a valid 咨询资质 (consultant qualification)"
                ),
            )
    if await repo.entry_of(session, lst.id, agency.id):
        raise Conflict(_("The agency is already on the list"))
    entry = AgencyListEntry(list_id=lst.id, agency_id=agency.id, qualified_staff=qualified)
    session.add(entry)
    await session.flush()
    return entry


async def change_list_status(
    session: AsyncSession, caller: Caller, lst: AgencyList, body: w.AgencyListUpdate
) -> AgencyList:
    AGENCY_LIST.authorize(caller, "keep", lst.kind)
    rules.check_list_transition(lst.status, body.status)
    on = body.on or today()
    if body.status is w.AgencyListStatus.approved:
        if not await repo.entries_of(session, lst.id):
            raise RuleViolation("agency-list.empty", _("An empty list cannot be approved"))
        lst.approved_on = on
    elif body.status is w.AgencyListStatus.published:
        if lst.approved_on and on < lst.approved_on:
            raise RuleViolation("agency-list.published-before-approved", _("公示 comes after 审定"))
        lst.published_on = on
    else:
        lst.approved_on = None
    lst.status = body.status
    await session.flush()
    if lst.status == w.AgencyListStatus.published:
        await events.agency_list_published(
            session, lst, len(await repo.entries_of(session, lst.id))
        )
    return lst


async def create_call(
    session: AsyncSession, caller: Caller, body: w.CallCreate
) -> CertificationCall:
    CALL.authorize(caller, "open")
    if body.closes_on < body.opens_on:
        raise RuleViolation("call.dates", _("closes_on is before opens_on"))
    if await repo.call_of_year(session, body.year):
        raise Conflict(_("A call for {year} exists", year=body.year))
    call = CertificationCall(**body.model_dump())
    session.add(call)
    await session.flush()
    return call


async def add_candidate(
    session: AsyncSession, caller: Caller, call: CertificationCall, body: w.CandidateCreate
) -> CallCandidate:
    """A certification body applies (itself), is recommended by its province (之四 四.1), or is
    entered by the ministry / management organization."""
    agency = await repo.get_one(session, Agency, body.agency_id, what="Agency")
    if agency.kind != AgencyKind.certification_body:
        raise RuleViolation("call.not-certification-body", _("Only certification bodies apply"))
    CANDIDATE.authorize(caller, "propose", agency)
    recommended_by = None
    if caller.role is Role.province:
        if agency.province_code != caller.province_code:
            raise RuleViolation(
                "call.own-province", _("A province recommends bodies of its province")
            )
        recommended_by = caller.province_code
    on = body.applied_on or today()
    if not call.opens_on <= on <= call.closes_on:
        raise StateConflict(
            "call.closed",
            _(
                "The call is open {opens_on} – {closes_on}",
                opens_on=call.opens_on,
                closes_on=call.closes_on,
            ),
        )
    if await repo.candidate_of(session, call.id, agency.id):
        raise Conflict(_("The body is already a candidate of this call"))
    cand = CallCandidate(
        call_id=call.id, agency_id=agency.id, recommended_by=recommended_by, applied_on=on
    )
    session.add(cand)
    await session.flush()
    return cand


async def review_candidate(
    session: AsyncSession, caller: Caller, cand: CallCandidate, body: w.CandidateReview
) -> CallCandidate:
    CANDIDATE.authorize(caller, "review")
    if cand.authorized_on is not None:
        raise Conflict(_("The candidate is already authorized"))
    cand.review, cand.review_notes = body.review, body.notes
    cand.reviewed_on = body.reviewed_on or today()
    await session.flush()
    return cand


async def authorize_candidate(
    session: AsyncSession, caller: Caller, cand: CallCandidate, body: w.CandidateAuthorize
) -> CallCandidate:
    """授权: after a passed expert review, and only once the 认定管理组织 exists (之二 四.1 done)."""
    CANDIDATE.authorize(caller, "review")
    if cand.authorized_on is not None:
        raise Conflict(_("The candidate is already authorized"))
    if cand.review != w.Review.passed:
        raise RuleViolation(
            "certification-body.review-required", _("The expert review has not passed")
        )
    call = await repo.get_one(session, CertificationCall, cand.call_id)
    on = body.authorized_on or today()
    formed = await repo.task_completed_on(session, call.year, rules.MANAGEMENT_ORG_REF)
    if formed is None or formed > on:
        raise RuleViolation(
            "certification-body.management-org-not-formed",
            _(
                "Certification bodies are authorized by the 认定管理组织, which is not formed yet (task {task} 成立认定管理组织 not done by {on})",
                task=rules.MANAGEMENT_ORG_REF,
                on=on,
            ),
        )
    if cand.reviewed_on and on < cand.reviewed_on:
        raise RuleViolation(
            "certification-body.authorized-before-review", _("授权 follows the review")
        )
    agency = await repo.get_one(session, Agency, cand.agency_id, for_update=True)
    agency.status = AgencyStatus.authorized
    cand.authorized_on = on
    await session.flush()
    await publish.agency_updated(session, agency)
    return cand
