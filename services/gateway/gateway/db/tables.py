"""Gateway tables (SQLAlchemy 2 declarative). Alembic migrations mirror these.

Credentials (API keys, accounts, refresh tokens), webhook subscriptions and deliveries, and
the dashboards' read model fed by events (`dash_*`).
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


class ApiKey(Base):
    """API key of a machine client (a provincial system, an agency): `iims_<key_id>_<secret>`.
    Only a hash of the secret is kept; after a rotation the previous one stays valid until
    `previous_valid_until`."""

    __tablename__ = "api_keys"
    id: Mapped[uuid.UUID] = _id()
    key_id: Mapped[str] = mapped_column(sa.String(24), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid())
    is_admin: Mapped[bool] = mapped_column(default=False)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    previous_secret_hash: Mapped[str | None] = mapped_column(sa.String(64))
    previous_valid_until: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class Account(Base):
    """A person using the web frontend; password hashed with argon2."""

    __tablename__ = "accounts"
    id: Mapped[uuid.UUID] = _id()
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid())
    is_admin: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    id: Mapped[uuid.UUID] = _id()
    account_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookSubscription(Base):
    """A province's endpoint for event types of its province (Standard Webhooks)."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[uuid.UUID] = _id()
    province_code: Mapped[str] = mapped_column(sa.String(6), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSONType)
    secret_cipher: Mapped[str] = mapped_column(sa.Text())  # whsec_… encrypted at rest
    status: Mapped[str] = mapped_column(sa.String(12), default="active")
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "event_id"),)
    id: Mapped[uuid.UUID] = _id()
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(sa.String(200))
    event_type: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None]


class WebhookAttempt(Base):
    """The delivery log: one row per HTTP attempt, with its status code."""

    __tablename__ = "webhook_attempts"
    id: Mapped[uuid.UUID] = _id()
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int]


# --- the dashboards' read model (fed by events, idempotently through the inbox) ----------


class DashBatch(Base):
    __tablename__ = "dash_batches"
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    pilot_quota: Mapped[int | None]
    certification_target: Mapped[int | None]
    plan_deadline: Mapped[dt.date | None] = mapped_column(sa.Date())


class DashEnterprise(Base):
    """What the dashboards need per enterprise: its province, its pilot batch, its state."""

    __tablename__ = "dash_enterprises"
    enterprise_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), index=True)
    pilot_status: Mapped[str | None] = mapped_column(sa.String(30))
    latest_score: Mapped[float | None]
    certified: Mapped[bool] = mapped_column(default=False)
    # Its audits by status ({"completed": 2}), to re-file them under its batch.
    audit_counts: Mapped[dict[str, int]] = mapped_column(
        sa.JSON(), default=dict, server_default=sa.text("'{}'")
    )
    # 贯标试点支持 received (fund-allocated / fund-disbursed), in yuan.
    funds_allocated_yuan: Mapped[int] = mapped_column(sa.BigInteger(), default=0)
    funds_disbursed_yuan: Mapped[int] = mapped_column(sa.BigInteger(), default=0)


class DashPlan(Base):
    """本区域贯标工作落实方案 submissions, to show who is late or missing."""

    __tablename__ = "dash_plans"
    batch_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    submitted_on: Mapped[dt.date] = mapped_column(sa.Date())
    late: Mapped[bool]


class DashTask(Base):
    """A programme task (之二/之四/…) as its `programme-task-updated` events last described it;
    lateness is computed on read against today."""

    __tablename__ = "dash_tasks"
    task_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    ref: Mapped[str] = mapped_column(sa.String(32))
    province_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    due_on: Mapped[dt.date] = mapped_column(sa.Date())
    completed_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    periodic: Mapped[bool] = mapped_column(default=False)


class DashMeeting(Base):
    """A meeting as its `meeting-updated` events last described it."""

    __tablename__ = "dash_meetings"
    meeting_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    province_code: Mapped[str | None] = mapped_column(sa.String(6))
    starts_on: Mapped[dt.date | None] = mapped_column(sa.Date())
    status: Mapped[str] = mapped_column(sa.String(16))
    registered: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)


class DashCounter(Base):
    """One number of a dashboard: (batch or 'all', province or 'all', metric) → value.
    Updated in the consuming transaction, so a read is one indexed range scan."""

    __tablename__ = "dash_counters"
    scope: Mapped[str] = mapped_column(sa.String(40), primary_key=True)  # batch id or "all"
    province_code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)  # or "000000"
    metric: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[float] = mapped_column(sa.Float(), default=0)
