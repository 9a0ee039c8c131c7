"""通知 use cases: issue to roles (the ministry or the management organization), list and
read (those addressed to the caller's role), 已读回执, receipts. Authorized through `NOTICE`."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db.work import Notice, NoticeRead
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import NOTICE


async def issue(session: AsyncSession, caller: Caller, command: w.NoticeCreate) -> Notice:
    """印发通知 (publishes notice-issued)."""
    NOTICE.authorize(caller, "issue")
    return await work.issue_notice(session, caller, command)


def query(caller: Caller, *, read_by_me: bool | None = None) -> sa.Select[Notice]:
    """`read_by_me`: true only those the caller's party has read; false the unread."""
    stmt = NOTICE.select(caller)
    if read_by_me is not None:
        mine = sa.exists().where(
            NoticeRead.notice_id == Notice.id, NoticeRead.reader == work.acting_party(caller)
        )
        stmt = stmt.where(mine if read_by_me else ~mine)
    return stmt


async def get(session: AsyncSession, caller: Caller, notice_id: uuid.UUID) -> Notice:
    return await NOTICE.load(session, caller, notice_id)


async def mark_read(session: AsyncSession, caller: Caller, notice_id: uuid.UUID) -> None:
    """已读回执 (a repeat keeps the first time)."""
    await work.mark_read(session, caller, await NOTICE.load(session, caller, notice_id))


async def receipts(session: AsyncSession, caller: Caller, notice_id: uuid.UUID) -> w.NoticeReceipts:
    """Who read the notice, and which provinces in its audience have not."""
    NOTICE.authorize(caller, "receipts")
    return await work.receipts(session, await NOTICE.load(session, caller, notice_id))
