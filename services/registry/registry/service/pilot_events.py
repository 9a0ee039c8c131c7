"""What a pilot learns from other services' events (use cases of the pilot aggregate called by
the consumers, in the inbox transaction): the certificate issued certifies it, an assessment
scored updates its latest result."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.events import CloudEvent
from iims_contracts.assessment import AssessmentScored
from iims_contracts.audit import CertificateIssued
from registry.db import repository
from registry.db.tables import Batch, Enterprise
from registry.domain.enums import EnterpriseStatus, PilotStatus
from registry.service import work
from registry.service.programme import change_pilot_status


async def certify(session: AsyncSession, event: CloudEvent, data: CertificateIssued) -> None:
    """The certification decision: the enterprise's newest active pilot becomes certified
    (from any active status — the decision is authoritative and may come before the province
    marked it 基本达标), carries the certificate and becomes eligible for 贯标试点支持."""
    for pilot in await repository.active_pilots_of(session, data.enterprise_id):
        if pilot.status != PilotStatus.certified:
            await change_pilot_status(
                session,
                pilot,
                PilotStatus.certified,
                changed_by=f"event:{event.source}#{event.id}",
                reason=f"certificate {data.certificate_no} issued",
                authoritative=True,
            )
        pilot.certificate_no = data.certificate_no
        pilot.certified_on = data.issued_on
        batch = await session.get(Batch, pilot.batch_id)
        if batch is not None:
            await work.record_eligibility(
                session, pilot, batch.year, data.certificate_no, data.issued_on
            )
        break  # the newest active pilot carries the certificate
    enterprise = await session.get(Enterprise, data.enterprise_id)
    if enterprise is not None:
        enterprise.status = EnterpriseStatus.certified


async def record_score(session: AsyncSession, event: CloudEvent, data: AssessmentScored) -> None:
    """The latest assessment result on the enterprise's active pilots; replays and late
    deliveries never overwrite a newer period's."""
    for pilot in await repository.active_pilots_of(session, data.enterprise_id):
        if pilot.latest_assessment_period and pilot.latest_assessment_period > data.period:
            continue
        pilot.latest_assessment_id = str(data.assessment_id)
        pilot.latest_assessment_period = data.period
        pilot.latest_score = data.total_score
        pilot.latest_stage = data.stage
        pilot.latest_maturity_level = data.maturity_level
