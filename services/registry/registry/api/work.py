"""The programme's own work over HTTP: tasks (之二/之四) and 报送, meetings, notices,
documents, funds and agency lists. Creates accept Idempotency-Key; updates need If-Match;
an object outside the caller's scope answers 404.

Routes only translate: parse, call the aggregate's use case (`registry.service.tasks`,
`meetings`, `notices`, `documents`, `funds`, `agency_lists`, `calls`), render; `service`
(`registry.service.work`) is used here only for rendering (task and notice answers)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from iims_common.db import utcnow
from iims_common.http import IfMatch, Session, json_response
from iims_common.idempotency import Idempotent
from iims_common.identifiers import FOLD, SixDigitCode, is_ascii_digits, pattern
from iims_common.identity import CurrentCaller
from iims_common.pagination import Page, Pagination, page_of, paginate
from registry.api import work_schemas as w
from registry.api.deps import Settings
from registry.api.schemas import ProvinceCode
from registry.db.work import (
    AgencyList,
    CallCandidate,
    CertificationCall,
    Document,
    DocumentVersion,
    FundAllocation,
    FundBudget,
    FundDisbursement,
    FundEligibility,
    Meeting,
    MeetingRegistration,
    Notice,
    ProgrammeTask,
    TaskSubmission,
)
from registry.service import (
    agency_lists,
    calls,
    documents,
    funds,
    meetings,
    notices,
    tasks,
)
from registry.service import work as service

router = APIRouter(prefix="/api/v1")
public_router = APIRouter(prefix="/api/v1/public", tags=["public 公开资料与名单"])
PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
PeriodCode = Annotated[str, pattern(PERIOD), FOLD]
Year = Annotated[int, Query(ge=2010, le=2100)]
AsOf = Annotated[
    dt.date | None, Query(description="Evaluate lateness on this date (default today)")
]


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or utcnow().date()


def _created(
    out: BaseModel, path: str, object_id: uuid.UUID, version: int | None = None
) -> JSONResponse:
    return json_response(out, 201, version=version, location=f"/api/v1/{path}/{object_id}")


# --- tasks (工作任务) -----------------------------------------------------------------------
TASKS: list[str | Enum] = ["programme tasks 工作任务"]


@router.post("/programme-tasks/seed", response_model=w.SeedResult, tags=TASKS)
async def seed_programme_tasks(
    caller: CurrentCaller, session: Session, year: Year = 2014
) -> w.SeedResult:
    """Create the seed's tasks (之二, 之四 per province, 本领域/本市落实方案) and meetings for a
    year. Idempotent: a second call creates nothing. Ministry only."""
    return await tasks.seed(session, caller, year)


@router.get("/programme-tasks", response_model=Page[w.TaskOut], tags=TASKS)
async def list_programme_tasks(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    year: Annotated[int | None, Query(ge=2010, le=2100)] = None,
    source: Annotated[str | None, Query(pattern="^(national|provincial|domain|city)$")] = None,
    region_code: Annotated[SixDigitCode | None, Query()] = None,
    ref: Annotated[str | None, Query(max_length=32)] = None,
    status: w.TaskStatus | None = None,
    as_of: AsOf = None,
) -> Page[w.TaskOut]:
    """A province sees the national plan (之二) and its own rows; the ministry sees all.
    `status` (computed on `as_of`): upcoming, in_progress, overdue, done, done_late."""
    on = _today(as_of)
    stmt = tasks.query(
        caller, on=on, year=year, source=source, region_code=region_code, ref=ref, status=status
    )
    rows, cursor = await paginate(session, stmt, ProgrammeTask.id, page)
    return Page(items=[service.task_out(t, on) for t in rows], next_cursor=cursor)


@router.get("/programme-tasks/summary", response_model=w.TaskSummary, tags=TASKS)
async def get_task_summary(
    caller: CurrentCaller, session: Session, year: Year = 2014, as_of: AsOf = None
) -> w.TaskSummary:
    """Counts by computed status and per region (done, overdue) of the tasks the caller sees."""
    return await service.task_summary(session, caller, year, _today(as_of))


@router.get("/programme-tasks/reporting-status", response_model=w.ReportingStatus, tags=TASKS)
async def get_reporting_status(
    caller: CurrentCaller,
    session: Session,
    period: Annotated[PeriodCode, Query(description="YYYY-MM")],
    year: Year = 2014,
    as_of: AsOf = None,
) -> w.ReportingStatus:
    """之四 三.4 "定期收集和汇总贯标进展情况并报送工信部": per province, the period's 报送 as
    received, received_late, missing or not_due. A province sees its own row."""
    return await tasks.reporting_status(session, caller, year, period, _today(as_of))


@router.get("/programme-tasks/{task_id}", response_model=w.TaskOut, tags=TASKS)
async def get_programme_task(
    task_id: uuid.UUID, caller: CurrentCaller, session: Session, as_of: AsOf = None
) -> JSONResponse:
    task = await tasks.get(session, caller, task_id)
    return json_response(service.task_out(task, _today(as_of)), version=task.version)


@router.patch("/programme-tasks/{task_id}", response_model=w.TaskOut, tags=TASKS)
async def complete_programme_task(
    task_id: uuid.UUID,
    body: w.TaskComplete,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Mark a one-off task done with its evidence (the assignee or the ministry)."""
    task = await tasks.complete(session, caller, task_id, body, if_match=if_match)
    return json_response(service.task_out(task, utcnow().date()), version=task.version)


