"""服务机构 use cases: create and update (the ministry; 认定管理组织 for certification bodies —
`AGENCY`'s "manage" rule, which needs the kind), list, read (the public directory).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db.tables import Agency
from registry.domain.enums import AgencyKind, AgencyStatus
from registry.service import dto, programme
from registry.service.policies import AGENCY


async def create(session: AsyncSession, caller: Caller, command: dto.AgencyCreate) -> Agency:
    """Registers the agency (publishes agency-updated); the authority check is by kind."""
    return await programme.create_agency(session, caller, command)


def query(
    caller: Caller,
    *,
    kind: AgencyKind | None = None,
    status: AgencyStatus | None = None,
    province_code: str | None = None,
) -> sa.Select[Agency]:
    return AGENCY.query(caller, kind=kind, status=status, province_code=province_code)


async def get(session: AsyncSession, caller: Caller, agency_id: uuid.UUID) -> Agency:
    return await AGENCY.load(session, caller, agency_id)


async def change(
    session: AsyncSession,
    caller: Caller,
    agency_id: uuid.UUID,
    command: dto.AgencyUpdate,
    *,
    if_match: str | None,
) -> Agency:
    agency = await AGENCY.load(session, caller, agency_id, for_update=True, if_match=if_match)
    return await programme.update_agency(session, caller, agency, command)
