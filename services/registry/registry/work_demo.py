"""Demo data of the programme's own work (part of `python -m registry.demo`): the seed's tasks
and meetings for 2014, the province plans' tasks done on the day the plans came in, some
monthly 报送 (on time, late, missing), the 84号 notice with read receipts, the task table as a
public document, and the certification bodies' August call.

Dates the seed fixes are used as they are (the 布置会 on 2014-03-24, the notice of
2014-01-28, the windows). Dates it leaves open are this demo's assumptions: a task is marked
done on the last day of its window, the call runs 1–31 August, reviews on the 20th,
authorizations one by one from the 25th (成熟一家发展一家).
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller, Role
from registry.db.tables import Agency, Batch, ProvincePlan
from registry.db.work import ProgrammeTask
from registry.domain import work as rules
from registry.domain.reference import PROVINCES
from registry.service import work
from registry.service import work_dto as w

YEAR = 2014
MINISTRY = Caller(subject="demo-loader", role=Role.ministry)
MANAGEMENT_ORG = Caller(subject="demo-loader", role=Role.management_org)


async def _national(session: AsyncSession, ref: str) -> ProgrammeTask:
    stmt = sa.select(ProgrammeTask).where(
        ProgrammeTask.year == YEAR, ProgrammeTask.ref == ref, ProgrammeTask.assignee == "national"
    )
    return (await session.scalars(stmt)).one()


async def _done(session: AsyncSession, ref: str, on: dt.date, evidence: str) -> None:
    task = await _national(session, ref)
    await work.complete_task(
        session, MINISTRY, task, w.TaskComplete(completed_on=on, evidence=evidence)
    )


def _task_table_text() -> bytes:
    lines = [
        "会议材料之二　2014 年两化融合管理体系工作任务分工及进度安排",
        "",
        "工作任务\t责任单位\t时间",
    ]
    section = ""
    for t in rules.NATIONAL_TASKS:
        if t.section != section:
            section = t.section
            lines.append(section)
        lines.append(f"{t.ref.split(' ')[1]} {t.title}\t{t.owner}\t{t.window}")
    return ("\n".join(lines) + "\n").encode()


async def load(session: AsyncSession, rng: random.Random, bodies: list[Agency]) -> None:
    await work.seed_year(session, YEAR)
    await _done(
        session,
        "之二 一.1",
        dt.date(2014, 3, 24),
        "2014年3月24日 两化融合管理体系工作布置会（北京）",
    )

    # 之四 一.1 (本区域贯标工作落实方案) is done on the day the province's plan came in.
    batch = (await session.scalars(sa.select(Batch).where(Batch.year == YEAR))).one()
    plans = await session.scalars(sa.select(ProvincePlan).where(ProvincePlan.batch_id == batch.id))
    for plan in plans.all():
        task = (
            await session.scalars(
                sa.select(ProgrammeTask).where(
                    ProgrammeTask.year == YEAR,
                    ProgrammeTask.ref == rules.CITY_PLAN_REF,
                    ProgrammeTask.assignee == plan.province_code,
                )
            )
        ).one()
        await work.submit(
            session,
            MINISTRY,
            task,
            w.SubmissionCreate(summary=plan.title, submitted_on=plan.submitted_at.date()),
        )

    # Monthly 报送 (之四 三.4): most provinces report June–September, some late, some not.
    periodic = await session.scalars(
        sa.select(ProgrammeTask)
        .where(ProgrammeTask.year == YEAR, ProgrammeTask.periodic)
        .order_by(ProgrammeTask.region_code)
    )
    for i, task in enumerate(periodic.all()):
        for period in ("2014-06", "2014-07", "2014-08", "2014-09"):
            if (i + int(period[-1])) % 6 == 0:
                continue  # missing
            due = rules.period_due(period)
            on = due - dt.timedelta(days=rng.randint(1, 8)) if i % 5 else due + dt.timedelta(days=5)
            await work.submit(
                session,
                MINISTRY,
                task,
                w.SubmissionCreate(
                    period=period,
                    summary=f"{PROVINCES[task.region_code or '']}{period}贯标进展情况汇总",
                    submitted_on=on,
                ),
            )

    # The notice that started the 2014 selection (会议材料之一).
    notice = await work.issue_notice(
        session,
        MINISTRY,
        w.NoticeCreate(
            number="工信厅信函〔2014〕84号",
            title="关于推荐2014年信息化和工业化融合管理体系贯标试点企业和服务机构的通知",
            body="向部内相关司局、各地工业和信息化主管部门、中央企业集团、行业协会等单位印发，"
            "请推荐2014年贯标试点企业和服务机构。",
            issued_on=dt.date(2014, 1, 28),
            audience_roles=[Role.province, Role.recommender],
        ),
    )
    for code in list(PROVINCES)[:27]:
        await work.mark_read(
            session,
            Caller(subject=f"province-{code}", role=Role.province, province_code=code),
            notice,
        )

    # The task table as a public download ("有关资料还可以上网下载").
    doc = await work.create_document(
        session,
        MINISTRY,
        w.DocumentCreate(
            title="会议材料之二：2014 年两化融合管理体系工作任务分工及进度安排",
            category=w.DocumentCategory.meeting_material,
            access=w.Access.public,
        ),
    )
    await work.upload(
        session,
        MINISTRY,
        doc,
        filename="会议材料之二.txt",
        media_type="text/plain; charset=utf-8",
        content=_task_table_text(),
        max_bytes=10**6,
    )

    # 认定: the management organization is formed in July, bodies are selected in August.
    await _done(
        session,
        "之二 四.1",
        dt.date(2014, 7, 31),
        "依托联合工作组成立第三方认定管理组织（日期为演示假设）",
    )
    call = await work.create_call(
        session,
        MINISTRY,
        w.CallCreate(
            year=YEAR,
            title="公开征集两化融合管理体系认定服务机构",
            opens_on=dt.date(2014, 8, 1),
            closes_on=dt.date(2014, 8, 31),
        ),
    )
    for n, body in enumerate(bodies):
        province = Caller(
            subject=f"province-{body.province_code}",
            role=Role.province,
            province_code=body.province_code,
        )
        cand = await work.add_candidate(
            session,
            province,
            call,
            w.CandidateCreate(agency_id=body.id, applied_on=dt.date(2014, 8, 8)),
        )
        await work.review_candidate(
            session,
            MANAGEMENT_ORG,
            cand,
            w.CandidateReview(
                review=w.Review.passed, notes="专家评审通过", reviewed_on=dt.date(2014, 8, 20)
            ),
        )
        await work.authorize_candidate(
            session,
            MANAGEMENT_ORG,
            cand,
            w.CandidateAuthorize(authorized_on=dt.date(2014, 8, 25) + dt.timedelta(days=2 * n)),
        )
    await _done(
        session, "之二 四.3", dt.date(2014, 8, 31), "公开征集、专家评审，首批认定服务机构授权"
    )
