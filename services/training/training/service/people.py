"""学员 use cases: register one person, import many from a spreadsheet, list, read.

ID numbers and phones are stored encrypted with a blind index (`PersonalDataVault`) and only
ever leave masked. Authorized through `PERSON` (an organization registers and sees its own
people; a province reads its province's)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import escape_like
from iims_common.errors import Conflict, RuleViolation
from iims_common.i18n import _
from iims_common.identifiers import fold_text
from iims_common.identity import Caller, Role
from iims_common.imports import store_refused
from iims_common.personal_data import PersonalDataVault, mask_id_number, mask_phone
from training.db import repository
from training.db.tables import Enterprise, Person, import_reports
from training.service import commands
from training.service.policies import PERSON

if TYPE_CHECKING:
    from training.service.people_import import PeopleImport


async def register(
    session: AsyncSession,
    caller: Caller,
    vault: PersonalDataVault,
    command: commands.PersonCreate,
) -> Person:
    """One person, of the caller's own organization unless the caller is national."""
    PERSON.authorize(caller, "register")
    return await register_person(session, caller, vault, command)


async def import_people(
    session: AsyncSession,
    caller: Caller,
    vault: PersonalDataVault,
    upload: Callable[[], Awaitable[bytes]],
    content_type: str,
    max_rows: int,
) -> tuple[PeopleImport, uuid.UUID | None]:
    """Register every good row of the file `upload()` reads (read only once the caller may
    import); the outcome, and the id of the stored refused rows (None when none was refused)."""
    from training.service import people_import  # it registers through `register_person`

    PERSON.authorize(caller, "register")
    raw = await upload()
    result = await people_import.import_people(session, caller, vault, raw, content_type, max_rows)
    refused = result.refused_rows()
    report_id = None
    if refused is not None:
        report_id = await store_refused(
            session, import_reports, caller, "people", len(result.errors), refused
        )
    return result, report_id


def query(
    caller: Caller, *, organization_id: uuid.UUID | None = None, name: str | None = None
) -> sa.Select[Person]:
    """The caller's people; `name`: part of the name, any width or case (姓名包含)."""
    stmt = PERSON.query(caller, organization_id=organization_id)
    if name:
        folded = escape_like(fold_text(name))
        stmt = stmt.where(Person.name_folded.like(f"%{folded}%", escape="\\"))
    return stmt


async def get(session: AsyncSession, caller: Caller, person_id: uuid.UUID) -> Person:
    return await PERSON.load(session, caller, person_id)


async def register_person(
    session: AsyncSession, caller: Caller, vault: PersonalDataVault, body: commands.PersonCreate
) -> Person:
    organization_id = body.organization_id or caller.organization_id
    if caller.role not in (Role.ministry, Role.management_org) and (
        organization_id != caller.organization_id
    ):
        raise RuleViolation(
            "person.own-organization", _("You register people of your own organization")
        )
    if organization_id is None:
        raise RuleViolation("person.organization-required", _("organization_id is required"))
    index = vault.blind_index(body.id_number)
    existing = await repository.person_by_index(session, index)
    if existing is not None:
        raise Conflict(
            _("A person with this ID number is registered"), existing_id=str(existing.id)
        )
    person = Person(
        name=body.name,
        organization_id=organization_id,
        organization_kind=body.organization_kind,
        province_code=body.province_code
        or caller.province_code
        or await _province_of_enterprise(session, organization_id),
        id_number_cipher=vault.encrypt(body.id_number),
        id_number_index=index,
        id_number_masked=mask_id_number(body.id_number),
        phone_cipher=vault.encrypt(body.phone) if body.phone else None,
        phone_masked=mask_phone(body.phone) if body.phone else None,
    )
    session.add(person)
    await session.flush()
    return person


async def _province_of_enterprise(session: AsyncSession, organization_id: uuid.UUID) -> str | None:
    """An enterprise's people belong to its province (known from enterprise-registered)."""
    enterprise = await session.get(Enterprise, organization_id)
    return enterprise.province_code if enterprise else None
