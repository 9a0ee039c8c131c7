"""Request and response bodies of the training API. Personal data only ever leaves masked."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from iims_common.identifiers import FOLD_LOWER, IdNumber, Phone, SixDigitCode
from iims_common.imports import ImportSummary
from iims_common.schemas import Input, Output
from training.domain.enums import LABELS, EnrollmentStatus, OrganizationKind, QualificationKind


class ModuleOut(BaseModel):
    no: int
    title: str
    hours: Decimal


class ProgrammeOut(BaseModel):
    code: str
    name: str
    audience: str
    window_start: dt.date
    window_end: dt.date
    window_label: str
    location: str
    lecturers: str
    total_hours: Decimal
    pass_mark: int
    confers: str | None
    source: str
    modules: list[ModuleOut]
    basis: dict[str, str] = Field(
        description="Whose rule each part is: seed (会议材料之三/之一/之二), platform (our choice "
        "where the seed is silent, e.g. pass marks) or administrator (defined through the API)"
    )


class ModuleIn(Input):
    title: str = Field(min_length=1, max_length=300)
    hours: Decimal = Field(gt=0, le=200, max_digits=4, decimal_places=1)


class ProgrammeCreate(Input):
    """A new training programme (培训计划); modules are numbered in the order given."""

    code: Annotated[str, FOLD_LOWER] = Field(
        min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$"
    )
    name: str = Field(min_length=1, max_length=200)
    audience: str = Field(min_length=1, max_length=300)
    window_start: dt.date
    window_end: dt.date
    window_label: str = Field(min_length=1, max_length=100)
    location: str = Field(min_length=1, max_length=200)
    lecturers: str = Field(min_length=1, max_length=500)
    modules: list[ModuleIn] = Field(min_length=1, max_length=50)
    pass_mark: int = Field(ge=0, le=100)
    session_days: int | None = Field(None, ge=1, le=60)
    confers: QualificationKind | None = Field(
        None, description="consultant or auditor; lead_auditor is never conferred by a course"
    )
    source: str = Field("ministry", max_length=300)


class SessionCreate(Input):
    """班次."""

    programme_code: str = Field(min_length=1, max_length=40)
    starts_on: dt.date
    ends_on: dt.date
    location: str = Field(min_length=1, max_length=200)
    lecturers: str = Field(min_length=1, max_length=500)
    capacity: int = Field(ge=1, le=10_000)


class SessionOut(Output):
    id: uuid.UUID
    programme_code: str
    starts_on: dt.date
    ends_on: dt.date
    location: str
    lecturers: str
    capacity: int
    version: int


class SessionDetail(SessionOut):
    seats_taken: int
    waitlisted: int


class PersonCreate(Input):
    """学员: registered by the organization they work for."""

    name: str = Field(min_length=1, max_length=100)
    id_number: IdNumber = Field(description="居民身份证号码 (stored encrypted, shown masked)")
    phone: Phone | None = Field(None, description="联系电话 (stored encrypted, shown masked)")
    organization_id: uuid.UUID | None = Field(
        None, description="Defaults to the caller's organization"
    )
    organization_kind: OrganizationKind
    province_code: SixDigitCode | None = None


class PeopleImportRowError(BaseModel):
    line: int = Field(description="CSV: line where the row starts; .xlsx: row number")
    errors: list[dict[str, str]]


class PeopleImportReport(ImportSummary):
    """What a people import did; ID numbers never appear in it (masked or absent)."""

    errors: list[PeopleImportRowError]


class PersonOut(Output):
    id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    organization_kind: str
    province_code: str | None
    id_number_masked: str
    phone_masked: str | None
    created_at: dt.datetime


class EnrollmentCreate(Input):
    person_id: uuid.UUID


class EnrollmentOut(Output):
    id: uuid.UUID
    session_id: uuid.UUID
    person_id: uuid.UUID
    organization_id: uuid.UUID
    province_code: str | None
    status: EnrollmentStatus
    exam_attempts: int
    exam_score: int | None
    created_at: dt.datetime
    version: int
    waitlist_position: int | None = Field(
        None,
        description="候补顺位: 1 for the next to get a freed seat (waitlist order is enrollment "
        "order); null unless the enrollment is waitlisted. Computed on every read.",
    )

    @property
    def status_label(self) -> str:
        return LABELS[self.status]


class AttendanceIn(Input):
    module_no: int = Field(ge=1, le=50)
    hours: Decimal = Field(ge=0, le=100, max_digits=4, decimal_places=1)


class ExamIn(Input):
    score: int = Field(ge=0, le=100)
    taken_on: dt.date | None = Field(
        None,
        description="考试日期 (default today): the qualification a pass confers is dated on it. "
        "Not before the session starts, not in the future — so the programme's 2014 exams are "
        "recorded on their dates.",
    )


class QualificationOut(Output):
    number: str
    kind: str
    person_id: uuid.UUID
    organization_id: uuid.UUID
    holder_name: str
    issuer: str
    granted_on: dt.date
    valid_until: dt.date
    status: str
    basis: str | None
    revoked_reason: str | None


class PublicQualification(BaseModel):
    """What a public verification shows: what the certificate itself shows, name masked."""

    number: str
    holder_name: str
    kind: str
    kind_label: str
    issuer: str
    granted_on: dt.date
    valid_until: dt.date
    status: str


class RevokeIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class LeadAuditorIn(Input):
    audits_as_member: int = Field(ge=0, le=10_000)
    evidence: str = Field(min_length=1, max_length=2000)
    attested_on: dt.date | None = Field(
        None,
        description="认定日期 (default today): the 审核组长 qualification is dated on it; the "
        "auditor qualification must be valid that day. Not in the future.",
    )


class InvitationOut(Output):
    """邀请: a pilot enterprise invited to a phase-1 session (from `pilot-enrolled`)."""

    id: uuid.UUID
    pilot_id: uuid.UUID
    enterprise_id: uuid.UUID
    province_code: str | None
    session_id: uuid.UUID | None
    status: str
    created_at: dt.datetime
