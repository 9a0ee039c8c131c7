"""Commands of the training use cases and the people import's report (the API's request
bodies are these — `training.api.schemas` re-exports them — so the service layer never
imports the API)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from iims_common.identifiers import FOLD_LOWER, IdNumber, Phone, SixDigitCode
from iims_common.imports import ImportSummary
from iims_common.schemas import Input, JsonNumber
from training.domain.enums import OrganizationKind, QualificationKind


class ModuleIn(Input):
    title: str = Field(min_length=1, max_length=300)
    hours: Annotated[
        Decimal, Field(gt=0, le=200, max_digits=4, decimal_places=1), JsonNumber(places=1)
    ]


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


class EnrollmentCreate(Input):
    person_id: uuid.UUID


class AttendanceIn(Input):
    module_no: int = Field(ge=1, le=50)
    hours: Annotated[
        Decimal, Field(ge=0, le=100, max_digits=4, decimal_places=1), JsonNumber(places=1)
    ]


class ExamIn(Input):
    score: int = Field(ge=0, le=100)
    taken_on: dt.date | None = Field(
        None,
        description="考试日期 (default today): the qualification a pass confers is dated on it. "
        "Not before the session starts, not in the future — so the programme's 2014 exams are "
        "recorded on their dates.",
    )


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
