"""不符合项 — corrective action, its acceptance and the verification that closes a finding."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from audit.api import schemas as s
from audit.service import findings as service
from iims_common.http import Session
from iims_common.identity import CurrentCaller

router = APIRouter(prefix="/api/v1", tags=["findings 不符合项"])


@router.get("/findings/{finding_id}", response_model=s.FindingOut)
async def get_finding(
    finding_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.FindingOut:
    return s.FindingOut.model_validate(await service.get(session, caller, finding_id))


@router.post("/findings/{finding_id}/corrective-action", response_model=s.FindingOut)
async def submit_corrective_action(
    finding_id: uuid.UUID, body: s.CorrectiveActionIn, caller: CurrentCaller, session: Session
) -> s.FindingOut:
    """纠正措施 with its deadline (minor ≤ 90 days after the audit; major ≤ 6 months)."""
    finding = await service.submit_plan(session, caller, finding_id, body)
    return s.FindingOut.model_validate(finding)


@router.post("/findings/{finding_id}/plan-acceptance", response_model=s.FindingOut)
async def accept_corrective_action(
    finding_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.FindingOut:
    return s.FindingOut.model_validate(await service.accept_plan(session, caller, finding_id))


@router.post("/findings/{finding_id}/verification", response_model=s.FindingOut)
async def verify_finding(
    finding_id: uuid.UUID, body: s.VerificationIn, caller: CurrentCaller, session: Session
) -> s.FindingOut:
    """验证关闭: a major later than 6 months after stage 2 is refused (finding.major-overdue)."""
    finding = await service.verify_closed(session, caller, finding_id, body)
    return s.FindingOut.model_validate(finding)
