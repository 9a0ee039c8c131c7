"""All audit queries, with the caller's scope applied to every read, and the loaders that
turn rows into the domain's plain objects."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db.tables import (
    Application,
    Audit,
    Auditor,
    Certificate,
    Enterprise,
    Finding,
    Qualification,
    ScheduleProposal,
    TeamMember,
    Unavailability,
)
from audit.domain import team_rules as rules
from audit.domain.enums import AuditStatus, QualificationKind
from iims_common.identity import Caller, Role
from iims_common.scoping import Rule, Scope, everything, same_organization, same_province

NATIONAL = {Role.ministry: everything, Role.management_org: everything}


def _person(caller: Caller) -> uuid.UUID | None:
    try:
        return uuid.UUID(caller.subject)
    except ValueError:
        return None


def _on_team(
    audit_id_column: sa.ColumnElement[uuid.UUID] | sa.orm.InstrumentedAttribute[uuid.UUID],
) -> Rule:
    """Auditors (认定审核员) see the audits whose team they are on."""

    def rule(caller: Caller) -> sa.ColumnElement[bool]:
        person = _person(caller)
        if person is None:
            return sa.false()
        return audit_id_column.in_(
            sa.select(TeamMember.audit_id).where(TeamMember.person_id == person)
        )

    return rule


def _served_by(enterprise_column: sa.orm.InstrumentedAttribute[uuid.UUID]) -> Rule:
    """Consultancies (贯标服务机构) see the enterprises they serve."""
    return lambda caller: enterprise_column.in_(
        sa.select(Enterprise.id).where(Enterprise.consultancy_id == caller.organization_id)
    )


def _applications_of_auditor(caller: Caller) -> sa.ColumnElement[bool]:
    person = _person(caller)
    if person is None:
        return sa.false()
    return Application.id.in_(
        sa.select(Audit.application_id)
        .join(TeamMember, TeamMember.audit_id == Audit.id)
        .where(TeamMember.person_id == person)
    )


APPLICATIONS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Application.province_code),
        Role.certification_body: same_organization(Application.body_id),
        Role.enterprise: same_organization(Application.enterprise_id),
        Role.consultancy: same_organization(Application.consultancy_id),
        Role.auditor: _applications_of_auditor,
    }
)
AUDITS = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Audit.province_code),
        Role.certification_body: same_organization(Audit.body_id),
        Role.enterprise: same_organization(Audit.enterprise_id),
        Role.consultancy: _served_by(Audit.enterprise_id),
        Role.auditor: _on_team(Audit.id),
    }
)


def _via_audit(rule: Rule) -> Rule:
    return lambda caller: Finding.audit_id.in_(sa.select(Audit.id).where(rule(caller)))


FINDINGS = Scope({role: _via_audit(rule) for role, rule in AUDITS.rules.items()})
CERTIFICATES = Scope(
    {
        **NATIONAL,
        Role.province: same_province(Certificate.province_code),
        Role.certification_body: same_organization(Certificate.body_id),
        Role.enterprise: same_organization(Certificate.enterprise_id),
        Role.consultancy: _served_by(Certificate.enterprise_id),
    }
)
AUDITORS = Scope(
    {
        **NATIONAL,
        Role.certification_body: same_organization(Auditor.body_id),
        Role.auditor: lambda c: Auditor.person_id == _person(c) if _person(c) else sa.false(),
    }
)
PROPOSALS = Scope(
    {
        Role.management_org: everything,
        Role.certification_body: same_organization(ScheduleProposal.body_id),
    }
)


async def lock_auditors(session: AsyncSession, people: Iterable[uuid.UUID]) -> None:
    """Serialize bookings per person (sorted, so two requests cannot deadlock): the
    double-booking check and the insert then happen under the same lock."""
    ids = sorted(set(people))
    if ids:
        await session.execute(
            sa.select(Auditor.person_id)
            .where(Auditor.person_id.in_(ids))
            .order_by(Auditor.person_id)
            .with_for_update()
        )


def _quals(rows: Iterable[Qualification]) -> tuple[rules.Qualification, ...]:
    return tuple(
        rules.Qualification(
            number=q.number,
            kind=QualificationKind(q.kind),
            organization_id=q.organization_id,
            granted_on=q.granted_on,
            valid_until=q.valid_until,
            revoked_on=q.revoked_on,
        )
        for q in rows
    )


async def load_auditors(
    session: AsyncSession,
    *,
    people: Iterable[uuid.UUID] | None = None,
    bodies: Iterable[uuid.UUID] | None = None,
    window: rules.Span | None = None,
) -> dict[uuid.UUID, rules.Auditor]:
    """Auditors as the rules see them: qualifications of every kind (impartiality needs the
    consultant ones), competences, unavailable days and bookings on any body's audits."""
    stmt = sa.select(Auditor)
    if people is not None:
        stmt = stmt.where(Auditor.person_id.in_(list(people)))
    if bodies is not None:
        stmt = stmt.where(Auditor.body_id.in_(list(bodies)))
    auditors = list((await session.scalars(stmt)).all())
    ids = [a.person_id for a in auditors]
    if not ids:
        return {}
    quals: dict[uuid.UUID, list[Qualification]] = defaultdict(list)
    for q in await session.scalars(
        sa.select(Qualification).where(Qualification.person_id.in_(ids))
    ):
        quals[q.person_id].append(q)
    off: dict[uuid.UUID, list[rules.Span]] = defaultdict(list)
    booked: dict[uuid.UUID, list[tuple[uuid.UUID, rules.Span]]] = defaultdict(list)
    u_stmt = sa.select(Unavailability).where(Unavailability.person_id.in_(ids))
    b_stmt = sa.select(TeamMember).where(TeamMember.person_id.in_(ids), TeamMember.active)
    if window is not None:
        u_stmt = u_stmt.where(
            Unavailability.starts_on <= window.end, Unavailability.ends_on >= window.start
        )
        b_stmt = b_stmt.where(
            TeamMember.starts_on <= window.end, TeamMember.ends_on >= window.start
        )
    for u in await session.scalars(u_stmt):
        off[u.person_id].append(rules.Span(u.starts_on, u.ends_on))
    for m in await session.scalars(b_stmt):
        booked[m.person_id].append((m.audit_id, rules.Span(m.starts_on, m.ends_on)))
    return {
        a.person_id: rules.Auditor(
            person_id=a.person_id,
            name=a.name,
            body_id=a.body_id,
            qualifications=_quals(quals[a.person_id]),
            competences=frozenset(a.competences or ()),
            unavailable=tuple(off[a.person_id]),
            bookings=tuple(booked[a.person_id]),
        )
        for a in auditors
    }


def enterprise_facts(e: Enterprise, consultancy_id: uuid.UUID | None) -> rules.Enterprise:
    return rules.Enterprise(
        enterprise_id=e.id,
        industry_code=e.industry_code or "",
        size=e.size,
        consultancy_id=consultancy_id,
    )


async def team_of(
    session: AsyncSession, audit_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[TeamMember]]:
    teams: dict[uuid.UUID, list[TeamMember]] = defaultdict(list)
    if audit_ids:
        rows = await session.scalars(
            sa.select(TeamMember)
            .where(TeamMember.audit_id.in_(audit_ids))
            .order_by(TeamMember.role, TeamMember.person_id)
        )
        for m in rows:
            teams[m.audit_id].append(m)
    return teams


async def latest_audit(
    session: AsyncSession, application_id: uuid.UUID, kind: str, *, completed: bool = False
) -> Audit | None:
    stmt = sa.select(Audit).where(
        Audit.application_id == application_id,
        Audit.kind == kind,
        Audit.status != AuditStatus.cancelled,
    )
    if completed:
        stmt = stmt.where(Audit.status == AuditStatus.completed)
    return (await session.scalars(stmt.order_by(Audit.id.desc()).limit(1))).first()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
