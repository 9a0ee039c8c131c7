"""Events the registry consumes: certificate-issued (pilot → certified, and eligible for
贯标试点支持), assessment-scored (latest stage on the pilot), qualification-granted /
qualification-revoked (agency staff holding 咨询资质, for the recommended-consultancy lists).
All run inside the inbox transaction of `EventConsumer`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.events.consumer import EventConsumer, route
from iims_common.events.envelope import CloudEvent
from iims_common.settings import ServiceSettings
from iims_contracts.assessment import AssessmentScored
from iims_contracts.audit import CertificateIssued
from iims_contracts.training import QualificationGranted, QualificationRevoked
from registry.db import repository
from registry.db.tables import Batch, Enterprise
from registry.domain.enums import EnterpriseStatus, PilotStatus
from registry.service import work
from registry.service.programme import change_pilot_status

CONSUMER_NAME = "registry"


async def on_certificate_issued(
    session: AsyncSession, event: CloudEvent, data: CertificateIssued
) -> None:
    for pilot in await repository.active_pilots_of(session, data.enterprise_id):
        if pilot.status != PilotStatus.certified:
            # The certification decision may come before the province marked the pilot
            # 基本达标; it is authoritative, so the pilot moves to certified from any
            # active status.
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


async def on_assessment_scored(
    session: AsyncSession, event: CloudEvent, data: AssessmentScored
) -> None:
    for pilot in await repository.active_pilots_of(session, data.enterprise_id):
        # Replays and late deliveries must not overwrite a newer period's result.
        if pilot.latest_assessment_period and pilot.latest_assessment_period > data.period:
            continue
        pilot.latest_assessment_id = str(data.assessment_id)
        pilot.latest_assessment_period = data.period
        pilot.latest_score = data.total_score
        pilot.latest_stage = data.stage
        pilot.latest_maturity_level = data.maturity_level


async def on_qualification_granted(
    session: AsyncSession, event: CloudEvent, data: QualificationGranted
) -> None:
    await work.qualification_granted(session, data)


async def on_qualification_revoked(
    session: AsyncSession, event: CloudEvent, data: QualificationRevoked
) -> None:
    await work.qualification_revoked(session, data)


def registry_consumers(
    settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[EventConsumer]:
    return [
        EventConsumer(
            CONSUMER_NAME,
            settings,
            sessionmaker,
            [
                route(CertificateIssued, on_certificate_issued),
                route(AssessmentScored, on_assessment_scored),
                route(QualificationGranted, on_qualification_granted),
                route(QualificationRevoked, on_qualification_revoked),
            ],
        )
    ]
