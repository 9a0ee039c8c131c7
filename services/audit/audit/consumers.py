"""Events the audit service consumes: the facts it keeps its own copies of, and its own
`audit-passed` (the certification step: the application enters the compliance review)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit.db.tables import Agency, Auditor, Enterprise, Qualification
from audit.domain.enums import QualificationKind
from audit.service import applications as application_service
from iims_common.db import utcnow
from iims_common.events.consumer import EventConsumer, route
from iims_common.events.envelope import CloudEvent
from iims_common.settings import ServiceSettings
from iims_contracts.audit import AuditPassed
from iims_contracts.registry import AgencyUpdated, EnterpriseRegistered, PilotEnrolled
from iims_contracts.training import QualificationGranted, QualificationRevoked

AUDITOR_KINDS = (QualificationKind.auditor, QualificationKind.lead_auditor)


async def _enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise:
    row = await session.get(Enterprise, enterprise_id, with_for_update=True)
    if row is None:
        row = Enterprise(id=enterprise_id)
        session.add(row)
    return row


async def on_enterprise_registered(
    session: AsyncSession, event: CloudEvent, data: EnterpriseRegistered
) -> None:
    row = await _enterprise(session, data.enterprise_id)
    row.uscc, row.name, row.size = data.uscc, data.name, data.size
    row.province_code = data.province_code or row.province_code
    row.industry_code = data.industry_code or row.industry_code


async def on_pilot_enrolled(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
    """Marks the enterprise a pilot (eligible) and learns its consultancy (impartiality)."""
    row = await _enterprise(session, data.enterprise_id)
    row.pilot_id, row.consultancy_id = data.pilot_id, data.consultancy_id
    row.province_code = data.province_code or row.province_code
    row.industry_code = data.industry_code or row.industry_code


async def on_agency_updated(session: AsyncSession, event: CloudEvent, data: AgencyUpdated) -> None:
    row = await session.get(Agency, data.agency_id, with_for_update=True)
    if row is None:
        row = Agency(id=data.agency_id)
        session.add(row)
    row.name, row.kind, row.status, row.province_code = (
        data.name,
        data.kind,
        data.status,
        data.province_code,
    )


async def on_qualification_granted(
    session: AsyncSession, event: CloudEvent, data: QualificationGranted
) -> None:
    q = await session.get(Qualification, data.qualification_no)
    if q is None:
        session.add(
            Qualification(
                number=data.qualification_no,
                person_id=data.person_id,
                person_name=data.person_name,
                kind=data.kind,
                organization_id=data.organization_id,
                granted_on=data.granted_on,
                valid_until=data.valid_until,
            )
        )
    if data.kind not in AUDITOR_KINDS:
        return
    auditor = await session.get(Auditor, data.person_id, with_for_update=True)
    if auditor is None:
        session.add(
            Auditor(
                person_id=data.person_id,
                name=data.person_name,
                body_id=data.organization_id,
                competences=[],
            )
        )
    else:
        auditor.name, auditor.body_id = data.person_name, data.organization_id


async def on_qualification_revoked(
    session: AsyncSession, event: CloudEvent, data: QualificationRevoked
) -> None:
    q = await session.get(Qualification, data.qualification_no, with_for_update=True)
    if q is None:
        # The grant travels on another topic and may be late: fail, so the consumer retries
        # (and, if it never comes, the DLQ keeps the revocation for a redrive).
        raise LookupError(f"qualification {data.qualification_no} not known yet")
    if q.revoked_on is None:
        q.revoked_on = (event.time or utcnow()).date()
        q.revoked_reason = data.reason


async def on_audit_passed(session: AsyncSession, event: CloudEvent, data: AuditPassed) -> None:
    await application_service.open_review(session, data.application_id)


def audit_consumers(
    settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[EventConsumer]:
    return [
        EventConsumer(
            "audit",
            settings,
            sessionmaker,
            [
                route(EnterpriseRegistered, on_enterprise_registered),
                route(PilotEnrolled, on_pilot_enrolled),
                route(AgencyUpdated, on_agency_updated),
                route(QualificationGranted, on_qualification_granted),
                route(QualificationRevoked, on_qualification_revoked),
                route(AuditPassed, on_audit_passed),
            ],
        )
    ]
