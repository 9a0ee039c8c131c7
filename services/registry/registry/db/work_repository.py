"""Queries of the programme's own work. Every read of an object goes through a scope built
from the caller (out of scope = not found, 404), as in `registry.db.repository`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller, Role
from iims_common.scoping import Scope, everything, get_one  # noqa: F401 - part of the API
from registry.db.tables import Pilot
from registry.db.work import (
    AgencyList,
    AgencyListEntry,
    AgencyStaffQualification,
    CallCandidate,
    CertificationCall,
    Document,
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

NATIONAL = {Role.ministry: everything, Role.management_org: everything}
_NATIONAL_TASK = ProgrammeTask.assignee == "national"


def _everyone(condition: sa.ColumnElement[bool]) -> Scope:
    """National roles see every row; every other role the rows matching `condition`."""

    def rule(_: Caller) -> sa.ColumnElement[bool]:
        return condition

    return Scope({**NATIONAL, **{r: rule for r in Role if r not in NATIONAL}})


# 之二 is the whole programme's plan: every caller reads it. A province reads its own 之四 rows
# (and a separately-planned city's, whose code it carries); a 司局 its 本领域落实方案.
TASKS = Scope(
    {
        **_everyone(_NATIONAL_TASK).rules,
        Role.province: lambda c: (
            sa.or_(_NATIONAL_TASK, ProgrammeTask.region_code == c.province_code)
            if c.province_code
            else _NATIONAL_TASK
        ),
        Role.recommender: lambda c: (
            sa.or_(_NATIONAL_TASK, ProgrammeTask.organization_id == c.organization_id)
            if c.organization_id
            else _NATIONAL_TASK
        ),
    }
)
# National meetings: every caller; a province's own meetings: that province (and national).
MEETINGS = Scope(
    {
        **_everyone(Meeting.province_code.is_(None)).rules,
        Role.province: lambda c: sa.or_(
            Meeting.province_code.is_(None), Meeting.province_code == c.province_code
        ),
    }
)
BUDGETS = Scope(
    {
        **NATIONAL,
        Role.province: lambda c: sa.or_(
            FundBudget.province_code == c.province_code, FundBudget.province_code.is_(None)
        ),
    }
)
ALLOCATIONS = Scope(
    {**NATIONAL, Role.province: lambda c: FundAllocation.province_code == c.province_code}
)
ELIGIBILITY = Scope(
    {**NATIONAL, Role.province: lambda c: FundEligibility.province_code == c.province_code}
)
PUBLISHED = AgencyList.status == "published"
AGENCY_LISTS = _everyone(PUBLISHED)


def readable_tasks(caller: Caller) -> sa.ColumnElement[bool]:
    return TASKS.condition(caller)


def readable_meetings(caller: Caller) -> sa.ColumnElement[bool]:
    return MEETINGS.condition(caller)


def readable_notices(caller: Caller) -> sa.ColumnElement[bool]:
    """National roles read every notice; others those addressed to their role."""
    if caller.is_national:
        return sa.true()
    return Notice.audience.contains(f",{caller.role.value},")


def readable_documents(caller: Caller | None) -> sa.ColumnElement[bool]:
    """Public documents: anyone (also without login). Restricted: callers of the platform; a
    province's own 报送 attachment: that province and the national roles."""
    if caller is None:
        return Document.access == "public"
    if caller.is_national:
        return sa.true()
    own: sa.ColumnElement[bool] = Document.province_code.is_(None)
    if caller.role is Role.province and caller.province_code:
        own = sa.or_(own, Document.province_code == caller.province_code)
    return own


def readable_budgets(caller: Caller) -> sa.ColumnElement[bool]:
    return BUDGETS.condition(caller)


def readable_allocations(caller: Caller) -> sa.ColumnElement[bool]:
    return ALLOCATIONS.condition(caller)


def readable_eligibility(caller: Caller) -> sa.ColumnElement[bool]:
    return ELIGIBILITY.condition(caller)


def readable_lists(caller: Caller | None) -> sa.ColumnElement[bool]:
    """Published lists are public; drafts are the ministry's / management organization's."""
    return PUBLISHED if caller is None else AGENCY_LISTS.condition(caller)


async def tasks_of_year(session: AsyncSession, caller: Caller, year: int) -> list[ProgrammeTask]:
    stmt = sa.select(ProgrammeTask).where(readable_tasks(caller), ProgrammeTask.year == year)
    return list((await session.scalars(stmt)).all())


