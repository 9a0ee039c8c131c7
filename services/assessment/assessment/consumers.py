"""Consumes enterprise-registered (the facts it needs) and pilot-enrolled (opens the baseline
draft assessment for the pilot's year, exactly once)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assessment.db import repository
from assessment.db.tables import Enterprise
from assessment.service.assessments import default_framework_code, open_assessment
from iims_common.events.consumer import EventConsumer, route
from iims_common.events.envelope import CloudEvent
from iims_common.settings import ServiceSettings
from iims_contracts.registry import EnterpriseRegistered, PilotEnrolled


async def on_enterprise_registered(
    session: AsyncSession, event: CloudEvent, data: EnterpriseRegistered
) -> None:
    row = await session.get(Enterprise, data.enterprise_id)
    if row is None:
        session.add(
            Enterprise(
                id=data.enterprise_id,
                name=data.name,
                province_code=data.province_code,
                industry_code=data.industry_code,
            )
        )
    else:
        row.name, row.province_code, row.industry_code = (
            data.name,
            data.province_code,
            data.industry_code,
        )


async def on_pilot_enrolled(session: AsyncSession, event: CloudEvent, data: PilotEnrolled) -> None:
    row = await session.get(Enterprise, data.enterprise_id)
    if row is None:  # pilot-enrolled may overtake enterprise-registered: it carries enough
        row = Enterprise(
            id=data.enterprise_id,
            province_code=data.province_code,
            industry_code=data.industry_code,
        )
        session.add(row)
    row.consultancy_id = data.consultancy_id
    await session.flush()
    code = default_framework_code(data.industry_code)
    period = str(data.year)
    if await repository.assessment_for(session, data.enterprise_id, code, period) is None:
        await open_assessment(session, data.enterprise_id, code, period, kind="baseline")


def assessment_consumers(
    settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[EventConsumer]:
    return [
        EventConsumer(
            "assessment",
            settings,
            sessionmaker,
            [
                route(EnterpriseRegistered, on_enterprise_registered),
                route(PilotEnrolled, on_pilot_enrolled),
            ],
        )
    ]
