"""审核员 use cases: the pool learned from training (qualifications, persons) is read here;
their certification body sets their competences, and the body or the auditor records the days
they cannot audit. Authorized through `AUDITOR`; keyed by person id."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from audit.db.tables import Agency, Auditor, Qualification, TeamMember, Unavailability
from audit.domain.team_rules import AUDITOR_KINDS, Span, Violation
from audit.service import views
from audit.service.audits import refuse
from audit.service.commands import CompetencesIn, UnavailabilityIn
from audit.service.policies import AUDITOR
from iims_common.db import utcnow
from iims_common.errors import NotFound
from iims_common.events import CloudEvent
from iims_common.i18n import _
from iims_common.identity import Caller
from iims_common.pagination import Page, PageParams, paginate
from iims_contracts.training import QualificationGranted, QualificationRevoked


async def _load(
    session: AsyncSession, caller: Caller, person_id: uuid.UUID, *, for_update: bool = False
) -> Auditor:
    return await AUDITOR.load(
        session,
        caller,
        person_id,
        for_update=for_update,
        not_found=_("Auditor {person_id} not found", person_id=person_id),
    )


def query(caller: Caller, *, certification_body_id: uuid.UUID | None = None) -> sa.Select[Auditor]:
    return AUDITOR.query(caller, body_id=certification_body_id)


async def page(
    session: AsyncSession, stmt: sa.Select[Auditor], params: PageParams
) -> Page[views.AuditorOut]:
    """One page of auditors, each with qualifications and unavailability."""
    rows, cursor = await paginate(session, stmt, Auditor.person_id, params)
    return Page[views.AuditorOut](items=await views.auditors(session, rows), next_cursor=cursor)


async def get(session: AsyncSession, caller: Caller, person_id: uuid.UUID) -> views.AuditorOut:
    return (await views.auditors(session, [await _load(session, caller, person_id)]))[0]


async def set_competences(
    session: AsyncSession, caller: Caller, person_id: uuid.UUID, command: CompetencesIn
) -> views.AuditorOut:
    """专业能力: the GB/T 4754 industries the auditor may audit (set by their body)."""
    AUDITOR.authorize(caller, "set_competences")
    row = await _load(session, caller, person_id, for_update=True)
    row.competences = sorted(set(command.industries))
    await session.flush()
    return (await views.auditors(session, [row]))[0]


async def add_unavailability(
    session: AsyncSession, caller: Caller, person_id: uuid.UUID, command: UnavailabilityIn
) -> Unavailability:
    """Days the auditor cannot audit; refused if it overlaps an audit they are on."""
    AUDITOR.authorize(caller, "unavailability")
    row = await _load(session, caller, person_id, for_update=True)
    span = Span(command.starts_on, command.ends_on)
    booked = await session.scalar(
        sa.select(TeamMember.audit_id).where(
            TeamMember.person_id == row.person_id,
            TeamMember.active,
            TeamMember.starts_on <= span.end,
            TeamMember.ends_on >= span.start,
        )
    )
    if booked is not None:
        refuse(
            [
                Violation(
                    "team.double-booked",
                    _("{name} is on audit {audit} during these dates", name=row.name, audit=booked),
                    row.person_id,
                )
            ]
        )
    item = Unavailability(
        person_id=row.person_id, starts_on=span.start, ends_on=span.end, reason=command.reason
    )
    session.add(item)
    await session.flush()
    return item


async def remove_unavailability(
    session: AsyncSession, caller: Caller, person_id: uuid.UUID, unavailability_id: uuid.UUID
) -> None:
    AUDITOR.authorize(caller, "unavailability")
    await _load(session, caller, person_id, for_update=True)
    deleted = await session.execute(
        sa.delete(Unavailability).where(
            Unavailability.id == unavailability_id, Unavailability.person_id == person_id
        )
    )
    if not getattr(deleted, "rowcount", 0):  # a CursorResult for a DELETE
        raise NotFound(
            _("Unavailability {unavailability_id} not found", unavailability_id=unavailability_id)
        )


def certification_bodies() -> sa.Select[Agency]:
    """认定服务机构 authorized by the management organization (what an applicant can choose)."""
    return sa.select(Agency).where(
        Agency.kind == "certification_body", Agency.status == "authorized"
    )


async def learn_qualification(
    session: AsyncSession, event: CloudEvent, data: QualificationGranted
) -> None:
    """A qualification granted (training): kept once by number; an auditor or lead-auditor
    grant adds the person to their body's pool (or updates their name and body)."""
    if await session.get(Qualification, data.qualification_no) is None:
        session.add(
            Qualification(
                number=data.qualification_no,
                person_id=data.person_id,
                person_name=data.person_name,
                kind=data.kind,
                organization_id=data.organization_id,
                granted_on=data.granted_on,
                valid_until=data.valid_until,
            )
        )
    if data.kind not in AUDITOR_KINDS:
        return
    auditor = await session.get(Auditor, data.person_id, with_for_update=True)
    if auditor is None:
        session.add(
            Auditor(
                person_id=data.person_id,
                name=data.person_name,
                body_id=data.organization_id,
                competences=[],
            )
        )
    else:
        auditor.name, auditor.body_id = data.person_name, data.organization_id


async def revoke_qualification(
    session: AsyncSession, event: CloudEvent, data: QualificationRevoked
) -> None:
    """A qualification revoked (training): it no longer counts for teams from the event's
    day. The grant travels on another topic and may be late: this fails until it is known,
    so the consumer retries (and, if it never comes, the DLQ keeps the revocation)."""
    q = await session.get(Qualification, data.qualification_no, with_for_update=True)
    if q is None:
        raise LookupError(f"qualification {data.qualification_no} not known yet")
    if q.revoked_on is None:
        q.revoked_on = (event.time or utcnow()).date()
        q.revoked_reason = data.reason
