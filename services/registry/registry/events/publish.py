"""Events the registry publishes (DESIGN.md catalogue), written through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.events.outbox import build_outbox_row, record_event, record_events
from registry.db.tables import Agency, Batch, Enterprise, Pilot
from registry.settings import EVENT_SOURCE

ENTERPRISE_REGISTERED = "enterprise-registered"
PILOT_ENROLLED = "pilot-enrolled"
AGENCY_UPDATED = "agency-updated"


def enterprise_registered_data(e: Enterprise | dict[str, Any]) -> dict[str, Any]:
    get = e.get if isinstance(e, dict) else lambda k: getattr(e, k)
    return {
        "enterprise_id": str(get("id")),
        "uscc": get("uscc"),
        "name": get("name"),
        "province_code": get("province_code"),
        "industry_code": get("industry_code"),
        "size": get("size"),
    }


async def enterprise_registered(session: AsyncSession, enterprise: Enterprise) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=ENTERPRISE_REGISTERED,
        key=enterprise.id,
        data=enterprise_registered_data(enterprise),
    )


async def enterprises_registered(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Bulk variant for imports (one multi-row INSERT into the outbox)."""
    await record_events(
        session,
        (
            build_outbox_row(
                source=EVENT_SOURCE,
                topic=ENTERPRISE_REGISTERED,
                key=row["id"],
                data=enterprise_registered_data(row),
            )
            for row in rows
        ),
    )


async def pilot_enrolled(session: AsyncSession, pilot: Pilot, batch: Batch) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=PILOT_ENROLLED,
        key=pilot.enterprise_id,
        data={
            "pilot_id": pilot.id,
            "batch_id": batch.id,
            "year": batch.year,
            "enterprise_id": pilot.enterprise_id,
            "province_code": pilot.province_code,
            "industry_code": pilot.industry_code,
            "consultancy_id": pilot.consultancy_id,
        },
    )


async def agency_updated(session: AsyncSession, agency: Agency) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=AGENCY_UPDATED,
        key=agency.id,
        data={
            "agency_id": agency.id,
            "uscc": agency.uscc,
            "name": agency.name,
            "kind": agency.kind,
            "status": agency.status,
            "province_code": agency.province_code,
        },
    )
