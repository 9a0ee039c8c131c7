"""Answers that need more than one row: an audit with its team, auditors with their
qualifications and unavailability (rendering only: what may be read was decided by the use
case that loaded the rows)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.api import schemas as s
from audit.db import repository
from audit.db.tables import Audit, Auditor, Qualification, Unavailability


async def audit_out(session: AsyncSession, row: Audit) -> s.AuditOut:
    return (await audits_out(session, [row]))[0]


async def audits_out(session: AsyncSession, rows: Sequence[Audit]) -> list[s.AuditOut]:
    teams = await repository.team_of(session, [a.id for a in rows])
    out = []
    for a in rows:
        item = s.AuditOut.model_validate(a)
        item.team = [s.TeamMemberOut.model_validate(m) for m in teams[a.id]]
        out.append(item)
    return out


async def auditors_out(session: AsyncSession, rows: Sequence[Auditor]) -> list[s.AuditorOut]:
    ids = [a.person_id for a in rows]
    quals = list(
        await session.scalars(
            sa.select(Qualification)
            .where(Qualification.person_id.in_(ids))
            .order_by(Qualification.granted_on)
        )
    )
    off = list(
        await session.scalars(
            sa.select(Unavailability)
            .where(Unavailability.person_id.in_(ids))
            .order_by(Unavailability.starts_on)
        )
    )
    out = []
    for a in rows:
        item = s.AuditorOut.model_validate(a)
        item.qualifications = [
            s.QualificationOut.model_validate(q) for q in quals if q.person_id == a.person_id
        ]
        item.unavailability = [
            s.UnavailabilityOut.model_validate(u) for u in off if u.person_id == a.person_id
        ]
        out.append(item)
    return out
