"""The enterprises this service knows: its copy of the registry's facts (name, province,
industry), written only by the registry's events; enterprise staff belong to its province."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import keep_copy
from iims_common.events import CloudEvent
from iims_contracts.registry import EnterpriseRegistered
from training.db.tables import Enterprise


async def keep_registered(
    session: AsyncSession, event: CloudEvent, data: EnterpriseRegistered
) -> None:
    """An enterprise registered or changed: keep the facts training needs."""
    facts = data.model_dump(include={"name", "province_code", "industry_code"})
    await keep_copy(session, Enterprise, data.enterprise_id, **facts)
