"""What the audit use cases answer where the answer needs more than one row (the API's
response bodies, re-exported by `audit.api.schemas`): an audit with its team, an auditor with
qualifications and unavailability, a 公示 with the enterprise's and the body's names. What may
be read was decided by the use case that loaded the rows; these only gather and shape."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import Field, computed_field
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db import repository
from audit.db.tables import (
    Agency,
    Application,
    Audit,
    Auditor,
    Enterprise,
    Qualification,
    Unavailability,
)
from audit.domain.enums import AuditKind, AuditStatus, TeamRole
from iims_common.schemas import Output


class PublicNotice(Output):
    application_id: uuid.UUID
    enterprise_name: str | None
    certification_body_name: str | None
    scope: str
    site: str
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None


class TeamMemberOut(Output):
    person_id: uuid.UUID
    role: TeamRole


class AuditOut(Output):
    id: uuid.UUID
    application_id: uuid.UUID | None
    certificate_id: uuid.UUID | None
    kind: AuditKind
    status: AuditStatus
    certification_body_id: uuid.UUID = Field(validation_alias="body_id")
    enterprise_id: uuid.UUID
    province_code: str | None
    starts_on: dt.date
    ends_on: dt.date
    audit_days: int
    onsite_days: int
    completed_on: dt.date | None
    report: str | None
    team: list[TeamMemberOut] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        return self.kind.label_in()


class QualificationOut(Output):
    number: str
    kind: str
    organization_id: uuid.UUID | None
    granted_on: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None


class UnavailabilityOut(Output):
    id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None


class AuditorOut(Output):
    person_id: uuid.UUID
    name: str
    certification_body_id: uuid.UUID | None = Field(validation_alias="body_id")
    competences: list[str]
    qualifications: list[QualificationOut] = []
    unavailability: list[UnavailabilityOut] = []


async def audit(session: AsyncSession, row: Audit) -> AuditOut:
    return (await audits(session, [row]))[0]


async def audits(session: AsyncSession, rows: Sequence[Audit]) -> list[AuditOut]:
    """Audits, each with its team (one query for all)."""
    teams = await repository.team_of(session, [a.id for a in rows])
    out = []
    for a in rows:
        item = AuditOut.model_validate(a)
        item.team = [TeamMemberOut.model_validate(m) for m in teams[a.id]]
        out.append(item)
    return out


async def auditors(session: AsyncSession, rows: Sequence[Auditor]) -> list[AuditorOut]:
    """Auditors, each with their qualifications and unavailability (one query per kind)."""
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
        item = AuditorOut.model_validate(a)
        item.qualifications = [
            QualificationOut.model_validate(q) for q in quals if q.person_id == a.person_id
        ]
        item.unavailability = [
            UnavailabilityOut.model_validate(u) for u in off if u.person_id == a.person_id
        ]
        out.append(item)
    return out


async def _names(
    session: AsyncSession, id_column: Any, name_column: Any, ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    rows = await session.execute(sa.select(id_column, name_column).where(id_column.in_(ids)))
    return {row[0]: row[1] for row in rows.all()}


async def notices(session: AsyncSession, rows: Sequence[Application]) -> list[PublicNotice]:
    """公示 of applications: what the public sees (the enterprise's and the body's names)."""
    names = await _names(session, Enterprise.id, Enterprise.name, [r.enterprise_id for r in rows])
    bodies = await _names(session, Agency.id, Agency.name, [r.body_id for r in rows])
    return [
        PublicNotice(
            application_id=r.id,
            enterprise_name=names.get(r.enterprise_id),
            certification_body_name=bodies.get(r.body_id),
            scope=r.scope,
            site=r.site,
            notice_starts_on=r.notice_starts_on,
            notice_ends_on=r.notice_ends_on,
        )
        for r in rows
    ]
