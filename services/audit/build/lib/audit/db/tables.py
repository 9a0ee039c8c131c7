"""Audit tables (SQLAlchemy 2 declarative). Alembic migrations mirror these.

`enterprises`, `agencies` and `qualifications` are this service's own copies of facts other
services publish (it never reads their tables).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from iims_common.db import NAMING_CONVENTION, JSONType, UTCDateTime, utcnow
from iims_common.ids import new_id


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid(), primary_key=True, default=new_id)


class Enterprise(Base):
    """企业 facts from `enterprise-registered` and `pilot-enrolled`."""

    __tablename__ = "enterprises"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    uscc: Mapped[str | None] = mapped_column(sa.String(18))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    industry_code: Mapped[str | None] = mapped_column(sa.String(4))
    size: Mapped[str | None] = mapped_column(sa.String(10))
    pilot_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid())
    consultancy_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Agency(Base):
    """服务机构 facts from `agency-updated`: certification bodies and consultancies."""

    __tablename__ = "agencies"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Qualification(Base):
    """资质 facts from `qualification-granted`/`-revoked` (any kind: consultant ones feed
    the impartiality rule)."""

    __tablename__ = "qualifications"
    number: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    person_name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(20))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    granted_on: Mapped[dt.date] = mapped_column(sa.Date())
    valid_until: Mapped[dt.date] = mapped_column(sa.Date())
    revoked_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))


class Auditor(Base):
    """认定审核员: a person holding an auditor qualification, in the body they work for."""

    __tablename__ = "auditors"
    person_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    body_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    # GB/T 4754 门类 letters (or 大类 like "C26") the auditor is competent for.
    competences: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Unavailability(Base):
    __tablename__ = "auditor_unavailability"
    id: Mapped[uuid.UUID] = _id()
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auditors.person_id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[dt.date] = mapped_column(sa.Date())
    ends_on: Mapped[dt.date] = mapped_column(sa.Date())
    reason: Mapped[str | None] = mapped_column(sa.String(200))


class Application(Base):
    """认定申请 (评定申请) by an enterprise to a certification body."""

    __tablename__ = "applications"
    id: Mapped[uuid.UUID] = _id()
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    body_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    consultancy_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    scope: Mapped[str] = mapped_column(sa.String(1000))
    site: Mapped[str] = mapped_column(sa.String(300))
    system_running_since: Mapped[dt.date] = mapped_column(sa.Date())
    internal_audit_done: Mapped[bool]
    management_review_done: Mapped[bool]
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    review_comment: Mapped[str | None] = mapped_column(sa.String(2000))
    notice_starts_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    notice_ends_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ApplicationEvent(Base):
    """Every transition of an application: who did what, from which state to which."""

    __tablename__ = "application_history"
    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Audit(Base):
    """审核: stage 1, stage 2, surveillance or recertification, with dates and a team."""

    __tablename__ = "audits"
    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("applications.id"), index=True
    )
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("certificates.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    body_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    starts_on: Mapped[dt.date] = mapped_column(sa.Date())
    ends_on: Mapped[dt.date] = mapped_column(sa.Date())
    audit_days: Mapped[int]
    onsite_days: Mapped[int]
    completed_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    report: Mapped[str | None] = mapped_column(sa.String(4000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class TeamMember(Base):
    __tablename__ = "audit_team"
    audit_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("auditors.person_id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(10))
    # Copied from the audit so double-booking is one indexed query.
    starts_on: Mapped[dt.date] = mapped_column(sa.Date())
    ends_on: Mapped[dt.date] = mapped_column(sa.Date())
    active: Mapped[bool] = mapped_column(default=True)


class Finding(Base):
    """不符合项 on a clause of the standard, with its corrective action and verification."""

    __tablename__ = "findings"
    id: Mapped[uuid.UUID] = _id()
    audit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    application_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    clause: Mapped[str] = mapped_column(sa.String(5))
    severity: Mapped[str] = mapped_column(sa.String(12))
    description: Mapped[str] = mapped_column(sa.String(4000))
    status: Mapped[str] = mapped_column(sa.String(20))
    corrective_action: Mapped[str | None] = mapped_column(sa.String(4000))
    deadline: Mapped[dt.date | None] = mapped_column(sa.Date())
    plan_accepted_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    verification: Mapped[str | None] = mapped_column(sa.String(4000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Objection(Base):
    """公示期异议 lodged against an application in its public notice."""

    __tablename__ = "objections"
    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    lodged_by: Mapped[str] = mapped_column(sa.String(100))
    text: Mapped[str] = mapped_column(sa.String(4000))
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    resolution: Mapped[str | None] = mapped_column(sa.String(4000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]


class Certificate(Base):
    """认定证书."""

    __tablename__ = "certificates"
    id: Mapped[uuid.UUID] = _id()
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    enterprise_name: Mapped[str] = mapped_column(sa.String(200))
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    site: Mapped[str] = mapped_column(sa.String(300))
    scope: Mapped[str] = mapped_column(sa.String(1000))
    standard: Mapped[str] = mapped_column(sa.String(200))
    edition: Mapped[str] = mapped_column(sa.String(100))
    body_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), index=True)
    body_name: Mapped[str] = mapped_column(sa.String(200))
    decision_on: Mapped[dt.date] = mapped_column(sa.Date())
    effective_on: Mapped[dt.date] = mapped_column(sa.Date())
    valid_until: Mapped[dt.date] = mapped_column(sa.Date())
    status: Mapped[str] = mapped_column(sa.String(12), index=True)
    status_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    suspended_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class SurveillancePlan(Base):
    """The audits a certificate's cycle needs, with their due dates (ISO/IEC 17021-1)."""

    __tablename__ = "surveillance_plans"
    id: Mapped[uuid.UUID] = _id()
    certificate_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    due_by: Mapped[dt.date] = mapped_column(sa.Date())
    audit_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid())
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date())


class ScheduleProposal(Base):
    """A scheduler run's proposal; applied only when confirmed (and re-checked then)."""

    __tablename__ = "schedule_proposals"
    id: Mapped[uuid.UUID] = _id()
    created_by: Mapped[str] = mapped_column(sa.String(100))
    body_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    window_start: Mapped[dt.date] = mapped_column(sa.Date())
    window_end: Mapped[dt.date] = mapped_column(sa.Date())
    team_size: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12), default="proposed")
    placements: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    unplaced: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    seconds: Mapped[float]
    optimal: Mapped[bool]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
