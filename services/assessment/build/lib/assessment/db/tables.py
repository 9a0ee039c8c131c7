"""Assessment tables (SQLAlchemy 2 declarative). Alembic migrations mirror these."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from iims_common.db import NAMING_CONVENTION, JSONType, UTCDateTime, utcnow
from iims_common.ids import new_id


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


class FrameworkRow(Base):
    """指标体系 version; `published` versions are immutable."""

    __tablename__ = "frameworks"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(sa.String(60))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    industry_type: Mapped[str] = mapped_column(sa.String(40))
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(sa.String(16))  # draft | published
    published_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Enterprise(Base):
    """What this service knows of an enterprise, from registry events."""

    __tablename__ = "enterprises"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    province_code: Mapped[str] = mapped_column(sa.String(6))
    industry_code: Mapped[str] = mapped_column(sa.String(3))
    consultancy_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)


class Assessment(Base):
    """评估: one enterprise, one framework version, one period; draft → submitted → scored."""

    __tablename__ = "assessments"
    __table_args__ = (sa.UniqueConstraint("enterprise_id", "framework_code", "period"),)
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True, default=new_id)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    province_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    industry_code: Mapped[str] = mapped_column(sa.String(3))
    framework_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("frameworks.id"))
    framework_code: Mapped[str] = mapped_column(sa.String(60))
    period: Mapped[str] = mapped_column(sa.String(7))
    kind: Mapped[str] = mapped_column(sa.String(16))  # baseline | periodic
    status: Mapped[str] = mapped_column(sa.String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    conformity: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    total_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    dimension_scores: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    management_level: Mapped[str | None] = mapped_column(sa.String(20))
    diagnosis: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    scored_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class BenchmarkCell(Base):
    """Maintained aggregate of scored assessments per industry section, province and period
    (province `000000` = national): updated in the scoring transaction."""

    __tablename__ = "benchmark_cells"
    industry_section: Mapped[str] = mapped_column(sa.String(1), primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    total: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    histogram: Mapped[list[int]] = mapped_column(JSONType, default=list)
    # Σ of each dimension's score, so the radar can show the industry's dimension averages.
    dimension_totals: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
