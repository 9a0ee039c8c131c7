"""Request and response bodies of the training API. Personal data only ever leaves masked.
The request bodies are the use cases' commands (`training.service.commands`, re-exported)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, Field

from iims_common.schemas import Output
from training.domain.enums import QualificationStatus
from training.service.commands import (
    AttendanceIn,
    EnrollmentCreate,
    ExamIn,
    LeadAuditorIn,
    ModuleIn,
    PeopleImportReport,
    PeopleImportRowError,
    PersonCreate,
    ProgrammeCreate,
    RevokeIn,
    SessionCreate,
)
from training.service.views import EnrollmentOut


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


class PersonOut(Output):
    id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    organization_kind: str
    province_code: str | None
    id_number_masked: str
    phone_masked: str | None
    created_at: dt.datetime


class QualificationOut(Output):
    number: str
    kind: str
    person_id: uuid.UUID
    organization_id: uuid.UUID
    holder_name: str
    issuer: str
    granted_on: dt.date
    valid_until: dt.date
    status: QualificationStatus
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
    status: QualificationStatus


class InvitationOut(Output):
    """邀请: a pilot enterprise invited to a phase-1 session (from `pilot-enrolled`)."""

    id: uuid.UUID
    pilot_id: uuid.UUID
    enterprise_id: uuid.UUID
    province_code: str | None
    session_id: uuid.UUID | None
    status: str
    created_at: dt.datetime


__all__ = [
    "AttendanceIn",
    "EnrollmentCreate",
    "EnrollmentOut",
    "ExamIn",
    "InvitationOut",
    "LeadAuditorIn",
    "ModuleIn",
    "ModuleOut",
    "PeopleImportReport",
    "PeopleImportRowError",
    "PersonCreate",
    "PersonOut",
    "ProgrammeCreate",
    "ProgrammeOut",
    "PublicQualification",
    "QualificationOut",
    "RevokeIn",
    "SessionCreate",
    "SessionDetail",
    "SessionOut",
]
