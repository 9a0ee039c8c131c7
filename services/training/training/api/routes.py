"""贯标培训 — programmes, sessions (班次), people (学员), enrollments, attendance and exams."""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from iims_common.http import IdempotencyKey, Session, json_response
from iims_common.idempotency import idempotent
from iims_common.identity import CurrentCaller, Role, require_role
from iims_common.pagination import Page, Pagination, page_of, where_given
from iims_common.personal_data import PersonalDataVault
from training.api import schemas as s
from training.db import repository
from training.db.tables import Enrollment, Person
from training.db.tables import Session as TrainingSession
from training.domain.enums import EnrollmentStatus
from training.domain.programmes import PROGRAMMES, Programme
from training.service import training as service

router = APIRouter(prefix="/api/v1")
ORGANIZATIONS = (Role.enterprise, Role.consultancy, Role.certification_body)


def vault(request: Request) -> PersonalDataVault:
    if not hasattr(request.app.state, "vault"):
        request.app.state.vault = PersonalDataVault.from_settings(request.app.state.settings)
    v: PersonalDataVault = request.app.state.vault
    return v


Vault = Annotated[PersonalDataVault, Depends(vault)]


def _programme_out(p: Programme) -> s.ProgrammeOut:
    return s.ProgrammeOut(
        code=p.code,
        name=p.name,
        audience=p.audience,
        window_start=p.window_start,
        window_end=p.window_end,
        window_label=p.window_label,
        location=p.location,
        lecturers=p.lecturers,
        total_hours=p.total_hours,
        pass_mark=p.pass_mark,
        confers=p.confers.value if p.confers else None,
        source=p.source,
        modules=[s.ModuleOut(no=m.no, title=m.title, hours=m.hours) for m in p.modules],
    )


@router.get("/programmes", response_model=list[s.ProgrammeOut], tags=["programmes 培训计划"])
async def list_programmes(caller: CurrentCaller) -> list[s.ProgrammeOut]:
    return [_programme_out(p) for p in PROGRAMMES.values()]


@router.get("/programmes/{code}", response_model=s.ProgrammeOut, tags=["programmes 培训计划"])
async def get_programme(code: str, caller: CurrentCaller) -> s.ProgrammeOut:
    return _programme_out(service.programme_of(code))


@router.post("/sessions", status_code=201, response_model=s.SessionOut, tags=["sessions 班次"])
async def create_session(
    body: s.SessionCreate, caller: CurrentCaller, session: Session, key: IdempotencyKey = None
) -> JSONResponse:
    require_role(caller, Role.ministry, Role.management_org)

    async def create() -> JSONResponse:
        run = await service.create_session(session, body)
        return json_response(
            s.SessionOut.model_validate(run),
            201,
            version=run.version,
            location=f"/api/v1/sessions/{run.id}",
        )

    return await idempotent(session, caller, key, body, create)


@router.get("/sessions", response_model=Page[s.SessionOut], tags=["sessions 班次"])
async def list_sessions(
    caller: CurrentCaller, session: Session, page: Pagination, programme_code: str | None = None
) -> Page[s.SessionOut]:
    stmt = where_given(sa.select(TrainingSession), (TrainingSession.programme_code, programme_code))
    return await page_of(session, stmt, TrainingSession.id, page, s.SessionOut)


