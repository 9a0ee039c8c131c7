"""Tables of the programme's own work: tasks and their submissions (报送), meetings with
registration and attendance, notices with read receipts, documents (stored in this database,
versioned), funds (budgets, allocations, disbursements, eligibility) and agency lists
(recommended consultancies, the certification bodies' 公开征集). Same metadata as
`registry.db.tables`, so the same Alembic history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from iims_common.db import utcnow
from registry.db.tables import Base, _created, _id


class ProgrammeTask(Base):
    """工作任务: a row of 之二 (national), 之四 (one per province), a 相关司局's 本领域落实方案 or a
    separately-planned city's plan. `assignee` is `national`, a region code or a unit id."""

    __tablename__ = "programme_tasks"
    __table_args__ = (sa.UniqueConstraint("year", "ref", "assignee"),)
    id: Mapped[uuid.UUID] = _id()
    year: Mapped[int] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # national|provincial|domain|city
    ref: Mapped[str] = mapped_column(sa.String(32))
    section: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.Text())
    owner: Mapped[str] = mapped_column(sa.String(200))
    assignee: Mapped[str] = mapped_column(sa.String(64))
    region_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid())
    window_text: Mapped[str] = mapped_column(sa.String(40))
    starts_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    due_on: Mapped[dt.date] = mapped_column(sa.Date(), index=True)
    periodic: Mapped[bool] = mapped_column(default=False)
    completed_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    completed_by: Mapped[str | None] = mapped_column(sa.String(200))
    evidence: Mapped[str | None] = mapped_column(sa.Text())
    created_at: Mapped[dt.datetime] = _created()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class TaskSubmission(Base):
    """报送: what the assignee hands in for a task (one per period for a periodic task; the
    period is '' for a one-off task)."""

    __tablename__ = "task_submissions"
    __table_args__ = (sa.UniqueConstraint("task_id", "period"),)
    id: Mapped[uuid.UUID] = _id()
    task_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programme_tasks.id"))
    region_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    period: Mapped[str] = mapped_column(sa.String(7), default="")
    summary: Mapped[str] = mapped_column(sa.Text())
    document_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("documents.id"))
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date())
    submitted_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = _created()


class Meeting(Base):
    """会议: national (province_code NULL) or a province's own (座谈会, 宣传推广会 …)."""

    __tablename__ = "meetings"
    id: Mapped[uuid.UUID] = _id()
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    organizer: Mapped[str] = mapped_column(sa.String(200))
    task_ref: Mapped[str | None] = mapped_column(sa.String(32))
    window_text: Mapped[str | None] = mapped_column(sa.String(40))
    starts_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    location: Mapped[str | None] = mapped_column(sa.String(200))
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    host_enterprise_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("enterprises.id"))
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="planned")
    created_at: Mapped[dt.datetime] = _created()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class MeetingRegistration(Base):
    """报名 (one per meeting and registering organization) and, after the meeting, 出席."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "registrant"),)
    id: Mapped[uuid.UUID] = _id()
    meeting_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("meetings.id"))
    registrant: Mapped[str] = mapped_column(sa.String(200))  # role:province/org of the caller
    organization_name: Mapped[str] = mapped_column(sa.String(200))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    attendees: Mapped[int] = mapped_column(default=1)
    attended: Mapped[bool | None]
    registered_at: Mapped[dt.datetime] = _created()


class Notice(Base):
    """通知 from the ministry (e.g. 工信厅信函〔2014〕84号, 印发具体安排意见) to provinces and units."""

    __tablename__ = "notices"
    id: Mapped[uuid.UUID] = _id()
    number: Mapped[str | None] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text())
    issued_on: Mapped[dt.date] = mapped_column(sa.Date())
    issued_by: Mapped[str] = mapped_column(sa.String(200))
    # ",province,recommender," — filtered with LIKE on both backends.
    audience: Mapped[str] = mapped_column(sa.String(300))
    document_ids: Mapped[list[str]] = mapped_column(sa.JSON(), default=list)
    created_at: Mapped[dt.datetime] = _created()


class NoticeRead(Base):
    """已读回执: who (role + province / organization) read a notice, and when."""

    __tablename__ = "notice_reads"
    __table_args__ = (sa.UniqueConstraint("notice_id", "reader"),)
    id: Mapped[uuid.UUID] = _id()
    notice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("notices.id"))
    reader: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(32))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    read_at: Mapped[dt.datetime] = _created()


class Document(Base):
    """资料 (培训讲义, the standard, 认定管理办法, templates …): public or restricted."""

    __tablename__ = "documents"
    id: Mapped[uuid.UUID] = _id()
    title: Mapped[str] = mapped_column(sa.String(300))
    category: Mapped[str] = mapped_column(sa.String(32), index=True)
    access: Mapped[str] = mapped_column(sa.String(16))  # public|restricted
    # A province's own attachment (报送): only that province and the national roles read it.
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    description: Mapped[str | None] = mapped_column(sa.Text())
    current_version: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class DocumentVersion(Base):
    """One uploaded file of a document; earlier versions stay downloadable."""

    __tablename__ = "document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)
    id: Mapped[uuid.UUID] = _id()
    document_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("documents.id"))
    number: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary())
    uploaded_by: Mapped[str] = mapped_column(sa.String(200))
    uploaded_at: Mapped[dt.datetime] = _created()


class FundBudget(Base):
    """经费预算 per year and source: 部级专项经费 (province NULL) or a province's 支持资金."""

    __tablename__ = "fund_budgets"
    __table_args__ = (sa.UniqueConstraint("year", "source", "province_code"),)
    id: Mapped[uuid.UUID] = _id()
    year: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(24))  # ministry_special|provincial
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    amount_yuan: Mapped[int] = mapped_column(sa.BigInteger())
    note: Mapped[str | None] = mapped_column(sa.Text())
    created_at: Mapped[dt.datetime] = _created()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class FundEligibility(Base):
    """A certified pilot eligible for 贯标试点支持 — written on `certificate-issued`."""

    __tablename__ = "fund_eligibility"
    pilot_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pilots.id"), primary_key=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    province_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    year: Mapped[int]
    certificate_no: Mapped[str] = mapped_column(sa.String(64))
    certified_on: Mapped[dt.date] = mapped_column(sa.Date())


