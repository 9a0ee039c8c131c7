"""The enterprises this service knows: its copy of the registry's facts (name, province,
industry, consultancy), written only by the registry's events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db.tables import Enterprise
from iims_common.db import keep_copy
from iims_common.events import CloudEvent
from iims_contracts.registry import EnterpriseRegistered


async def keep_registered(
    session: AsyncSession, event: CloudEvent, data: EnterpriseRegistered
) -> None:
    """An enterprise registered or changed: keep the facts the assessments need."""
    facts = data.model_dump(include={"name", "province_code", "industry_code"})
    await keep_copy(session, Enterprise, data.enterprise_id, **facts)
