"""All assessment queries, with the caller's scope on every read."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db.tables import Assessment, Enterprise, FrameworkRow
from iims_common.identity import Role
from iims_common.scoping import Scope, everything, same_organization, same_province

# An enterprise sees and edits its own; a province reads its province; a consultancy reads
# the enterprises it serves (from pilot-enrolled); certification bodies see none here.
ASSESSMENTS = Scope(
    {
        Role.ministry: everything,
        Role.management_org: everything,
        Role.province: same_province(Assessment.province_code),
        Role.enterprise: same_organization(Assessment.enterprise_id),
        Role.consultancy: lambda caller: sa.exists().where(
            Enterprise.id == Assessment.enterprise_id,
            Enterprise.consultancy_id == caller.organization_id,
        ),
    }
)


async def latest_published(session: AsyncSession, code: str) -> FrameworkRow | None:
    stmt = (
        sa.select(FrameworkRow)
        .where(FrameworkRow.code == code, FrameworkRow.status == "published")
        .order_by(FrameworkRow.version.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def assessment_for(
    session: AsyncSession, enterprise_id: object, code: str, period: str
) -> Assessment | None:
    stmt = sa.select(Assessment).where(
        Assessment.enterprise_id == enterprise_id,
        Assessment.framework_code == code,
        Assessment.period == period,
    )
    return (await session.scalars(stmt)).first()
