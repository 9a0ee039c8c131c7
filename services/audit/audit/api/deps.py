"""Scoped loaders shared by the routes: an object outside the caller's scope is a 404."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.api import schemas as s
from audit.db import repository
from audit.db.tables import Application, Audit, Certificate, Finding
from iims_common.errors import NotFound
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller
from iims_common.standard import number_family

NUMBER = re.compile(r"[A-Z0-9-]{1,40}")


async def application(
    session: AsyncSession, caller: Caller, application_id: uuid.UUID, *, for_update: bool = False
) -> Application:
    return await repository.get_one(
        session,
        Application,
        application_id,
        repository.APPLICATIONS.condition(caller),
        for_update=for_update,
        what="Application",
    )


async def audit(
    session: AsyncSession, caller: Caller, audit_id: uuid.UUID, *, for_update: bool = False
) -> Audit:
    return await repository.get_one(
        session,
        Audit,
        audit_id,
        repository.AUDITS.condition(caller),
        for_update=for_update,
        what="Audit",
    )


async def finding(
    session: AsyncSession, caller: Caller, finding_id: uuid.UUID, *, for_update: bool = False
) -> Finding:
    return await repository.get_one(
        session,
        Finding,
        finding_id,
        repository.FINDINGS.condition(caller),
        for_update=for_update,
        what="Finding",
    )


async def certificate(
    session: AsyncSession, caller: Caller | None, number: str, *, for_update: bool = False
) -> Certificate:
    """By number; `caller=None` is the public verification (no scope, but no hints either).
    The number is folded first (full-width, lower case, padding all find the same one)."""
    number = fold_identifier(number)
    if not NUMBER.fullmatch(number):  # not a number we could have issued: the same plain 404
        raise NotFound(_("No certificate with this number"))
    if caller is None and number_family(number) == "qualification":
        # The prefix alone (not a lookup) says this is a person's 资质证书: point there.
        raise NotFound(
            _(
                "This is a person's qualification number (资质证书), not an enterprise certificate: verify it at /api/v1/public/qualifications/{number}"
            ),
            number_family="qualification",
        )
    stmt = sa.select(Certificate).where(Certificate.number == number)
    if caller is not None:
        stmt = stmt.where(repository.CERTIFICATES.condition(caller))
    if for_update:
        stmt = stmt.with_for_update()
    found = (await session.scalars(stmt)).first()
    if found is None:
        raise NotFound(_("No certificate with this number"))
    return found


async def audit_out(session: AsyncSession, row: Audit) -> s.AuditOut:
    return (await audits_out(session, [row]))[0]


async def audits_out(session: AsyncSession, rows: list[Audit]) -> list[s.AuditOut]:
    teams = await repository.team_of(session, [a.id for a in rows])
    out = []
    for a in rows:
        item = s.AuditOut.model_validate(a)
        item.team = [s.TeamMemberOut.model_validate(m) for m in teams[a.id]]
        out.append(item)
    return out
