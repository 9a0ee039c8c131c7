"""机构名单 use cases: lists kept by the ministry (认定管理组织 for certification bodies:
`work._check_list_authority`), entries while a draft, draft → approved → published; published
lists are public. Authorized through `AGENCY_LIST`."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.http import check_if_match
from iims_common.identity import Caller
from registry.db.tables import Agency
from registry.db.work import AgencyList, AgencyListEntry
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import AGENCY, AGENCY_LIST


async def create(session: AsyncSession, caller: Caller, command: w.AgencyListCreate) -> AgencyList:
    return await work.create_list(session, caller, command)


def query(
    caller: Caller | None,
    *,
    kind: w.AgencyListKind | None = None,
    status: w.AgencyListStatus | None = None,
) -> sa.Select[AgencyList]:
    """`caller=None`: the published (公示) lists, without login."""
    return AGENCY_LIST.query(caller, kind=kind, status=status)


async def get(session: AsyncSession, caller: Caller | None, list_id: uuid.UUID) -> AgencyList:
    return await AGENCY_LIST.load(session, caller, list_id)


async def add_entry(
    session: AsyncSession, caller: Caller, list_id: uuid.UUID, command: w.EntryCreate
) -> tuple[AgencyListEntry, Agency]:
    """An agency on a draft list; a consultancy needs staff holding a valid 咨询资质."""
    lst = await AGENCY_LIST.load(session, caller, list_id, for_update=True)
    entry = await work.add_entry(session, caller, lst, command.agency_id)
    return entry, await AGENCY.load(session, None, entry.agency_id)


async def change_status(
    session: AsyncSession,
    caller: Caller,
    list_id: uuid.UUID,
    command: w.AgencyListUpdate,
    *,
    if_match: str | None,
) -> AgencyList:
    """draft → approved (审定) → published (向社会公示)."""
    lst = await AGENCY_LIST.load(session, caller, list_id, for_update=True)
    check_if_match(if_match, lst.version)
    return await work.change_list_status(session, caller, lst, command)