@router.get("/sessions/{session_id}", response_model=s.SessionDetail, tags=["sessions 班次"])
async def get_session(
    session_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.SessionDetail:
    run = await repository.get_one(session, TrainingSession, session_id, what="Session")
    taken, waitlisted = await repository.seat_counts(session, run.id)
    return s.SessionDetail(
        **s.SessionOut.model_validate(run).model_dump(), seats_taken=taken, waitlisted=waitlisted
    )


@router.post("/people", status_code=201, response_model=s.PersonOut, tags=["people 学员"])
async def register_person(
    body: s.PersonCreate,
    caller: CurrentCaller,
    session: Session,
    v: Vault,
    key: IdempotencyKey = None,
) -> JSONResponse:
    require_role(caller, Role.ministry, Role.management_org, *ORGANIZATIONS)

    async def create() -> JSONResponse:
        person = await service.register_person(session, caller, v, body)
        return json_response(
            s.PersonOut.model_validate(person), 201, location=f"/api/v1/people/{person.id}"
        )

    # The fingerprint of the key is a hash of the body; the ID number never lands in it in clear.
    return await idempotent(
        session,
        caller,
        key,
        {**body.model_dump(), "id_number": v.blind_index(body.id_number), "phone": None},
        create,
    )


@router.get("/people", response_model=Page[s.PersonOut], tags=["people 学员"])
async def list_people(
    caller: CurrentCaller, session: Session, page: Pagination
) -> Page[s.PersonOut]:
    stmt = sa.select(Person).where(repository.PEOPLE.condition(caller))
    return await page_of(session, stmt, Person.id, page, s.PersonOut)


@router.get("/people/{person_id}", response_model=s.PersonOut, tags=["people 学员"])
async def get_person(person_id: uuid.UUID, caller: CurrentCaller, session: Session) -> s.PersonOut:
    person = await repository.get_one(
        session, Person, person_id, repository.PEOPLE.condition(caller), what="Person"
    )
    return s.PersonOut.model_validate(person)


@router.post(
    "/sessions/{session_id}/enrollments",
    status_code=201,
    response_model=s.EnrollmentOut,
    tags=["enrollments 报名"],
    summary="Enroll a person (a seat if one is free, else the waitlist)",
)
async def enroll(
    session_id: uuid.UUID,
    body: s.EnrollmentCreate,
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    require_role(caller, Role.ministry, Role.management_org, *ORGANIZATIONS)

    async def create() -> JSONResponse:
        e = await service.enroll(session, caller, session_id, body)
        return json_response(
            s.EnrollmentOut.model_validate(e),
            201,
            version=e.version,
            location=f"/api/v1/enrollments/{e.id}",
        )

    return await idempotent(
        session, caller, key, {"session_id": session_id, **body.model_dump()}, create
    )


@router.get("/enrollments", response_model=Page[s.EnrollmentOut], tags=["enrollments 报名"])
async def list_enrollments(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    session_id: uuid.UUID | None = None,
    status: EnrollmentStatus | None = None,
    person_id: uuid.UUID | None = None,
) -> Page[s.EnrollmentOut]:
    stmt = where_given(
        sa.select(Enrollment).where(repository.ENROLLMENTS.condition(caller)),
        (Enrollment.session_id, session_id),
        (Enrollment.status, status),
        (Enrollment.person_id, person_id),
    )
    return await page_of(session, stmt, Enrollment.id, page, s.EnrollmentOut)


async def _enrollment(
    session: Session, caller: CurrentCaller, enrollment_id: uuid.UUID, *, for_update: bool = False
) -> Enrollment:
    return await repository.get_one(
        session,
        Enrollment,
        enrollment_id,
        repository.ENROLLMENTS.condition(caller),
        for_update=for_update,
        what="Enrollment",
    )


@router.get(
    "/enrollments/{enrollment_id}", response_model=s.EnrollmentOut, tags=["enrollments 报名"]
)
async def get_enrollment(
    enrollment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    e = await _enrollment(session, caller, enrollment_id)
    return json_response(s.EnrollmentOut.model_validate(e), version=e.version)


@router.post(
    "/enrollments/{enrollment_id}/cancel", response_model=s.EnrollmentOut, tags=["enrollments 报名"]
)
async def cancel_enrollment(
    enrollment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.EnrollmentOut:
    e = await _enrollment(session, caller, enrollment_id, for_update=True)
    require_role(caller, Role.ministry, Role.management_org, *ORGANIZATIONS)
    return s.EnrollmentOut.model_validate(await service.cancel(session, e))


@router.post(
    "/enrollments/{enrollment_id}/attendance",
    response_model=dict[int, float],
    tags=["enrollments 报名"],
    summary="Record a module's hours (capped at the module's hours)",
)
async def record_attendance(
    enrollment_id: uuid.UUID, body: s.AttendanceIn, caller: CurrentCaller, session: Session
) -> dict[int, float]:
    require_role(caller, Role.ministry, Role.management_org)
    e = await _enrollment(session, caller, enrollment_id, for_update=True)
    hours = await service.record_attendance(session, e, body)
    return {m: float(h) for m, h in sorted(hours.items())}


@router.post(
    "/enrollments/{enrollment_id}/exam", response_model=s.EnrollmentOut, tags=["enrollments 报名"]
)
async def record_exam(
    enrollment_id: uuid.UUID, body: s.ExamIn, caller: CurrentCaller, session: Session
) -> s.EnrollmentOut:
    require_role(caller, Role.ministry, Role.management_org)
    e = await _enrollment(session, caller, enrollment_id, for_update=True)
    return s.EnrollmentOut.model_validate(await service.record_exam(session, e, body))
