"""认定服务机构征集 use cases: the call (the ministry or the management organization), a body
applies or its province recommends it, 专家评审, 授权. Authorized through `CALL` and
`CANDIDATE` (national roles all candidates, a province those it recommended, a body its own);
who proposes, reviews and authorizes: `CANDIDATE`'s rules."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db.work import CallCandidate, CertificationCall
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import CALL, CANDIDATE


async def create(session: AsyncSession, caller: Caller, command: w.CallCreate) -> CertificationCall:
    return await work.create_call(session, caller, command)


def query(caller: Caller) -> sa.Select[CertificationCall]:
    return CALL.select(caller)


async def add_candidate(
    session: AsyncSession, caller: Caller, call_id: uuid.UUID, command: w.CandidateCreate
) -> CallCandidate:
    """A certification body applies, or its province recommends it (之四 四.1, 8月)."""
    call = await CALL.load(session, caller, call_id)
    return await work.add_candidate(session, caller, call, command)


async def candidates(
    session: AsyncSession, caller: Caller, call_id: uuid.UUID
) -> sa.Select[CallCandidate]:
    call = await CALL.load(session, caller, call_id)
    return CANDIDATE.query(caller, call_id=call.id)


async def review(
    session: AsyncSession,
    caller: Caller,
    candidate_id: uuid.UUID,
    command: w.CandidateReview,
    *,
    if_match: str | None,
) -> CallCandidate:
    """专家评审 result (passed / rejected)."""
    cand = await CANDIDATE.load(session, caller, candidate_id, for_update=True, if_match=if_match)
    return await work.review_candidate(session, caller, cand, command)


async def authorize(
    session: AsyncSession,
    caller: Caller,
    candidate_id: uuid.UUID,
    command: w.CandidateAuthorize,
    *,
    if_match: str | None,
) -> CallCandidate:
    """授权 the body after a passed review, once the 认定管理组织 is formed."""
    cand = await CANDIDATE.load(session, caller, candidate_id, for_update=True, if_match=if_match)
    return await work.authorize_candidate(session, caller, cand, command)
