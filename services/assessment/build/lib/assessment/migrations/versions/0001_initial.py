"""initial assessment schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 03:40:22.148446
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from assessment.domain.framework import to_document
from assessment.domain.seed import SEEDED
from iims_common.migrations import create_event_tables_v1, drop_event_tables_v1
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=3), nullable=False),
        sa.Column("consultancy_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
    )
    op.create_index(
        op.f("ix_enterprises_consultancy_id"), "enterprises", ["consultancy_id"], unique=False
    )
    op.create_table(
        "frameworks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry_type", sa.String(length=40), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_frameworks_code_version")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=3), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("framework_code", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "conformity",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("total_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column(
            "dimension_scores",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("management_level", sa.String(length=20), nullable=True),
        sa.Column(
            "diagnosis",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_assessments_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["frameworks.id"], name=op.f("fk_assessments_framework_id_frameworks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "enterprise_id",
            "framework_code",
            "period",
            name=op.f("uq_assessments_enterprise_id_framework_code_period"),
        ),
    )
    op.create_index(
        op.f("ix_assessments_enterprise_id"), "assessments", ["enterprise_id"], unique=False
    )
    op.create_index(
        op.f("ix_assessments_province_code"), "assessments", ["province_code"], unique=False
    )
    create_event_tables_v1()
    # The seeded frameworks (a snapshot of assessment.domain.seed), published.
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        sa.table(
            "frameworks",
            sa.column("id", sa.Uuid()),
            sa.column("code"),
            sa.column("version"),
            sa.column("name"),
            sa.column("industry_type"),
            sa.column("document", sa.JSON()),
            sa.column("status"),
            sa.column("published_at", sa.DateTime(timezone=True)),
            sa.column("created_at", sa.DateTime(timezone=True)),
        ),
        [
            {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"iims:framework:{fw.code}:{fw.version}"),
                "code": fw.code,
                "version": fw.version,
                "name": fw.name,
                "industry_type": fw.industry_type,
                "document": to_document(fw),
                "status": "published",
                "published_at": now,
                "created_at": now,
            }
            for fw in SEEDED
        ],
    )


def downgrade() -> None:
    drop_event_tables_v1()
    op.drop_index(op.f("ix_assessments_province_code"), table_name="assessments")
    op.drop_index(op.f("ix_assessments_enterprise_id"), table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("frameworks")
    op.drop_index(op.f("ix_enterprises_consultancy_id"), table_name="enterprises")
    op.drop_table("enterprises")
