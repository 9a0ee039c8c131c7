"""工作任务 use cases (之二, 之四 per province, 本领域/本市落实方案) and their 报送: seed a
year (the ministry), list with the status computed on a day, read, complete (the assignee or
the ministry: `TASK`'s "report" rule), submit a report, the reporting status. Authorized
through `TASK`."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db import work_repository as repo
from registry.db.work import ProgrammeTask, TaskSubmission
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import TASK


async def seed(session: AsyncSession, caller: Caller, year: int) -> w.SeedResult:
    """The seed's tasks and meetings for a year; a second call creates nothing."""
    TASK.authorize(caller, "seed")
    return await work.seed_year(session, year)


def query(
    caller: Caller,
    *,
    on: dt.date,
    year: int | None = None,
    source: str | None = None,
    region_code: str | None = None,
    ref: str | None = None,
    status: w.TaskStatus | None = None,
) -> sa.Select[ProgrammeTask]:
    """The tasks the caller sees; `status` is computed on `on`."""
    stmt = TASK.query(caller, year=year, source=source, region_code=region_code, ref=ref)
    if status is not None:
        stmt = stmt.where(repo.task_status_condition(status, on))
    return stmt


async def reporting_status(
    session: AsyncSession, caller: Caller, year: int, period: str, on: dt.date
) -> w.ReportingStatus:
    """Per province, the period's 报送 as received, received_late, missing or not_due."""
    TASK.authorize(caller, "reporting_status")
    return await work.reporting_status(session, caller, year, period, on)


async def get(session: AsyncSession, caller: Caller, task_id: uuid.UUID) -> ProgrammeTask:
    return await TASK.load(session, caller, task_id)


async def complete(
    session: AsyncSession,
    caller: Caller,
    task_id: uuid.UUID,
    command: w.TaskComplete,
    *,
    if_match: str | None,
) -> ProgrammeTask:
    """A one-off task done, with its evidence (If-Match)."""
    task = await TASK.load(session, caller, task_id, for_update=True, if_match=if_match)
    return await work.complete_task(session, caller, task, command)


async def submit_report(
    session: AsyncSession, caller: Caller, task_id: uuid.UUID, command: w.SubmissionCreate
) -> tuple[ProgrammeTask, TaskSubmission]:
    """报送: one per period for the periodic task, or the one that completes a one-off task."""
    task = await TASK.load(session, caller, task_id, for_update=True)
    return task, await work.submit(session, caller, task, command)


async def submissions(
    session: AsyncSession, caller: Caller, task_id: uuid.UUID
) -> tuple[ProgrammeTask, sa.Select[TaskSubmission]]:
    task = await TASK.load(session, caller, task_id)
    return task, sa.select(TaskSubmission).where(TaskSubmission.task_id == task.id)
