"""Request and response bodies of the programme's own work (tasks, meetings, notices,
documents, funds, agency lists). `basis` says whose rule a computed value follows: `seed`
(会议材料之一…之四) or `platform` (our choice where the seed is silent)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from iims_common.enums import LabelledEnum
from iims_common.i18n import _
from iims_common.identity import Role
from iims_common.schemas import Input, Output
from registry.service.dto import Period, ProvinceCode

Title = Annotated[str, Field(min_length=1, max_length=300)]
Text = Annotated[str, Field(min_length=1, max_length=20000)]


class TaskStatus(LabelledEnum):
    upcoming = "upcoming"
    in_progress = "in_progress"
    overdue = "overdue"
    done = "done"
    done_late = "done_late"

    __labels__ = {
        upcoming: _("Not started"),
        in_progress: _("In progress"),
        overdue: _("Overdue"),
        done: _("Done"),
        done_late: _("Done late"),
    }


class MeetingKind(LabelledEnum):
    deployment = "deployment"  # 工作部署会
    enterprise_publicity = "enterprise_publicity"  # 企业宣贯大会
    agency_exchange = "agency_exchange"  # 服务机构交流会
    provincial_seminar = "provincial_seminar"  # 座谈会 / 宣传推广会 (provinces)
    experience_exchange = "experience_exchange"  # 经验交流推广会
    site_meeting = "site_meeting"  # 现场会

    __labels__ = {
        deployment: _("Work deployment meeting"),
        enterprise_publicity: _("Enterprise publicity conference"),
        agency_exchange: _("Service agency exchange meeting"),
        provincial_seminar: _("Provincial seminar"),
        experience_exchange: _("Experience exchange meeting"),
        site_meeting: _("On-site meeting"),
    }


class MeetingStatus(LabelledEnum):
    planned = "planned"
    scheduled = "scheduled"
    held = "held"
    cancelled = "cancelled"

    __labels__ = {
        planned: _("Meeting planned"),
        scheduled: _("Date set"),
        held: _("Held"),
        cancelled: _("Cancelled"),
    }


class DocumentCategory(LabelledEnum):
    training_material = "training_material"  # 培训讲义
    standard = "standard"  # 标准
    regulation = "regulation"  # 认定管理办法 …
    template = "template"  # 模板
    meeting_material = "meeting_material"  # 会议材料
    notice_attachment = "notice_attachment"
    submission = "submission"  # a province's 报送 attachment

    __labels__ = {
        training_material: _("Training material"),
        standard: _("Standard"),
        regulation: _("Regulation"),
        template: _("Template"),
        meeting_material: _("Meeting material"),
        notice_attachment: _("Notice attachment"),
        submission: _("Submitted material"),
    }


class Access(LabelledEnum):
    public = "public"  # anyone, without login ("有关资料还可以上网下载")
    restricted = "restricted"  # callers of the platform only

    __labels__ = {
        public: _("Public"),
        restricted: _("Platform users only"),
    }


class FundSource(LabelledEnum):
    ministry_special = "ministry_special"  # 部级两化融合管理体系专项经费
    provincial = "provincial"  # 各地支持资金

    __labels__ = {
        ministry_special: _("Ministry special fund"),
        provincial: _("Provincial support fund"),
    }


class AgencyListKind(LabelledEnum):
    consultancy = "consultancy"  # 推荐的贯标服务机构名单
    certification_body = "certification_body"  # 认定服务机构名单

    __labels__ = {
        consultancy: _("Recommended consultancies"),
        certification_body: _("Certification bodies"),
    }


class AgencyListStatus(LabelledEnum):
    draft = "draft"
    approved = "approved"  # 审定
    published = "published"  # 向社会公示

    __labels__ = {
        draft: _("Draft"),
        approved: _("Approved"),
        published: _("Published"),
    }


class Review(LabelledEnum):
    pending = "pending"
    passed = "passed"
    rejected = "rejected"

    __labels__ = {
        pending: _("Awaiting review"),
        passed: _("Passed review"),
        rejected: _("Rejected"),
    }


WORK_ENUMS: tuple[type[LabelledEnum], ...] = (
    TaskStatus,
    MeetingKind,
    MeetingStatus,
    DocumentCategory,
    Access,
    FundSource,
    AgencyListKind,
    AgencyListStatus,
    Review,
)


# --- tasks ---------------------------------------------------------------------------------


class TaskOut(Output):
    id: uuid.UUID
    year: int
    source: str
    ref: str = Field(description="The seed's row, e.g. '之二 四.1' or '之四 三.4'")
    section: str
    title: str
    owner: str = Field(description="责任单位 as the seed words it")
    assignee: str
    region_code: str | None
    organization_id: uuid.UUID | None
    window_text: str = Field(description="The seed's time window, verbatim")
    starts_on: dt.date | None
    due_on: dt.date
    periodic: bool
    completed_on: dt.date | None
    evidence: str | None
    status: TaskStatus
    window_basis: str = Field("seed", description="dates read from the seed's window")
    version: int


class TaskComplete(Input):
    completed_on: dt.date | None = Field(None, description="Defaults to today")
    evidence: Text


class SubmissionCreate(Input):
    period: Period | None = Field(None, description="YYYY-MM; required for a periodic task")
    summary: Text
    document_id: uuid.UUID | None = None
    submitted_on: dt.date | None = Field(None, description="Defaults to today (ministry only)")


class SubmissionOut(Output):
    id: uuid.UUID
    task_id: uuid.UUID
    region_code: str | None
    period: str
    summary: str
    document_id: uuid.UUID | None
    submitted_on: dt.date
    submitted_by: str
    status: str = Field(description="received | received_late (against the period's due date)")


class ReportingRow(BaseModel):
    region_code: str
    region_name: str
    task_id: uuid.UUID
    status: str = Field(description="received | received_late | missing | not_due")
    submitted_on: dt.date | None


class ReportingStatus(BaseModel):
    """Who has handed in the 报送 of a period (之四 三.4) — received, late, or missing."""

    year: int
    period: str
    due_on: dt.date
    basis: str = Field(description="platform: monthly periods due on the 10th (seed: 定期)")
    received: int
    received_late: int
    missing: int
    rows: list[ReportingRow]


class TaskSummaryRow(BaseModel):
    region_code: str | None
    total: int
    done: int
    overdue: int


class TaskSummary(BaseModel):
    year: int
    as_of: dt.date
    total: int
    by_status: dict[str, int]
    by_region: list[TaskSummaryRow]


class SeedResult(BaseModel):
    year: int
    national_tasks: int
    provincial_tasks: int
    domain_plan_tasks: int
    city_plan_tasks: int
    meetings: int
    created: int


# --- meetings ------------------------------------------------------------------------------


class MeetingCreate(Input):
    year: int = Field(ge=2010, le=2100)
    kind: MeetingKind
    title: Title
    organizer: Annotated[str, Field(min_length=1, max_length=200)]
    task_ref: str | None = Field(None, max_length=32)
    window_text: str | None = Field(None, max_length=40)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    location: str | None = Field(None, max_length=200)
    province_code: ProvinceCode | None = Field(None, description="NULL: a national meeting")
    host_enterprise_id: uuid.UUID | None = Field(None, description="现场会: the host pilot")
    capacity: int | None = Field(None, ge=1, le=100_000)


class MeetingUpdate(Input):
    status: MeetingStatus | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    location: str | None = Field(None, max_length=200)
    host_enterprise_id: uuid.UUID | None = None
    capacity: int | None = Field(None, ge=1, le=100_000)


class MeetingOut(Output):
    id: uuid.UUID
    year: int
    kind: MeetingKind
    title: str
    organizer: str
    task_ref: str | None
    window_text: str | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    location: str | None
    province_code: str | None
    host_enterprise_id: uuid.UUID | None
    capacity: int | None
    status: MeetingStatus
    version: int


class RegistrationCreate(Input):
    organization_name: Annotated[str, Field(min_length=1, max_length=200)]
    attendees: int = Field(1, ge=1, le=1000)


class AttendanceUpdate(Input):
    attended: bool


class RegistrationOut(Output):
    id: uuid.UUID
    meeting_id: uuid.UUID
    registrant: str
    organization_name: str
    province_code: str | None
    attendees: int
    attended: bool | None
    registered_at: dt.datetime


# --- notices -------------------------------------------------------------------------------


class NoticeCreate(Input):
    number: str | None = Field(None, max_length=64, description="文号, e.g. 工信厅信函〔2014〕84号")
    title: Title
    body: Text
    issued_on: dt.date | None = None
    audience_roles: list[Role] = Field(min_length=1)
    document_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class NoticeOut(Output):
    id: uuid.UUID
    number: str | None
    title: str
    body: str
    issued_on: dt.date
    issued_by: str
    audience_roles: list[str]
    document_ids: list[str]
    read_by_me: bool = Field(
        False,
        description="已读: the caller's party (its province, its organization, or the caller) "
        "has sent the read receipt (POST /notices/{id}/read)",
    )
    read_at: dt.datetime | None = Field(None, description="when the caller's party first read it")


class NoticeReadOut(Output):
    reader: str
    role: str
    province_code: str | None
    read_at: dt.datetime


class NoticeReceipts(BaseModel):
    notice_id: uuid.UUID
    read: list[NoticeReadOut]
    provinces_not_read: list[str] = Field(
        description="Provinces in the audience that have not read it (province audience only)"
    )


# --- documents -----------------------------------------------------------------------------


class DocumentCreate(Input):
    title: Title
    category: DocumentCategory
    access: Access
    description: str | None = Field(None, max_length=4000)


class DocumentUpdate(Input):
    title: Title | None = None
    access: Access | None = None
    description: str | None = Field(None, max_length=4000)


class DocumentVersionOut(Output):
    number: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime


class DocumentOut(Output):
    id: uuid.UUID
    title: str
    category: DocumentCategory
    access: Access
    description: str | None
    current_version: int
    created_at: dt.datetime
    version: int


class DocumentDetail(DocumentOut):
    versions: list[DocumentVersionOut]


# --- funds ---------------------------------------------------------------------------------


class BudgetCreate(Input):
    year: int = Field(ge=2010, le=2100)
    source: FundSource
    province_code: ProvinceCode | None = Field(None, description="required for provincial")
    amount_yuan: int = Field(ge=0, le=10**13)
    note: str | None = Field(None, max_length=4000)


class BudgetUpdate(Input):
    amount_yuan: int = Field(ge=0, le=10**13)
    note: str | None = Field(None, max_length=4000)


class BudgetOut(Output):
    id: uuid.UUID
    year: int
    source: FundSource
    province_code: str | None
    amount_yuan: int
    note: str | None
    version: int


class AllocationCreate(Input):
    pilot_id: uuid.UUID
    amount_yuan: int = Field(ge=1, le=10**12)
    decided_on: dt.date
    purpose: str | None = Field(None, max_length=4000)


class AllocationOut(Output):
    id: uuid.UUID
    budget_id: uuid.UUID
    pilot_id: uuid.UUID
    province_code: str
    amount_yuan: int
    decided_on: dt.date
    purpose: str | None


class DisbursementCreate(Input):
    amount_yuan: int = Field(ge=1, le=10**12)
    paid_on: dt.date
    reference: str | None = Field(None, max_length=100)


class DisbursementOut(Output):
    id: uuid.UUID
    allocation_id: uuid.UUID
    province_code: str
    amount_yuan: int
    paid_on: dt.date
    reference: str | None


class EligibleOut(Output):
    pilot_id: uuid.UUID
    enterprise_id: uuid.UUID
    province_code: str
    year: int
    certificate_no: str
    certified_on: dt.date


class FundProvinceRow(BaseModel):
    province_code: str
    province_name: str
    provincial_budget_yuan: int
    allocated_yuan: int
    disbursed_yuan: int
    eligible_pilots: int
    supported_pilots: int


class FundSummary(BaseModel):
    year: int
    ministry_budget_yuan: int
    provincial_budget_yuan: int
    allocated_yuan: int
    disbursed_yuan: int
    eligible_pilots: int
    supported_pilots: int
    by_province: list[FundProvinceRow]


# --- agency lists and the certification bodies' call ---------------------------------------


class AgencyListCreate(Input):
    year: int = Field(ge=2010, le=2100)
    kind: AgencyListKind
    title: Title


class AgencyListUpdate(Input):
    status: AgencyListStatus
    on: dt.date | None = Field(None, description="审定/公示 date; defaults to today")


class EntryCreate(Input):
    agency_id: uuid.UUID


class EntryOut(Output):
    agency_id: uuid.UUID
    agency_name: str
    province_code: str
    qualified_staff: int


class AgencyListOut(Output):
    id: uuid.UUID
    year: int
    kind: AgencyListKind
    title: str
    status: AgencyListStatus
    approved_on: dt.date | None
    published_on: dt.date | None
    version: int


class AgencyListDetail(AgencyListOut):
    entries: list[EntryOut]


class CallCreate(Input):
    year: int = Field(ge=2010, le=2100)
    title: Title
    opens_on: dt.date
    closes_on: dt.date


class CallOut(Output):
    id: uuid.UUID
    year: int
    title: str
    opens_on: dt.date
    closes_on: dt.date


class CandidateCreate(Input):
    agency_id: uuid.UUID
    applied_on: dt.date | None = None


class CandidateReview(Input):
    review: Review
    notes: str | None = Field(None, max_length=4000)
    reviewed_on: dt.date | None = None


class CandidateAuthorize(Input):
    authorized_on: dt.date | None = None


class CandidateOut(Output):
    id: uuid.UUID
    call_id: uuid.UUID
    agency_id: uuid.UUID
    recommended_by: str | None
    applied_on: dt.date
    review: Review
    review_notes: str | None
    reviewed_on: dt.date | None
    authorized_on: dt.date | None
    version: int
