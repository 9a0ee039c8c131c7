"""机构名单 use cases: lists kept by the ministry (认定管理组织 for certification bodies:
`AGENCY_LIST`'s "keep" rule), entries while a draft, draft → approved → published; published
lists are public. Authorized through `AGENCY_LIST`."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.identity import Caller
from registry.db import work_repository as repo
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


async def detail(
    session: AsyncSession, caller: Caller | None, list_id: uuid.UUID
) -> w.AgencyListDetail:
    """A list with its entries (each agency's name and province); `caller=None`: a
    published list, without login."""
    lst = await get(session, caller, list_id)
    entries = await repo.entries_of(session, lst.id)
    agencies = {
        a.id: a
        for a in (
            await session.scalars(
                sa.select(Agency).where(Agency.id.in_([e.agency_id for e in entries]))
            )
        ).all()
    }
    return w.AgencyListDetail.model_validate(
        {**w.AgencyListOut.model_validate(lst).model_dump(),
         "entries": [entry_out(e, agencies[e.agency_id]) for e in entries]}
    )  # fmt: skip


def entry_out(entry: AgencyListEntry, agency: Agency) -> w.EntryOut:
    """An entry as the API answers it: the agency's name and province with the entry."""
    return w.EntryOut(
        agency_id=agency.id,
        agency_name=agency.name,
        province_code=agency.province_code,
        qualified_staff=entry.qualified_staff,
    )


async def add_entry(
    session: AsyncSession, caller: Caller, list_id: uuid.UUID, command: w.EntryCreate
) -> w.EntryOut:
    """An agency on a draft list; a consultancy needs staff holding a valid 咨询资质."""
    lst = await AGENCY_LIST.load(session, caller, list_id, for_update=True)
    entry = await work.add_entry(session, caller, lst, command.agency_id)
    return entry_out(entry, await AGENCY.load(session, None, entry.agency_id))


async def change_status(
    session: AsyncSession,
    caller: Caller,
    list_id: uuid.UUID,
    command: w.AgencyListUpdate,
    *,
    if_match: str | None,
) -> AgencyList:
    """draft → approved (审定) → published (向社会公示)."""
    lst = await AGENCY_LIST.load(session, caller, list_id, for_update=True, if_match=if_match)
    return await work.change_list_status(session, caller, lst, command)