def task_status_condition(status: str, on: dt.date) -> sa.ColumnElement[bool]:
    """SQL for the computed status (see `registry.domain.work.task_status`)."""
    done = ProgrammeTask.completed_on.is_not(None)
    return {
        "done": sa.and_(done, ProgrammeTask.completed_on <= ProgrammeTask.due_on),
        "done_late": sa.and_(done, ProgrammeTask.completed_on > ProgrammeTask.due_on),
        "overdue": sa.and_(~done, ProgrammeTask.due_on < on),
        "upcoming": sa.and_(~done, ProgrammeTask.due_on >= on, ProgrammeTask.starts_on > on),
        "in_progress": sa.and_(
            ~done,
            ProgrammeTask.due_on >= on,
            sa.or_(ProgrammeTask.starts_on.is_(None), ProgrammeTask.starts_on <= on),
        ),
    }[status]


async def task_completed_on(session: AsyncSession, year: int, ref: str) -> dt.date | None:
    stmt = sa.select(ProgrammeTask.completed_on).where(
        ProgrammeTask.year == year, ProgrammeTask.ref == ref, ProgrammeTask.assignee == "national"
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def periodic_tasks(session: AsyncSession, caller: Caller, year: int) -> list[ProgrammeTask]:
    stmt = (
        sa.select(ProgrammeTask)
        .where(readable_tasks(caller), ProgrammeTask.year == year, ProgrammeTask.periodic)
        .order_by(ProgrammeTask.region_code)
    )
    return list((await session.scalars(stmt)).all())


async def submission_for(
    session: AsyncSession, task_id: uuid.UUID, period: str
) -> TaskSubmission | None:
    stmt = sa.select(TaskSubmission).where(
        TaskSubmission.task_id == task_id, TaskSubmission.period == period
    )
    return (await session.scalars(stmt)).first()


async def submissions_of(
    session: AsyncSession, task_ids: list[uuid.UUID], period: str
) -> dict[uuid.UUID, TaskSubmission]:
    stmt = sa.select(TaskSubmission).where(
        TaskSubmission.task_id.in_(task_ids), TaskSubmission.period == period
    )
    return {s.task_id: s for s in (await session.scalars(stmt)).all()}


async def meeting_counts(session: AsyncSession, meeting_id: uuid.UUID) -> tuple[int, int]:
    """(people registered, people attended) of a meeting."""
    stmt = sa.select(
        sa.func.coalesce(sa.func.sum(MeetingRegistration.attendees), 0),
        sa.func.coalesce(
            sa.func.sum(
                sa.case(
                    (MeetingRegistration.attended.is_(True), MeetingRegistration.attendees), else_=0
                )
            ),
            0,
        ),
    ).where(MeetingRegistration.meeting_id == meeting_id)
    registered, attended = (await session.execute(stmt)).one()
    return int(registered), int(attended)


async def registration_of(
    session: AsyncSession, meeting_id: uuid.UUID, registrant: str
) -> MeetingRegistration | None:
    stmt = sa.select(MeetingRegistration).where(
        MeetingRegistration.meeting_id == meeting_id, MeetingRegistration.registrant == registrant
    )
    return (await session.scalars(stmt)).first()


async def pilot_of_enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> Pilot | None:
    stmt = sa.select(Pilot).where(Pilot.enterprise_id == enterprise_id, Pilot.status != "withdrawn")
    return (await session.scalars(stmt)).first()


async def reads_of(session: AsyncSession, notice_id: uuid.UUID) -> list[NoticeRead]:
    stmt = (
        sa.select(NoticeRead).where(NoticeRead.notice_id == notice_id).order_by(NoticeRead.read_at)
    )
    return list((await session.scalars(stmt)).all())


async def read_times(
    session: AsyncSession, notice_ids: list[uuid.UUID], reader: str
) -> dict[uuid.UUID, dt.datetime]:
    """{notice id: first read time} of the notices among `notice_ids` that `reader` read."""
    if not notice_ids:
        return {}
    stmt = sa.select(NoticeRead.notice_id, NoticeRead.read_at).where(
        NoticeRead.notice_id.in_(notice_ids), NoticeRead.reader == reader
    )
    return {notice_id: read_at for notice_id, read_at in await session.execute(stmt)}


async def budget_for(
    session: AsyncSession, year: int, source: str, province: str | None
) -> FundBudget | None:
    stmt = sa.select(FundBudget).where(
        FundBudget.year == year,
        FundBudget.source == source,
        FundBudget.province_code.is_(None)
        if province is None
        else FundBudget.province_code == province,
    )
    return (await session.scalars(stmt)).first()


async def allocated_of_budget(session: AsyncSession, budget_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.sum(FundAllocation.amount_yuan), 0)).where(
        FundAllocation.budget_id == budget_id
    )
    return int((await session.execute(stmt)).scalar_one())