class FundAllocation(Base):
    """支持 decided for one pilot out of one budget."""

    __tablename__ = "fund_allocations"
    id: Mapped[uuid.UUID] = _id()
    budget_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("fund_budgets.id"), index=True)
    pilot_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pilots.id"), index=True)
    province_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    amount_yuan: Mapped[int] = mapped_column(sa.BigInteger())
    decided_on: Mapped[dt.date] = mapped_column(sa.Date())
    purpose: Mapped[str | None] = mapped_column(sa.Text())
    created_at: Mapped[dt.datetime] = _created()


class FundDisbursement(Base):
    """拨付: money actually paid against an allocation."""

    __tablename__ = "fund_disbursements"
    id: Mapped[uuid.UUID] = _id()
    allocation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("fund_allocations.id"), index=True
    )
    province_code: Mapped[str] = mapped_column(sa.String(6))
    amount_yuan: Mapped[int] = mapped_column(sa.BigInteger())
    paid_on: Mapped[dt.date] = mapped_column(sa.Date())
    reference: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = _created()


class AgencyStaffQualification(Base):
    """A qualification held by an agency's staff member — from `qualification-granted` /
    `qualification-revoked` (DESIGN.md catalogue: registry keeps agency staff)."""

    __tablename__ = "agency_staff_qualifications"
    qualification_no: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.String(64))
    person_name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(16))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    granted_on: Mapped[dt.date] = mapped_column(sa.Date())
    valid_until: Mapped[dt.date | None] = mapped_column(sa.Date())
    revoked: Mapped[bool] = mapped_column(default=False)


class AgencyList(Base):
    """A published list: 首批推荐的贯标服务机构名单 or 认定服务机构名单 (draft → 审定 → 公示)."""

    __tablename__ = "agency_lists"
    id: Mapped[uuid.UUID] = _id()
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(32))  # consultancy|certification_body
    title: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    approved_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    published_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    created_at: Mapped[dt.datetime] = _created()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class AgencyListEntry(Base):
    __tablename__ = "agency_list_entries"
    __table_args__ = (sa.UniqueConstraint("list_id", "agency_id"),)
    id: Mapped[uuid.UUID] = _id()
    list_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agency_lists.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"))
    qualified_staff: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = _created()


class CertificationCall(Base):
    """公开征集认定服务机构 (之二 四.3, 8月)."""

    __tablename__ = "certification_calls"
    __table_args__ = (sa.UniqueConstraint("year"),)
    id: Mapped[uuid.UUID] = _id()
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    opens_on: Mapped[dt.date] = mapped_column(sa.Date())
    closes_on: Mapped[dt.date] = mapped_column(sa.Date())
    created_at: Mapped[dt.datetime] = _created()


class CallCandidate(Base):
    """A certification body applying to the call, optionally recommended by a province
    (之四 四.1); expert review (专家评审), then authorization — 成熟一家发展一家."""

    __tablename__ = "call_candidates"
    __table_args__ = (sa.UniqueConstraint("call_id", "agency_id"),)
    id: Mapped[uuid.UUID] = _id()
    call_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("certification_calls.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"))
    recommended_by: Mapped[str | None] = mapped_column(sa.String(6))  # province code
    applied_on: Mapped[dt.date] = mapped_column(sa.Date())
    review: Mapped[str] = mapped_column(sa.String(16), default="pending")
    review_notes: Mapped[str | None] = mapped_column(sa.Text())
    reviewed_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    authorized_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


def all_tables() -> list[Any]:
    """Every table of this module (for test truncation)."""
    return [m.__table__ for m in Base.__subclasses__() if m.__module__ == __name__]