def _submission_out(task: ProgrammeTask, sub: TaskSubmission) -> w.SubmissionOut:
    return w.SubmissionOut.model_validate(
        {**{k: getattr(sub, k) for k in w.SubmissionOut.model_fields if k != "status"},
         "status": service.submission_status(task, sub)}
    )  # fmt: skip


@router.post(
    "/programme-tasks/{task_id}/submissions",
    status_code=201,
    response_model=w.SubmissionOut,
    tags=TASKS,
)
async def submit_task_report(
    task_id: uuid.UUID,
    body: w.SubmissionCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    """报送: one per period for the periodic task (之四 三.4), or the one that completes a
    one-off task (e.g. 本区域贯标工作落实方案)."""

    if (replayed := await idem.replay({"task_id": task_id, **body.model_dump()})) is not None:
        return replayed
    task, sub = await tasks.submit_report(session, caller, task_id, body)
    return await idem.remember(json_response(_submission_out(task, sub), 201))


@router.get(
    "/programme-tasks/{task_id}/submissions", response_model=Page[w.SubmissionOut], tags=TASKS
)
async def list_task_submissions(
    task_id: uuid.UUID, caller: CurrentCaller, session: Session, page: Pagination
) -> Page[w.SubmissionOut]:
    task, stmt = await tasks.submissions(session, caller, task_id)
    rows, cursor = await paginate(session, stmt, TaskSubmission.id, page)
    return Page(items=[_submission_out(task, s) for s in rows], next_cursor=cursor)


# --- meetings (会议) -----------------------------------------------------------------------
MEETINGS: list[str | Enum] = ["meetings 会议"]


@router.post("/meetings", status_code=201, response_model=w.MeetingOut, tags=MEETINGS)
async def create_meeting(
    body: w.MeetingCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    m = await meetings.create(session, caller, body)
    return await idem.remember(
        _created(w.MeetingOut.model_validate(m), "meetings", m.id, m.version)
    )


@router.get("/meetings", response_model=Page[w.MeetingOut], tags=MEETINGS)
async def list_meetings(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    year: Annotated[int | None, Query(ge=2010, le=2100)] = None,
    kind: w.MeetingKind | None = None,
    status: w.MeetingStatus | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
) -> Page[w.MeetingOut]:
    stmt = meetings.query(caller, year=year, kind=kind, status=status, province_code=province_code)
    return await page_of(session, stmt, Meeting.id, page, w.MeetingOut)


@router.get("/meetings/{meeting_id}", response_model=w.MeetingOut, tags=MEETINGS)
async def get_meeting(
    meeting_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    m = await meetings.get(session, caller, meeting_id)
    return json_response(w.MeetingOut.model_validate(m), version=m.version)


@router.patch("/meetings/{meeting_id}", response_model=w.MeetingOut, tags=MEETINGS)
async def update_meeting(
    meeting_id: uuid.UUID,
    body: w.MeetingUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Schedule (dates, place, 现场会 host pilot), hold or cancel a meeting."""
    m = await meetings.change(session, caller, meeting_id, body, if_match=if_match)
    return json_response(w.MeetingOut.model_validate(m), version=m.version)


@router.post(
    "/meetings/{meeting_id}/registrations",
    status_code=201,
    response_model=w.RegistrationOut,
    tags=MEETINGS,
)
async def register_for_meeting(
    meeting_id: uuid.UUID,
    body: w.RegistrationCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    """报名: one registration per organization (a province registers its delegation);
    refused when the meeting is full, held or cancelled."""
    fingerprinted = {"meeting_id": meeting_id, **body.model_dump()}
    if (replayed := await idem.replay(fingerprinted)) is not None:
        return replayed
    reg = await meetings.register(session, caller, meeting_id, body)
    return await idem.remember(json_response(w.RegistrationOut.model_validate(reg), 201))


@router.get(
    "/meetings/{meeting_id}/registrations",
    response_model=Page[w.RegistrationOut],
    tags=MEETINGS,
)
async def list_meeting_registrations(
    meeting_id: uuid.UUID, caller: CurrentCaller, session: Session, page: Pagination
) -> Page[w.RegistrationOut]:
    """The organizer sees every registration; others see their own."""
    stmt = await meetings.registrations(session, caller, meeting_id)
    return await page_of(session, stmt, MeetingRegistration.id, page, w.RegistrationOut)


@router.patch(
    "/meetings/{meeting_id}/registrations/{registration_id}",
    response_model=w.RegistrationOut,
    tags=MEETINGS,
)
async def record_meeting_attendance(
    meeting_id: uuid.UUID,
    registration_id: uuid.UUID,
    body: w.AttendanceUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """出席: recorded by the organizer once the meeting is held (If-Match: the meeting's ETag)."""
    reg = await meetings.record_attendance(
        session, caller, meeting_id, registration_id, body, if_match=if_match
    )
    return json_response(w.RegistrationOut.model_validate(reg))


# --- notices (通知) ------------------------------------------------------------------------
NOTICES: list[str | Enum] = ["notices 通知"]


@router.post("/notices", status_code=201, response_model=w.NoticeOut, tags=NOTICES)
async def issue_notice(
    body: w.NoticeCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """印发通知 to roles (e.g. every province): the ministry or the management organization."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    n = await notices.issue(session, caller, body)
    return await idem.remember(_created(service.notice_out(n), "notices", n.id))


@router.get("/notices", response_model=Page[w.NoticeOut], tags=NOTICES)
async def list_notices(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    read_by_me: Annotated[
        bool | None,
        Query(description="true: only the notices the caller's party has read; false: unread"),
    ] = None,
) -> Page[w.NoticeOut]:
    """The notices addressed to the caller's role (all for the ministry and the management
    organization), each with `read_by_me`."""
    stmt = notices.query(caller, read_by_me=read_by_me)
    rows, cursor = await paginate(session, stmt, Notice.id, page)
    return Page(items=await service.notices_out(session, caller, list(rows)), next_cursor=cursor)


@router.get("/notices/{notice_id}", response_model=w.NoticeOut, tags=NOTICES)
async def get_notice(notice_id: uuid.UUID, caller: CurrentCaller, session: Session) -> w.NoticeOut:
    n = await notices.get(session, caller, notice_id)
    return (await service.notices_out(session, caller, [n]))[0]


@router.post("/notices/{notice_id}/read", status_code=204, tags=NOTICES)
async def mark_notice_read(
    notice_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> Response:
    """已读回执 (idempotent: a repeat keeps the first time)."""
    await notices.mark_read(session, caller, notice_id)
    return Response(status_code=204)


@router.get("/notices/{notice_id}/receipts", response_model=w.NoticeReceipts, tags=NOTICES)
async def list_notice_receipts(
    notice_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> w.NoticeReceipts:
    """Who read the notice, and which provinces in its audience have not."""
    return await notices.receipts(session, caller, notice_id)


# --- documents (资料) ----------------------------------------------------------------------
DOCS: list[str | Enum] = ["documents 资料下载"]


@router.post("/documents", status_code=201, response_model=w.DocumentOut, tags=DOCS)
async def create_document(
    body: w.DocumentCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """A document's record; its file is uploaded with PUT …/content (each upload a version)."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    doc = await documents.create(session, caller, body)
    out = w.DocumentOut.model_validate(doc)
    return await idem.remember(_created(out, "documents", doc.id, doc.version))


@router.get("/documents", response_model=Page[w.DocumentOut], tags=DOCS)
async def list_documents(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    category: w.DocumentCategory | None = None,
    access: w.Access | None = None,
) -> Page[w.DocumentOut]:
    stmt = documents.query(caller, category=category, access=access)
    return await page_of(session, stmt, Document.id, page, w.DocumentOut)


@router.get("/documents/{document_id}", response_model=w.DocumentDetail, tags=DOCS)
async def get_document(
    document_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    doc = await documents.detail(session, caller, document_id)
    return json_response(doc, version=doc.version)


@router.patch("/documents/{document_id}", response_model=w.DocumentOut, tags=DOCS)
async def update_document(
    document_id: uuid.UUID,
    body: w.DocumentUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    doc = await documents.change(session, caller, document_id, body, if_match=if_match)
    return json_response(w.DocumentOut.model_validate(doc), version=doc.version)


@router.put(
    "/documents/{document_id}/content",
    response_model=w.DocumentVersionOut,
    tags=DOCS,
    openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)  # fmt: skip
async def upload_document_content(
    document_id: uuid.UUID,
    request: Request,
    caller: CurrentCaller,
    session: Session,
    settings: Settings,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
    if_match: IfMatch = None,
) -> JSONResponse:
    """Upload a new version (the body is the file; Content-Type its type; `filename` its
    name). Type, extension and content must agree; size ≤ DOCUMENT_MAX_BYTES (413)."""
    length = request.headers.get("content-length", "").strip()
    doc, version = await documents.upload(
        session,
        caller,
        document_id,
        if_match=if_match,
        # A malformed Content-Length declares nothing: the body is counted as read.
        declared_bytes=int(length) if is_ascii_digits(length) else 0,
        read=request.body,
        filename=filename,
        media_type=request.headers.get("content-type", ""),
        max_bytes=settings.document_max_bytes,
    )
    return json_response(w.DocumentVersionOut.model_validate(version), version=doc.version)


def _download(doc: Document, version: DocumentVersion) -> Response:
    ascii_name = version.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        version.content,
        media_type=version.media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(version.filename)}",
            "ETag": f'"{version.sha256}"',
            "Cache-Control": "private, max-age=0"
            if doc.access == "restricted"
            else "public, max-age=300",
            "X-Content-Type-Options": "nosniff",
        },
    )


_VERSION = Annotated[int | None, Query(ge=1, le=100_000, description="Default: the current one")]
_FILE = {200: {"content": {"application/octet-stream": {}}, "description": "The file"}}


@router.get("/documents/{document_id}/content", tags=DOCS, responses=_FILE)  # type: ignore[arg-type]
async def download_document_content(
    document_id: uuid.UUID, caller: CurrentCaller, session: Session, version: _VERSION = None
) -> Response:
    return _download(*await documents.version_of(session, caller, document_id, version))


@public_router.get("/documents", response_model=Page[w.DocumentOut])
async def list_public_documents(
    session: Session, page: Pagination, category: w.DocumentCategory | None = None
) -> Page[w.DocumentOut]:
    """ "有关资料还可以上网下载": the public documents (no login)."""
    stmt = documents.public_query(category)
    return await page_of(session, stmt, Document.id, page, w.DocumentOut)


@public_router.get("/documents/{document_id}/content", responses=_FILE)  # type: ignore[arg-type]
async def download_public_document_content(
    document_id: uuid.UUID, session: Session, version: _VERSION = None
) -> Response:
    return _download(*await documents.version_of(session, None, document_id, version))


# --- funds (经费) --------------------------------------------------------------------------
FUNDS: list[str | Enum] = ["funds 经费"]


@router.post("/fund-budgets", status_code=201, response_model=w.BudgetOut, tags=FUNDS)
async def create_fund_budget(
    body: w.BudgetCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    """部级专项经费 (ministry) or a province's 支持资金 for a year."""
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    b = await funds.create_budget(session, caller, body)
    return await idem.remember(
        _created(w.BudgetOut.model_validate(b), "fund-budgets", b.id, b.version)
    )


@router.get("/fund-budgets", response_model=Page[w.BudgetOut], tags=FUNDS)
async def list_fund_budgets(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    year: Annotated[int | None, Query(ge=2010, le=2100)] = None,
    source: w.FundSource | None = None,
) -> Page[w.BudgetOut]:
    stmt = funds.budgets(caller, year=year, source=source)
    return await page_of(session, stmt, FundBudget.id, page, w.BudgetOut)


@router.get("/fund-budgets/summary", response_model=w.FundSummary, tags=FUNDS)
async def get_fund_summary(
    caller: CurrentCaller, session: Session, year: Year = 2014
) -> w.FundSummary:
    """Totals per province: budgets, allocated, disbursed, eligible and supported pilots.
    A province sees its own row."""
    return await funds.summary(session, caller, year)


@router.get("/fund-budgets/{budget_id}", response_model=w.BudgetOut, tags=FUNDS)
async def get_fund_budget(
    budget_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    b = await funds.get_budget(session, caller, budget_id)
    return json_response(w.BudgetOut.model_validate(b), version=b.version)


@router.patch("/fund-budgets/{budget_id}", response_model=w.BudgetOut, tags=FUNDS)
async def update_fund_budget(
    budget_id: uuid.UUID,
    body: w.BudgetUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change the amount (never below what is allocated from it)."""
    b = await funds.change_budget(session, caller, budget_id, body, if_match=if_match)
    return json_response(w.BudgetOut.model_validate(b), version=b.version)


@router.post(
    "/fund-budgets/{budget_id}/allocations",
    status_code=201,
    response_model=w.AllocationOut,
    tags=FUNDS,
)
async def allocate_funds(
    budget_id: uuid.UUID,
    body: w.AllocationCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    if (replayed := await idem.replay({"budget_id": budget_id, **body.model_dump()})) is not None:
        return replayed
    a = await funds.allocate(session, caller, budget_id, body)
    return await idem.remember(
        _created(w.AllocationOut.model_validate(a), "fund-allocations", a.id)
    )


@router.get("/fund-allocations", response_model=Page[w.AllocationOut], tags=FUNDS)
async def list_fund_allocations(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    budget_id: uuid.UUID | None = None,
    pilot_id: uuid.UUID | None = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
) -> Page[w.AllocationOut]:
    stmt = funds.allocations(
        caller, budget_id=budget_id, pilot_id=pilot_id, province_code=province_code
    )
    return await page_of(session, stmt, FundAllocation.id, page, w.AllocationOut)


@router.post(
    "/fund-allocations/{allocation_id}/disbursements",
    status_code=201,
    response_model=w.DisbursementOut,
    tags=FUNDS,
)
async def record_disbursement(
    allocation_id: uuid.UUID,
    body: w.DisbursementCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    fingerprinted = {"allocation_id": allocation_id, **body.model_dump()}
    if (replayed := await idem.replay(fingerprinted)) is not None:
        return replayed
    d = await funds.disburse(session, caller, allocation_id, body)
    return await idem.remember(json_response(w.DisbursementOut.model_validate(d), 201))


@router.get(
    "/fund-allocations/{allocation_id}/disbursements",
    response_model=Page[w.DisbursementOut],
    tags=FUNDS,
)
async def list_fund_disbursements(
    allocation_id: uuid.UUID, caller: CurrentCaller, session: Session, page: Pagination
) -> Page[w.DisbursementOut]:
    stmt = await funds.disbursements(session, caller, allocation_id)
    return await page_of(session, stmt, FundDisbursement.id, page, w.DisbursementOut)


@router.get("/fund-eligibility", response_model=Page[w.EligibleOut], tags=FUNDS)
async def list_fund_eligible_pilots(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    year: Annotated[int | None, Query(ge=2010, le=2100)] = None,
    province_code: Annotated[ProvinceCode | None, Query()] = None,
) -> Page[w.EligibleOut]:
    """Certified pilots eligible for 贯标试点支持 (fed by `certificate-issued`)."""
    stmt = funds.eligible(caller, year=year, province_code=province_code)
    return await page_of(session, stmt, FundEligibility.pilot_id, page, w.EligibleOut)


# --- agency lists (机构名单) and the certification bodies' call (公开征集) -------------------
LISTS: list[str | Enum] = ["agency lists 机构名单"]


@router.post("/agency-lists", status_code=201, response_model=w.AgencyListOut, tags=LISTS)
async def create_agency_list(
    body: w.AgencyListCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    lst = await agency_lists.create(session, caller, body)
    out = w.AgencyListOut.model_validate(lst)
    return await idem.remember(_created(out, "agency-lists", lst.id, lst.version))


@router.get("/agency-lists", response_model=Page[w.AgencyListOut], tags=LISTS)
async def list_agency_lists(
    caller: CurrentCaller,
    session: Session,
    page: Pagination,
    kind: w.AgencyListKind | None = None,
    status: w.AgencyListStatus | None = None,
) -> Page[w.AgencyListOut]:
    stmt = agency_lists.query(caller, kind=kind, status=status)
    return await page_of(session, stmt, AgencyList.id, page, w.AgencyListOut)


@router.get("/agency-lists/{list_id}", response_model=w.AgencyListDetail, tags=LISTS)
async def get_agency_list(
    list_id: uuid.UUID, caller: CurrentCaller, session: Session
) -> JSONResponse:
    lst = await agency_lists.detail(session, caller, list_id)
    return json_response(lst, version=lst.version)


@router.post(
    "/agency-lists/{list_id}/entries", status_code=201, response_model=w.EntryOut, tags=LISTS
)
async def add_agency_list_entry(
    list_id: uuid.UUID,
    body: w.EntryCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    """Put an agency on a draft list; a consultancy needs staff holding a valid 咨询资质
    (from `qualification-granted`)."""

    if (replayed := await idem.replay({"list_id": list_id, **body.model_dump()})) is not None:
        return replayed
    out = await agency_lists.add_entry(session, caller, list_id, body)
    return await idem.remember(json_response(out, 201))


@router.patch("/agency-lists/{list_id}", response_model=w.AgencyListOut, tags=LISTS)
async def change_agency_list_status(
    list_id: uuid.UUID,
    body: w.AgencyListUpdate,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """draft → approved (审定) → published (向社会公示)."""
    lst = await agency_lists.change_status(session, caller, list_id, body, if_match=if_match)
    return json_response(w.AgencyListOut.model_validate(lst), version=lst.version)


@public_router.get("/agency-lists", response_model=Page[w.AgencyListOut])
async def list_public_agency_lists(
    session: Session, page: Pagination, kind: w.AgencyListKind | None = None
) -> Page[w.AgencyListOut]:
    """The published (公示) lists, without login."""
    stmt = agency_lists.query(None, kind=kind)
    return await page_of(session, stmt, AgencyList.id, page, w.AgencyListOut)


@public_router.get("/agency-lists/{list_id}", response_model=w.AgencyListDetail)
async def get_public_agency_list(list_id: uuid.UUID, session: Session) -> w.AgencyListDetail:
    return await agency_lists.detail(session, None, list_id)


CALLS: list[str | Enum] = ["certification calls 认定服务机构征集"]


@router.post("/certification-calls", status_code=201, response_model=w.CallOut, tags=CALLS)
async def create_certification_call(
    body: w.CallCreate, idem: Idempotent, caller: CurrentCaller, session: Session
) -> JSONResponse:
    if (replayed := await idem.replay(body)) is not None:
        return replayed
    call = await calls.create(session, caller, body)
    out = w.CallOut.model_validate(call)
    return await idem.remember(_created(out, "certification-calls", call.id))


@router.get("/certification-calls", response_model=Page[w.CallOut], tags=CALLS)
async def list_certification_calls(
    caller: CurrentCaller, session: Session, page: Pagination
) -> Page[w.CallOut]:
    return await page_of(session, calls.query(caller), CertificationCall.id, page, w.CallOut)


@router.post(
    "/certification-calls/{call_id}/candidates",
    status_code=201,
    response_model=w.CandidateOut,
    tags=CALLS,
)
async def add_call_candidate(
    call_id: uuid.UUID,
    body: w.CandidateCreate,
    idem: Idempotent,
    caller: CurrentCaller,
    session: Session,
) -> JSONResponse:
    """A certification body applies, or its province recommends it (之四 四.1, 8月)."""
    if (replayed := await idem.replay({"call_id": call_id, **body.model_dump()})) is not None:
        return replayed
    cand = await calls.add_candidate(session, caller, call_id, body)
    out = w.CandidateOut.model_validate(cand)
    return await idem.remember(_created(out, "call-candidates", cand.id, cand.version))


@router.get(
    "/certification-calls/{call_id}/candidates",
    response_model=Page[w.CandidateOut],
    tags=CALLS,
)
async def list_call_candidates(
    call_id: uuid.UUID, caller: CurrentCaller, session: Session, page: Pagination
) -> Page[w.CandidateOut]:
    stmt = await calls.candidates(session, caller, call_id)
    return await page_of(session, stmt, CallCandidate.id, page, w.CandidateOut)


@router.patch("/call-candidates/{candidate_id}", response_model=w.CandidateOut, tags=CALLS)
async def review_candidate(
    candidate_id: uuid.UUID,
    body: w.CandidateReview,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """专家评审 result (passed / rejected)."""
    cand = await calls.review(session, caller, candidate_id, body, if_match=if_match)
    return json_response(w.CandidateOut.model_validate(cand), version=cand.version)


@router.post(
    "/call-candidates/{candidate_id}/authorization", response_model=w.CandidateOut, tags=CALLS
)
async def authorize_candidate(
    candidate_id: uuid.UUID,
    body: w.CandidateAuthorize,
    caller: CurrentCaller,
    session: Session,
    if_match: IfMatch = None,
) -> JSONResponse:
    """授权 the body (agency → authorized, `agency-updated`): after a passed review and once
    the 认定管理组织 is formed (rule `certification-body.management-org-not-formed`)."""
    cand = await calls.authorize(session, caller, candidate_id, body, if_match=if_match)
    return json_response(w.CandidateOut.model_validate(cand), version=cand.version)


__all__ = ["public_router", "router"]