async def disbursed_of_allocation(session: AsyncSession, allocation_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.sum(FundDisbursement.amount_yuan), 0)).where(
        FundDisbursement.allocation_id == allocation_id
    )
    return int((await session.execute(stmt)).scalar_one())


async def fund_totals(
    session: AsyncSession, year: int, province: str | None
) -> tuple[int, dict[str, dict[str, int]]]:
    """(the ministry's budget of the year, per measure and province: `provincial` budget,
    `allocated`, `disbursed`, `eligible` and `supported` pilots). Amounts in yuan."""

    async def per(stmt: Any, column: Any) -> dict[str, int]:
        if province is not None:
            stmt = stmt.where(column == province)
        rows = (await session.execute(stmt.group_by(column))).tuples()
        return {p: int(n) for p, n in rows if p}

    budget_of_year = sa.select(FundBudget.id).where(FundBudget.year == year)
    alloc_of_year = FundAllocation.budget_id.in_(budget_of_year)
    ministry = (
        await session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(FundBudget.amount_yuan), 0)).where(
                FundBudget.year == year, FundBudget.source == "ministry_special"
            )
        )
    ).scalar_one()
    A, D, E = FundAllocation, FundDisbursement, FundEligibility
    return int(ministry), {
        "provincial": await per(
            sa.select(FundBudget.province_code, sa.func.sum(FundBudget.amount_yuan)).where(
                FundBudget.year == year, FundBudget.source == "provincial"
            ),
            FundBudget.province_code,
        ),
        "allocated": await per(
            sa.select(A.province_code, sa.func.sum(A.amount_yuan)).where(alloc_of_year),
            A.province_code,
        ),
        "supported": await per(
            sa.select(A.province_code, sa.func.count(sa.distinct(A.pilot_id))).where(alloc_of_year),
            A.province_code,
        ),
        "disbursed": await per(
            sa.select(D.province_code, sa.func.sum(D.amount_yuan)).where(
                D.allocation_id.in_(sa.select(A.id).where(alloc_of_year))
            ),
            D.province_code,
        ),
        "eligible": await per(
            sa.select(E.province_code, sa.func.count()).where(E.year == year), E.province_code
        ),
    }


async def qualified_staff(session: AsyncSession, agency_id: uuid.UUID, on: dt.date) -> int:
    """Staff of the agency holding a valid (not revoked, not expired) 咨询资质 on `on`."""
    stmt = sa.select(sa.func.count(sa.distinct(AgencyStaffQualification.person_id))).where(
        AgencyStaffQualification.organization_id == agency_id,
        AgencyStaffQualification.kind == "consultant",
        ~AgencyStaffQualification.revoked,
        AgencyStaffQualification.granted_on <= on,
        sa.or_(
            AgencyStaffQualification.valid_until.is_(None),
            AgencyStaffQualification.valid_until >= on,
        ),
    )
    return int((await session.execute(stmt)).scalar_one())


async def entry_of(
    session: AsyncSession, list_id: uuid.UUID, agency_id: uuid.UUID
) -> AgencyListEntry | None:
    stmt = sa.select(AgencyListEntry).where(
        AgencyListEntry.list_id == list_id, AgencyListEntry.agency_id == agency_id
    )
    return (await session.scalars(stmt)).first()


async def entries_of(session: AsyncSession, list_id: uuid.UUID) -> list[AgencyListEntry]:
    stmt = (
        sa.select(AgencyListEntry)
        .where(AgencyListEntry.list_id == list_id)
        .order_by(AgencyListEntry.id)
    )
    return list((await session.scalars(stmt)).all())


async def call_of_year(session: AsyncSession, year: int) -> CertificationCall | None:
    return (
        await session.scalars(sa.select(CertificationCall).where(CertificationCall.year == year))
    ).first()


async def candidate_of(
    session: AsyncSession, call_id: uuid.UUID, agency_id: uuid.UUID
) -> CallCandidate | None:
    stmt = sa.select(CallCandidate).where(
        CallCandidate.call_id == call_id, CallCandidate.agency_id == agency_id
    )
    return (await session.scalars(stmt)).first()
