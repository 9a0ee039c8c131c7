"""贯标培训 — programmes, sessions (班次), people (学员), enrollments, attendance and exams.

Routes only translate: parse, call the use case (`training.service.<aggregate>`), render."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from iims_common.db import utcnow
from iims_common.exports import XLSX_MEDIA_TYPE
from iims_common.http import Session, json_response
from iims_common.idempotency import Idempotent
from iims_common.identity import CurrentCaller
from iims_common.imports import load_refused, read_upload
from iims_common.pagination import Page, Pagination, page_of
from iims_common.personal_data import PersonalDataVault, mask_name
from iims_common.ratelimit import RateLimit
from training.api import schemas as s
from training.db.tables import (
    Invitation,
    Person,
    Qualification,
    import_reports,
)
from training.db.tables import Session as TrainingSession
from training.domain.enums import EnrollmentStatus, QualificationKind
from training.domain.programmes import Programme, basis_of
from training.domain.qualifications import effective_status
from training.service import enrollments, people, programmes, qualifications, sessions

router = APIRouter(prefix="/api/v1")
public_router = APIRouter(prefix="/api/v1/public")


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
        basis=basis_of(p.code),
    )


@router.get("/programmes", response_model=list[s.ProgrammeOut], tags=["programmes 培训计划"])
async def list_programmes(caller: CurrentCaller, session: Session) -> list[s.ProgrammeOut]:
    return [_programme_out(p) for p in await programmes.list_all(session, caller)]


@router.post(
    "/programmes", status_code=201, response_model=s.ProgrammeOut, tags=["programmes 培训计划"]
)
async def create_programme(
    body: s.ProgrammeCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    programme = await programmes.create(session, caller, body)
    return await idem.remember(
        json_response(
            _programme_out(programme), 201, location=f"/api/v1/programmes/{programme.code}"
        )
    )


@router.get("/programmes/{code}", response_model=s.ProgrammeOut, tags=["programmes 培训计划"])
async def get_programme(code: str, caller: CurrentCaller, session: Session) -> s.ProgrammeOut:
    return _programme_out(await programmes.get(session, caller, code))


@router.post("/sessions", status_code=201, response_model=s.SessionOut, tags=["sessions 班次"])
async def create_training_session(
    body: s.SessionCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    run = await sessions.create(session, caller, body)
    return await idem.remember(
        json_response(
            s.SessionOut.model_validate(run),
            201,
            version=run.version,
            location=f"/api/v1/sessions/{run.id}",
        )
    )


@router.get("/sessions", response_model=Page[s.SessionOut], tags=["sessions 班次"])
async def list_training_sessions(
    caller: CurrentCaller, session: Session, page: Pagination, programme_code: str | None = None
) -> Page[s.SessionOut]:
    stmt = sessions.query(caller, programme_code=programme_code)
    return await page_of(session, stmt, TrainingSession.id, page, s.SessionOut)


@router.get("/sessions/{session_id}", response_model=s.SessionDetail, tags=["sessions 班次"])
async def get_training_session(
    session_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.SessionDetail:
    run, taken, waitlisted = await sessions.get(session, caller, session_id)
    return s.SessionDetail(
        **s.SessionOut.model_validate(run).model_dump(), seats_taken=taken, waitlisted=waitlisted
    )


@router.post("/people", status_code=201, response_model=s.PersonOut, tags=["people 学员"])
async def register_person(
    body: s.PersonCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
    v: Vault,
) -> JSONResponse:
    # The fingerprint of the key is a hash of the body; the ID number never lands in it in clear.
    fingerprinted = {**body.model_dump(), "id_number": v.blind_index(body.id_number), "phone": None}
    if (replayed := await idem.replay(fingerprinted)) is not None:
        return replayed
    person = await people.register(session, caller, v, body)
    return await idem.remember(
        json_response(
            s.PersonOut.model_validate(person), 201, location=f"/api/v1/people/{person.id}"
        )
    )


@router.get("/people", response_model=Page[s.PersonOut], tags=["people 学员"])
async def list_people(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    organization_id: uuid.UUID | None = None,
    name: Annotated[
        str | None,
        Query(max_length=100, description="part of the name, any width or case (姓名包含)"),
    ] = None,
) -> Page[s.PersonOut]:
    stmt = people.query(caller, organization_id=organization_id, name=name)
    return await page_of(session, stmt, Person.id, page, s.PersonOut)


@router.post(
    "/people/import",
    response_model=s.PeopleImportReport,
    tags=["people 学员"],
    summary="Register many people from a CSV (UTF-8/GB18030/UTF-16) or .xlsx file",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_people(
    request: Request, caller: CurrentCaller, session: Session, v: Vault
) -> s.PeopleImportReport:
    """姓名, 身份证号, 联系电话, 单位类别 (企业/服务机构/主管部门), 所在省份 — Chinese or
    English headers; people of the caller's organization (the ministry and the management
    organization name 单位ID). A number already registered, or twice in the file, is refused
    for that row; the refused rows download as .xlsx."""
    settings = request.app.state.settings
    result, report_id = await people.import_people(
        session,
        caller,
        v,
        lambda: read_upload(request, settings.import_max_bytes),
        request.headers.get("content-type", ""),
        settings.import_max_rows,
    )
    url = None if report_id is None else f"/api/v1/people/imports/{report_id}/refused-rows"
    return result.report(url)


@router.get(
    "/people/imports/{import_id}/refused-rows",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "未导入的行 (Excel)"}},
    tags=["people 学员"],
    summary="The refused rows of a people import as .xlsx (原文件行号, the file's columns, 拒绝原因)",
)
async def download_refused_people_rows(
    import_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> Response:
    content = await load_refused(session, import_reports, caller, "people", import_id)
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="refused-rows-{import_id}.xlsx"'},
    )


@router.get("/people/{person_id}", response_model=s.PersonOut, tags=["people 学员"])
async def get_person(person_id: uuid.UUID, caller: CurrentCaller, session: Session) -> s.PersonOut:
    return s.PersonOut.model_validate(await people.get(session, caller, person_id))


@router.post(
    "/sessions/{session_id}/enrollments",
    status_code=201,
    response_model=s.EnrollmentOut,
    tags=["enrollments 报名"],
    summary="Enroll a person (a seat if one is free, else the waitlist)",
)
async def enroll_in_session(
    session_id: uuid.UUID,
    body: s.EnrollmentCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay({"session_id": session_id, **body.model_dump()})) is not None:
        return replayed
    e = await enrollments.enroll(session, caller, session_id, body)
    return await idem.remember(
        json_response(
            e,
            201,
            version=e.version,
            location=f"/api/v1/enrollments/{e.id}",
        )
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
    stmt = enrollments.query(caller, session_id=session_id, status=status, person_id=person_id)
    return await enrollments.page(session, stmt, page)


@router.get(
    "/enrollments/{enrollment_id}", response_model=s.EnrollmentOut, tags=["enrollments 报名"]
)
async def get_enrollment(
    enrollment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    e = await enrollments.get(session, caller, enrollment_id)
    return json_response(e, version=e.version)


@router.post(
    "/enrollments/{enrollment_id}/cancel", response_model=s.EnrollmentOut, tags=["enrollments 报名"]
)
async def cancel_enrollment(
    enrollment_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> s.EnrollmentOut:
    return await enrollments.cancel(session, caller, enrollment_id)


@router.post(
    "/enrollments/{enrollment_id}/attendance",
    response_model=dict[int, float],
    tags=["enrollments 报名"],
    summary="Record a module's hours (capped at the module's hours)",
)
async def record_training_attendance(
    enrollment_id: uuid.UUID, body: s.AttendanceIn, caller: CurrentCaller, session: Session
) -> dict[int, float]:
    hours = await enrollments.record_attendance(session, caller, enrollment_id, body)
    return {m: float(h) for m, h in sorted(hours.items())}


@router.post(
    "/enrollments/{enrollment_id}/exam", response_model=s.EnrollmentOut, tags=["enrollments 报名"]
)
async def record_exam(
    enrollment_id: uuid.UUID,
    body: s.ExamIn,
    caller: CurrentCaller,
    session: Session,
    request: Request,
) -> s.EnrollmentOut:
    years = request.app.state.settings.qualification_valid_years
    return await enrollments.record_exam(session, caller, enrollment_id, body, valid_years=years)


@router.get("/invitations", response_model=Page[s.InvitationOut], tags=["invitations 邀请"])
async def list_invitations(
    caller: CurrentCaller, session: Session, page: Pagination
) -> Page[s.InvitationOut]:
    """Phase-1 invitations of pilot enterprises (one per pilot, from `pilot-enrolled`)."""
    stmt = enrollments.invitations(caller)
    return await page_of(session, stmt, Invitation.id, page, s.InvitationOut)


# --- qualifications (资质证书) -------------------------------------------------------------


@router.get(
    "/qualifications", response_model=Page[s.QualificationOut], tags=["qualifications 资质证书"]
)
async def list_qualifications(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    kind: QualificationKind | None = None,
    person_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> Page[s.QualificationOut]:
    stmt = qualifications.query(
        caller, kind=kind, person_id=person_id, organization_id=organization_id
    )
    return await page_of(session, stmt, Qualification.id, page, s.QualificationOut)


@router.get(
    "/qualifications/{number}", response_model=s.QualificationOut, tags=["qualifications 资质证书"]
)
async def get_qualification(
    number: str, caller: CurrentCaller, session: Session
) -> s.QualificationOut:
    return s.QualificationOut.model_validate(await qualifications.load(session, caller, number))


@router.post(
    "/qualifications/{number}/revoke",
    response_model=s.QualificationOut,
    tags=["qualifications 资质证书"],
)
async def revoke_qualification(
    number: str, body: s.RevokeIn, caller: CurrentCaller, session: Session
) -> s.QualificationOut:
    q = await qualifications.revoke(session, caller, number, body)
    return s.QualificationOut.model_validate(q)


@router.post(
    "/qualifications/{number}/lead-auditor",
    status_code=201,
    response_model=s.QualificationOut,
    tags=["qualifications 资质证书"],
    summary="Grant 审核组长 to a valid auditor with enough audits as team member",
)
async def promote_lead_auditor(
    number: str, body: s.LeadAuditorIn, caller: CurrentCaller, session: Session, request: Request
) -> s.QualificationOut:
    years = request.app.state.settings.qualification_valid_years
    lead = await qualifications.promote(session, caller, number, body, valid_years=years)
    return s.QualificationOut.model_validate(lead)


@public_router.get(
    "/qualifications/{number}",
    response_model=s.PublicQualification,
    tags=["public verification 公开查询"],
    summary="Verify a qualification by its number (no login; rate limited)",
)
async def verify_qualification(
    number: str, request: Request, session: Session
) -> s.PublicQualification:
    limiter: RateLimit = request.app.state.verification_limit
    await limiter.check(request, "verify-qualification")
    q = await qualifications.public(session, number)
    kind = QualificationKind(q.kind)
    return s.PublicQualification(
        number=q.number,
        holder_name=mask_name(q.holder_name),
        kind=kind.value,
        kind_label=kind.label_in(),
        issuer=q.issuer,
        granted_on=q.granted_on,
        valid_until=q.valid_until,
        status=effective_status(q.status, q.valid_until, utcnow().date()),
    )
