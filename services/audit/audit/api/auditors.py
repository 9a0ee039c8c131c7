"""审核员 — the auditor pool learned from qualifications, competences and unavailability;
the authorized certification bodies an enterprise can choose."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from audit.api import schemas as s
from audit.db.tables import Agency
from audit.service import auditors as service
from iims_common.http import Session
from iims_common.identity import CurrentCaller
from iims_common.pagination import Page, Pagination, paginate

router = APIRouter(prefix="/api/v1", tags=["auditors 审核员"])


@router.get("/auditors", response_model=Page[s.AuditorOut])
async def list_auditors(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    certification_body_id: uuid.UUID | None = None,
) -> Page[s.AuditorOut]:
    stmt = service.query(caller, certification_body_id=certification_body_id)
    return await service.page(session, stmt, page)


@router.get("/auditors/{person_id}", response_model=s.AuditorOut)
async def get_auditor(
    person_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.AuditorOut:
    return await service.get(session, caller, person_id)


@router.put("/auditors/{person_id}/competences", response_model=s.AuditorOut)
async def set_competences(
    person_id: uuid.UUID, body: s.CompetencesIn, caller: CurrentCaller, session: Session
) -> s.AuditorOut:
    """专业能力: the GB/T 4754 industries the auditor may audit (set by their body)."""
    return await service.set_competences(session, caller, person_id, body)


@router.post(
    "/auditors/{person_id}/unavailability", status_code=201, response_model=s.UnavailabilityOut
)
async def add_unavailability(
    person_id: uuid.UUID, body: s.UnavailabilityIn, caller: CurrentCaller, session: Session
) -> s.UnavailabilityOut:
    """Days the auditor cannot audit (`starts_on` to `ends_on`, both included; `ends_on`
    before `starts_on` is a 422 naming `body`); refused if it overlaps an audit they are
    on."""
    item = await service.add_unavailability(session, caller, person_id, body)
    return s.UnavailabilityOut.model_validate(item)


@router.delete("/auditors/{person_id}/unavailability/{unavailability_id}", status_code=204)
async def remove_unavailability(
    person_id: uuid.UUID, unavailability_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> Response:
    await service.remove_unavailability(session, caller, person_id, unavailability_id)
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
    rows, cursor = await paginate(session, service.certification_bodies(), Agency.id, page)
    return Page[s.CertificationBodyOut](
        items=[s.CertificationBodyOut.model_validate(r) for r in rows], next_cursor=cursor
    )
