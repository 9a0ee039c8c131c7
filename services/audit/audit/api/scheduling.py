"""自动排期 — proposals from the solver, applied only when confirmed."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from audit.api import schemas as s
from audit.service import scheduling as service
from iims_common.http import Session, json_response
from iims_common.identity import CurrentCaller

router = APIRouter(prefix="/api/v1", tags=["scheduling 自动排期"])


@router.post("/schedule-proposals", status_code=201, response_model=s.ProposalOut)
async def propose_schedule(
    body: s.ProposalCreate, caller: CurrentCaller, session: Session, request: Request
) -> JSONResponse:
    """Teams and dates for the waiting audits in a date window (OR-Tools CP-SAT). Nothing is
    booked until the proposal is confirmed; `unplaced` says why each other audit is not.
    `window_end` before `window_start`, or a window over a year, is a 422 naming `body`."""
    settings = request.app.state.settings
    proposal = await service.propose(
        session,
        caller,
        body,
        time_limit_s=settings.scheduler_time_limit_s,
        workers=settings.scheduler_workers,
    )
    return json_response(
        s.ProposalOut.model_validate(proposal),
        201,
        location=f"/api/v1/schedule-proposals/{proposal.id}",
    )


@router.get("/schedule-proposals/{proposal_id}", response_model=s.ProposalOut)
async def get_proposal(
    proposal_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.ProposalOut:
    return s.ProposalOut.model_validate(await service.get(session, caller, proposal_id))


@router.post("/schedule-proposals/{proposal_id}/confirmation", response_model=s.ProposalOut)
async def confirm_proposal(
    proposal_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.ProposalOut:
    """Plan every placement now, each re-checked against the rules; `results` gives the audit
    created or the rule that no longer holds."""
    return s.ProposalOut.model_validate(await service.confirm(session, caller, proposal_id))
