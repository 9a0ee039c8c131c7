"""Training tables (SQLAlchemy 2 declarative). Alembic migrations mirror these."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from iims_common.db import NAMING_CONVENTION, JSONType, UTCDateTime, utcnow
from iims_common.identifiers import fold_text
from iims_common.ids import new_id
from iims_common.imports import import_reports_table


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid(), primary_key=True, default=new_id)


class ProgrammeRow(Base):
    """培训计划 programme: seeded from the seed's plan; the ministry adds new ones."""

    __tablename__ = "programmes"
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    audience: Mapped[str] = mapped_column(sa.String(300))
    window_start: Mapped[dt.date] = mapped_column(sa.Date())
    window_end: Mapped[dt.date] = mapped_column(sa.Date())
    window_label: Mapped[str] = mapped_column(sa.String(100))
    location: Mapped[str] = mapped_column(sa.String(200))
    lecturers: Mapped[str] = mapped_column(sa.String(500))
    modules: Mapped[list[dict[str, str]]] = mapped_column(JSONType)
    pass_mark: Mapped[int]
    session_days: Mapped[int | None]
    confers: Mapped[str | None] = mapped_column(sa.String(20))
    source: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Session(Base):
    """班次: one run of a programme."""

    __tablename__ = "sessions"
    id: Mapped[uuid.UUID] = _id()
    programme_code: Mapped[str] = mapped_column(sa.ForeignKey("programmes.code"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(sa.Date())
    ends_on: Mapped[dt.date] = mapped_column(sa.Date())
    location: Mapped[str] = mapped_column(sa.String(200))
    lecturers: Mapped[str] = mapped_column(sa.String(500))
    capacity: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Person(Base):
    """学员. ID number and phone are stored encrypted, with a keyed hash and a mask."""

    __tablename__ = "people"
    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(sa.String(100))
    # The name as searched (iims_common.identifiers.fold_text), kept in step by `_fold_name`;
    # a trigram GIN index on PostgreSQL (migration 0004).
    name_folded: Mapped[str] = mapped_column(sa.Text())
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    organization_kind: Mapped[str] = mapped_column(sa.String(20))
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    id_number_cipher: Mapped[str] = mapped_column(sa.Text())
    id_number_index: Mapped[str] = mapped_column(sa.String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    phone_cipher: Mapped[str | None] = mapped_column(sa.Text())
    phone_masked: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @validates("name")
    def _fold_name(self, _key: str, value: str) -> str:
        self.name_folded = fold_text(value) if isinstance(value, str) else value
        return value


class Enrollment(Base):
    """报名: a person in a session, for an organization. Waitlist order is id order (UUIDv7)."""

    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)
    id: Mapped[uuid.UUID] = _id()
    session_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("people.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    exam_attempts: Mapped[int] = mapped_column(default=0)
    exam_score: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Attendance(Base):
    """考勤: hours per module of an enrollment (capped at the module's hours)."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "module_no"),)
    id: Mapped[uuid.UUID] = _id()
    enrollment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enrollments.id"))
    module_no: Mapped[int]
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Qualification(Base):
    """资质证书: consultant (咨询资质) or auditor / lead_auditor (认定资质)."""

    __tablename__ = "qualifications"
    id: Mapped[uuid.UUID] = _id()
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("people.id"), index=True)
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("enrollments.id"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    kind: Mapped[str] = mapped_column(sa.String(20))
    holder_name: Mapped[str] = mapped_column(sa.String(100))
    issuer: Mapped[str] = mapped_column(sa.String(200))
    granted_on: Mapped[dt.date] = mapped_column(sa.Date())
    valid_until: Mapped[dt.date] = mapped_column(sa.Date())
    status: Mapped[str] = mapped_column(sa.String(16), default="valid")
    basis: Mapped[str | None] = mapped_column(sa.Text())
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Enterprise(Base):
    """The facts of an enterprise this service needs, copied from `enterprise-registered`."""

    __tablename__ = "enterprises"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    province_code: Mapped[str] = mapped_column(sa.String(6))
    industry_code: Mapped[str] = mapped_column(sa.String(3))


class Invitation(Base):
    """An invitation of a pilot enterprise to a phase-1 session (from `pilot-enrolled`)."""

    __tablename__ = "invitations"
    id: Mapped[uuid.UUID] = _id()
    pilot_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), unique=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("sessions.id"))
    status: Mapped[str] = mapped_column(sa.String(16))  # invited | no_session
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


import_reports = import_reports_table(Base.metadata)
