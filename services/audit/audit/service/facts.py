"""The facts the audit service keeps copies of, written only by other services' events:
enterprises (registered facts, pilot status and consultancy — eligibility and impartiality)
and agencies (certification bodies and consultancies)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from audit.db.tables import Agency, Enterprise
from iims_common.db import keep_copy
from iims_common.events import CloudEvent
from iims_contracts.registry import AgencyUpdated, EnterpriseRegistered, PilotEnrolled


async def keep_registered(
    session: AsyncSession, event: CloudEvent, data: EnterpriseRegistered
) -> None:
    """An enterprise registered or changed (the pilot facts a later event may already have
    brought stay)."""
    facts = data.model_dump(include={"uscc", "name", "size", "province_code", "industry_code"})
    await keep_copy(session, Enterprise, data.enterprise_id, lock=True, **facts)


async def keep_pilot(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
    """Marks the enterprise a pilot (eligible) and learns its consultancy (impartiality)."""
    facts = data.model_dump(
        include={"pilot_id", "consultancy_id", "province_code", "industry_code"}
    )
    await keep_copy(session, Enterprise, data.enterprise_id, lock=True, **facts)


async def keep_agency(session: AsyncSession, event: CloudEvent, data: AgencyUpdated) -> None:
    """An agency created or changed: its name, kind, status (authorized or not) and province."""
    facts = data.model_dump(include={"name", "kind", "status", "province_code"})
    await keep_copy(session, Agency, data.agency_id, lock=True, **facts)
