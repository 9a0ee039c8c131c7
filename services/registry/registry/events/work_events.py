"""Events of the programme's own work (contracts in `iims_contracts.work`), written through
the outbox in the same transaction as the change. The gateway's dashboards count tasks late,
meetings and funds from them."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.events.outbox import record
from iims_contracts.work import (
    AgencyListPublished,
    DocumentPublished,
    FundAllocated,
    FundDisbursed,
    MeetingUpdated,
    NoticeIssued,
    ProgrammeTaskUpdated,
    TaskSubmissionReceived,
)
from registry.db.work import (
    AgencyList,
    Document,
    DocumentVersion,
    FundAllocation,
    FundBudget,
    FundDisbursement,
    Meeting,
    Notice,
    ProgrammeTask,
    TaskSubmission,
)
from registry.domain.reference import province_of_region


async def task_updated(session: AsyncSession, task: ProgrammeTask) -> None:
    """Key: the task. `province_code` is the assignee's region's province (NULL for national
    and department tasks); the gateway computes "late" from `due_on` and `completed_on`."""
    await record(session, _task(task))


async def tasks_created(session: AsyncSession, tasks: list[ProgrammeTask]) -> None:
    """Bulk variant for seeding (one multi-row INSERT into the outbox)."""
    await record(session, *(_task(t) for t in tasks))


def _task(task: ProgrammeTask) -> ProgrammeTaskUpdated:
    return ProgrammeTaskUpdated(
        task_id=task.id,
        year=task.year,
        ref=task.ref,
        title=task.title,
        source=task.source,
        assignee=task.assignee,
        province_code=_province(task.region_code),
        region_code=task.region_code,
        starts_on=task.starts_on,
        due_on=task.due_on,
        periodic=task.periodic,
        completed_on=task.completed_on,
    )


def _province(region: str | None) -> str | None:
    """A separately-planned city's tasks count for its province on dashboards."""
    return province_of_region(region) if region else None


async def submission_received(
    session: AsyncSession, task: ProgrammeTask, sub: TaskSubmission, status: str
) -> None:
    await record(
        session,
        TaskSubmissionReceived(
            submission_id=sub.id,
            task_id=task.id,
            year=task.year,
            ref=task.ref,
            province_code=_province(task.region_code),
            region_code=task.region_code,
            period=sub.period or None,
            submitted_on=sub.submitted_on,
            late=status == "received_late",
        ),
    )


async def meeting_updated(
    session: AsyncSession, meeting: Meeting, registered: int, attended: int | None
) -> None:
    await record(
        session,
        MeetingUpdated(
            meeting_id=meeting.id,
            year=meeting.year,
            kind=meeting.kind,
            title=meeting.title,
            province_code=meeting.province_code,
            starts_on=meeting.starts_on,
            ends_on=meeting.ends_on,
            status=meeting.status,
            registered=registered,
            attended=attended,
        ),
    )


async def notice_issued(session: AsyncSession, notice: Notice) -> None:
    await record(
        session,
        NoticeIssued(
            notice_id=notice.id,
            number=notice.number,
            title=notice.title,
            issued_on=notice.issued_on,
            audience_roles=[r for r in notice.audience.split(",") if r],
        ),
    )


async def document_published(
    session: AsyncSession, doc: Document, version: DocumentVersion
) -> None:
    await record(
        session,
        DocumentPublished(
            document_id=doc.id,
            title=doc.title,
            category=doc.category,
            access=doc.access,
            version=version.number,
            sha256=version.sha256,
            size=version.size,
            province_code=doc.province_code,
        ),
    )


async def fund_allocated(
    session: AsyncSession, budget: FundBudget, a: FundAllocation, enterprise_id: uuid.UUID
) -> None:
    """Key: the enterprise (its facts stay in order with its pilot's events)."""
    await record(
        session,
        FundAllocated(
            allocation_id=a.id,
            budget_id=budget.id,
            year=budget.year,
            source=budget.source,
            pilot_id=a.pilot_id,
            enterprise_id=enterprise_id,
            province_code=a.province_code,
            amount_yuan=a.amount_yuan,
            decided_on=a.decided_on,
        ),
    )


async def fund_disbursed(
    session: AsyncSession,
    budget: FundBudget,
    a: FundAllocation,
    d: FundDisbursement,
    enterprise_id: uuid.UUID,
) -> None:
    await record(
        session,
        FundDisbursed(
            disbursement_id=d.id,
            allocation_id=a.id,
            year=budget.year,
            source=budget.source,
            pilot_id=a.pilot_id,
            enterprise_id=enterprise_id,
            province_code=d.province_code,
            amount_yuan=d.amount_yuan,
            paid_on=d.paid_on,
        ),
    )


async def agency_list_published(session: AsyncSession, lst: AgencyList, entries: int) -> None:
    await record(
        session,
        AgencyListPublished(
            list_id=lst.id,
            year=lst.year,
            kind=lst.kind,
            title=lst.title,
            published_on=lst.published_on,
            entries=entries,
        ),
    )
