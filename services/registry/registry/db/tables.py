"""Registry tables (SQLAlchemy 2 declarative). Alembic migrations mirror these."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from iims_common.db import NAMING_CONVENTION, UTCDateTime, utcnow
from iims_common.identifiers import fold_text
from iims_common.ids import new_id
from iims_common.imports import import_reports_table


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid(), primary_key=True, default=new_id)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(default=utcnow)


class Enterprise(Base):
    """企业 — keyed by 统一社会信用代码."""

    __tablename__ = "enterprises"
    # (province, id) serves the province-scoped keyset list; name search uses a trigram
    # GIN index created in the migration (PostgreSQL only).
    __table_args__ = (sa.Index("ix_enterprises_province_id", "province_code", "id"),)
    id: Mapped[uuid.UUID] = _id()
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The name as searched (iims_common.identifiers.fold_text: width, case), kept in step by
    # `_fold_name`; a trigram GIN index on PostgreSQL (migration 0003).
    name_folded: Mapped[str] = mapped_column(sa.Text())
    province_code: Mapped[str] = mapped_column(sa.String(6))
    industry_code: Mapped[str] = mapped_column(sa.String(3), index=True)
    size: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(16), default="registered")
    address: Mapped[str | None] = mapped_column(sa.String(300))
    contact_name: Mapped[str | None] = mapped_column(sa.String(100))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _fold_name(self, _key: str, value: str) -> str:
        self.name_folded = fold_text(value) if isinstance(value, str) else value
        return value


class RecommendingUnit(Base):
    """推荐单位."""

    __tablename__ = "recommending_units"
    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    region_code: Mapped[str | None] = mapped_column(sa.String(6))
    created_at: Mapped[dt.datetime] = _created()


class Agency(Base):
    """服务机构: 贯标服务机构 (consultancy) or 认定服务机构 (certification body)."""

    __tablename__ = "agencies"
    id: Mapped[uuid.UUID] = _id()
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    province_code: Mapped[str] = mapped_column(sa.String(6))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Batch(Base):
    """试点批次."""

    __tablename__ = "batches"
    id: Mapped[uuid.UUID] = _id()
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    pilot_quota: Mapped[int]
    certification_target: Mapped[int]
    plan_deadline: Mapped[dt.date | None] = mapped_column(sa.Date())
    created_at: Mapped[dt.datetime] = _created()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Recommendation(Base):
    """推荐: one per (batch, enterprise)."""

    __tablename__ = "recommendations"
    __table_args__ = (sa.UniqueConstraint("batch_id", "enterprise_id"),)
    id: Mapped[uuid.UUID] = _id()
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("batches.id"))
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    recommending_unit_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("recommending_units.id"), index=True
    )
    province_code: Mapped[str] = mapped_column(sa.String(6))
    reason: Mapped[str | None] = mapped_column(sa.Text())
    created_at: Mapped[dt.datetime] = _created()


class Pilot(Base):
    """试点企业: a recommendation selected within the batch quota."""

    __tablename__ = "pilots"
    __table_args__ = (sa.UniqueConstraint("batch_id", "enterprise_id"),)
    id: Mapped[uuid.UUID] = _id()
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("batches.id"))
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("recommendations.id"), unique=True
    )
    consultancy_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agencies.id"), index=True
    )
    province_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    industry_code: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(24), default="enrolled")
    enrolled_at: Mapped[dt.datetime] = _created()
    certificate_no: Mapped[str | None] = mapped_column(sa.String(64))
    certified_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    latest_assessment_id: Mapped[str | None] = mapped_column(sa.String(64))
    latest_assessment_period: Mapped[str | None] = mapped_column(sa.String(16))
    latest_score: Mapped[float | None]
    latest_stage: Mapped[str | None] = mapped_column(sa.String(32))
    latest_maturity_level: Mapped[str | None] = mapped_column(sa.String(32))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class PilotStatusChange(Base):
    """Audit trail of a pilot's status (who/what changed it, and why)."""

    __tablename__ = "pilot_status_changes"
    id: Mapped[uuid.UUID] = _id()
    pilot_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pilots.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str] = mapped_column(sa.String(24))
    reason: Mapped[str | None] = mapped_column(sa.Text())
    changed_by: Mapped[str] = mapped_column(sa.String(200))
    changed_at: Mapped[dt.datetime] = _created()


class ProgressReport(Base):
    """进展报告: one per pilot and period (YYYY-MM)."""

    __tablename__ = "progress_reports"
    __table_args__ = (sa.UniqueConstraint("pilot_id", "period"),)
    id: Mapped[uuid.UUID] = _id()
    pilot_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pilots.id"))
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("batches.id"))
    province_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))
    stage: Mapped[str] = mapped_column(sa.String(100))
    percent: Mapped[int]
    narrative: Mapped[str] = mapped_column(sa.Text())
    problems: Mapped[str | None] = mapped_column(sa.Text())
    submitted_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = _created()


class ProvincePlan(Base):
    """本区域贯标工作落实方案: one per (batch, province)."""

    __tablename__ = "province_plans"
    __table_args__ = (sa.UniqueConstraint("batch_id", "province_code"),)
    id: Mapped[uuid.UUID] = _id()
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("batches.id"))
    province_code: Mapped[str] = mapped_column(sa.String(6))
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text())
    policy_support: Mapped[str | None] = mapped_column(sa.Text())
    funding_wan_yuan: Mapped[float | None]
    submitted_by: Mapped[str] = mapped_column(sa.String(200))
    submitted_at: Mapped[dt.datetime] = _created()


class BatchQuotaChange(Base):
    """When and why a batch's pilot quota changed (2014: planned 500, 502 finally enrolled)."""

    __tablename__ = "batch_quota_changes"
    id: Mapped[uuid.UUID] = _id()
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    from_quota: Mapped[int | None]
    to_quota: Mapped[int]
    changed_on: Mapped[dt.date] = mapped_column(sa.Date())
    reason: Mapped[str] = mapped_column(sa.Text())
    changed_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = _created()


import_reports = import_reports_table(Base.metadata)


# The programme's own work (tasks, meetings, notices, documents, funds, agency lists) lives in
# its own module but in this metadata (one Alembic history).
from registry.db import work as _work  # noqa: E402, F401
