"""Events the audit service consumes: the facts it keeps its own copies of, and its own
`audit-passed` (the certification step: the application enters the compliance review)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit.db.tables import Agency, Auditor, Enterprise, Qualification
from audit.domain.enums import QualificationKind
from audit.service import applications as application_service
from iims_common.db import utcnow
from iims_common.events.consumer import EventConsumer
from iims_common.events.envelope import CloudEvent
from iims_common.settings import ServiceSettings

AUDITOR_KINDS = (QualificationKind.auditor, QualificationKind.lead_auditor)


class EnterpriseRegistered(BaseModel):
    enterprise_id: uuid.UUID
    uscc: str | None = None
    name: str
    province_code: str | None = None
    industry_code: str | None = None
    size: str | None = None


class PilotEnrolled(BaseModel):
    pilot_id: uuid.UUID
    enterprise_id: uuid.UUID
    province_code: str | None = None
    industry_code: str | None = None
    consultancy_id: uuid.UUID | None = None


class AgencyUpdated(BaseModel):
    agency_id: uuid.UUID
    name: str
    kind: str
    status: str
    province_code: str | None = None


class QualificationGranted(BaseModel):
    qualification_no: str
    person_id: uuid.UUID
    person_name: str
    kind: QualificationKind
    organization_id: uuid.UUID | None = None
    granted_on: dt.date
    valid_until: dt.date


class QualificationRevoked(BaseModel):
    qualification_no: str
    person_id: uuid.UUID
    reason: str | None = None


class AuditPassed(BaseModel):
    application_id: uuid.UUID


async def _enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise:
    row = await session.get(Enterprise, enterprise_id, with_for_update=True)
    if row is None:
        row = Enterprise(id=enterprise_id)
        session.add(row)
    return row


async def on_enterprise_registered(session: AsyncSession, event: CloudEvent) -> None:
    data = EnterpriseRegistered.model_validate(event.data)
    row = await _enterprise(session, data.enterprise_id)
    row.uscc, row.name, row.size = data.uscc, data.name, data.size
    row.province_code = data.province_code or row.province_code
    row.industry_code = data.industry_code or row.industry_code


async def on_pilot_enrolled(session: AsyncSession, event: CloudEvent) -> None:
    """Marks the enterprise a pilot (eligible) and learns its consultancy (impartiality)."""
    data = PilotEnrolled.model_validate(event.data)
    row = await _enterprise(session, data.enterprise_id)
    row.pilot_id, row.consultancy_id = data.pilot_id, data.consultancy_id
    row.province_code = data.province_code or row.province_code
    row.industry_code = data.industry_code or row.industry_code


async def on_agency_updated(session: AsyncSession, event: CloudEvent) -> None:
    data = AgencyUpdated.model_validate(event.data)
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


async def on_qualification_granted(session: AsyncSession, event: CloudEvent) -> None:
    data = QualificationGranted.model_validate(event.data)
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


async def on_qualification_revoked(session: AsyncSession, event: CloudEvent) -> None:
    data = QualificationRevoked.model_validate(event.data)
    q = await session.get(Qualification, data.qualification_no, with_for_update=True)
    if q is None:
        # The grant travels on another topic and may be late: fail, so the consumer retries
        # (and, if it never comes, the DLQ keeps the revocation for a redrive).
        raise LookupError(f"qualification {data.qualification_no} not known yet")
    if q.revoked_on is None:
        q.revoked_on = (event.time or utcnow()).date()
        q.revoked_reason = data.reason


async def on_audit_passed(session: AsyncSession, event: CloudEvent) -> None:
    await application_service.open_review(
        session, AuditPassed.model_validate(event.data).application_id
    )


def audit_consumers(
    settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[EventConsumer]:
    return [
        EventConsumer(
            "audit",
            settings,
            sessionmaker,
            {
                "enterprise-registered": on_enterprise_registered,
                "pilot-enrolled": on_pilot_enrolled,
                "agency-updated": on_agency_updated,
                "qualification-granted": on_qualification_granted,
                "qualification-revoked": on_qualification_revoked,
                "audit-passed": on_audit_passed,
            },
        )
    ]
