"""审核员 — the auditor pool learned from qualifications, competences and unavailability;
the authorized certification bodies an enterprise can choose."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Response

from audit.api import schemas as s
from audit.db import repository
from audit.db.tables import Agency, Auditor, Qualification, TeamMember, Unavailability
from audit.domain.team_rules import Span, Violation
from audit.service.audits import refuse
from iims_common.errors import NotFound
from iims_common.http import Session
from iims_common.i18n import _
from iims_common.identity import Caller, CurrentCaller, Role, require_role
from iims_common.pagination import Page, Pagination, paginate, where_given

router = APIRouter(prefix="/api/v1", tags=["auditors 审核员"])


async def _auditor(
    session: Session, caller: Caller, person_id: uuid.UUID, *, for_update: bool = False
) -> Auditor:
    stmt = sa.select(Auditor).where(
        Auditor.person_id == person_id, repository.AUDITORS.condition(caller)
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.scalars(stmt)).first()
    if row is None:
        raise NotFound(_("Auditor {person_id} not found", person_id=person_id))
    return row


async def _out(session: Session, rows: list[Auditor]) -> list[s.AuditorOut]:
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


@router.get("/auditors", response_model=Page[s.AuditorOut])
async def list_auditors(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    certification_body_id: uuid.UUID | None = None,
) -> Page[s.AuditorOut]:
    stmt = where_given(
        sa.select(Auditor).where(repository.AUDITORS.condition(caller)),
        (Auditor.body_id, certification_body_id),
    )
    # Auditors are keyed by person id (a UUIDv7 from training), so keyset paging works the same.
    rows, cursor = await paginate(session, stmt, Auditor.person_id, page)
    return Page[s.AuditorOut](items=await _out(session, rows), next_cursor=cursor)


@router.get("/auditors/{person_id}", response_model=s.AuditorOut)
async def get_auditor(
    person_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.AuditorOut:
    return (await _out(session, [await _auditor(session, caller, person_id)]))[0]


@router.put("/auditors/{person_id}/competences", response_model=s.AuditorOut)
async def set_competences(
    person_id: uuid.UUID, body: s.CompetencesIn, caller: CurrentCaller, session: Session
) -> s.AuditorOut:
    """专业能力: the GB/T 4754 industries the auditor may audit (set by their body)."""
    require_role(caller, Role.certification_body, Role.management_org)
    row = await _auditor(session, caller, person_id, for_update=True)
    row.competences = sorted(set(body.industries))
    await session.flush()
    return (await _out(session, [row]))[0]


@router.post(
    "/auditors/{person_id}/unavailability", status_code=201, response_model=s.UnavailabilityOut
)
async def add_unavailability(
    person_id: uuid.UUID, body: s.UnavailabilityIn, caller: CurrentCaller, session: Session
) -> s.UnavailabilityOut:
    """Days the auditor cannot audit; refused if it overlaps an audit they are on."""
    require_role(caller, Role.certification_body, Role.auditor)
    row = await _auditor(session, caller, person_id, for_update=True)
    span = Span(body.starts_on, body.ends_on)
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
                    f"{row.name} is on audit {booked} during these dates",
                    row.person_id,
                )
            ]
        )
    item = Unavailability(
        person_id=row.person_id, starts_on=span.start, ends_on=span.end, reason=body.reason
    )
    session.add(item)
    await session.flush()
    return s.UnavailabilityOut.model_validate(item)


@router.delete("/auditors/{person_id}/unavailability/{unavailability_id}", status_code=204)
async def remove_unavailability(
    person_id: uuid.UUID, unavailability_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> Response:
    require_role(caller, Role.certification_body, Role.auditor)
    await _auditor(session, caller, person_id, for_update=True)
    deleted = await session.execute(
        sa.delete(Unavailability).where(
            Unavailability.id == unavailability_id, Unavailability.person_id == person_id
        )
    )
    if not getattr(deleted, "rowcount", 0):  # a CursorResult for a DELETE
        raise NotFound(
            _("Unavailability {unavailability_id} not found", unavailability_id=unavailability_id)
        )
    return Response(status_code=204)


@router.get(
    "/certification-bodies",
    response_model=Page[s.CertificationBodyOut],
    tags=["applications 认定申请"],
)
async def list_certification_bodies(
    caller: CurrentCaller, session: Session, page: Pagination
) -> Page[s.CertificationBodyOut]:
    """认定服务机构 authorized by the management organization (what an applicant can choose)."""
    stmt = sa.select(Agency).where(
        Agency.kind == "certification_body", Agency.status == "authorized"
    )
    rows, cursor = await paginate(session, stmt, Agency.id, page)
    return Page[s.CertificationBodyOut](
        items=[s.CertificationBodyOut.model_validate(r) for r in rows], next_cursor=cursor
    )
