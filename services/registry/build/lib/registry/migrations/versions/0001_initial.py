"""initial registry schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 01:48:01.484682
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from iims_common.migrations import create_event_tables_v1, drop_event_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("uscc", name=op.f("uq_agencies_uscc")),
    )
    op.create_index(op.f("ix_agencies_kind"), "agencies", ["kind"], unique=False)
    op.create_table(
        "batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pilot_quota", sa.Integer(), nullable=False),
        sa.Column("certification_target", sa.Integer(), nullable=False),
        sa.Column("plan_deadline", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("year", name=op.f("uq_batches_year")),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=3), nullable=False),
        sa.Column("size", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("uscc", name=op.f("uq_enterprises_uscc")),
    )
    op.create_index(
        op.f("ix_enterprises_industry_code"), "enterprises", ["industry_code"], unique=False
    )
    op.create_index(
        "ix_enterprises_province_id", "enterprises", ["province_code", "id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        # Substring search on Chinese names at 10^6 rows (pg_trgm is a trusted extension).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops)"
        )
    op.create_table(
        "recommending_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommending_units")),
        sa.UniqueConstraint("name", name=op.f("uq_recommending_units_name")),
    )
    op.create_table(
        "province_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("policy_support", sa.Text(), nullable=True),
        sa.Column("funding_wan_yuan", sa.Double(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_province_plans_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province_plans")),
        sa.UniqueConstraint(
            "batch_id", "province_code", name=op.f("uq_province_plans_batch_id_province_code")
        ),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("recommending_unit_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_recommendations_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_recommendations_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["recommending_unit_id"],
            ["recommending_units.id"],
            name=op.f("fk_recommendations_recommending_unit_id_recommending_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint(
            "batch_id", "enterprise_id", name=op.f("uq_recommendations_batch_id_enterprise_id")
        ),
    )
    op.create_index(
        op.f("ix_recommendations_enterprise_id"), "recommendations", ["enterprise_id"], unique=False
    )
    op.create_index(
        op.f("ix_recommendations_recommending_unit_id"),
        "recommendations",
        ["recommending_unit_id"],
        unique=False,
    )
    op.create_table(
        "pilots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("consultancy_id", sa.Uuid(), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certificate_no", sa.String(length=64), nullable=True),
        sa.Column("certified_on", sa.Date(), nullable=True),
        sa.Column("latest_assessment_id", sa.String(length=64), nullable=True),
        sa.Column("latest_assessment_period", sa.String(length=16), nullable=True),
        sa.Column("latest_score", sa.Double(), nullable=True),
        sa.Column("latest_stage", sa.String(length=32), nullable=True),
        sa.Column("latest_maturity_level", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_pilots_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["consultancy_id"], ["agencies.id"], name=op.f("fk_pilots_consultancy_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_pilots_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_pilots_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilots")),
        sa.UniqueConstraint(
            "batch_id", "enterprise_id", name=op.f("uq_pilots_batch_id_enterprise_id")
        ),
        sa.UniqueConstraint("recommendation_id", name=op.f("uq_pilots_recommendation_id")),
    )
    op.create_index(op.f("ix_pilots_consultancy_id"), "pilots", ["consultancy_id"], unique=False)
    op.create_index(op.f("ix_pilots_enterprise_id"), "pilots", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_pilots_province_code"), "pilots", ["province_code"], unique=False)
    op.create_table(
        "pilot_status_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pilot_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_pilot_status_changes_pilot_id_pilots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilot_status_changes")),
    )
    op.create_index(
        op.f("ix_pilot_status_changes_pilot_id"), "pilot_status_changes", ["pilot_id"], unique=False
    )
    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pilot_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_progress_reports_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["pilot_id"], ["pilots.id"], name=op.f("fk_progress_reports_pilot_id_pilots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
        sa.UniqueConstraint("pilot_id", "period", name=op.f("uq_progress_reports_pilot_id_period")),
    )
    op.create_index(
        op.f("ix_progress_reports_province_code"),
        "progress_reports",
        ["province_code"],
        unique=False,
    )
    create_event_tables_v1()


def downgrade() -> None:
    drop_event_tables_v1()
    op.drop_index(op.f("ix_progress_reports_province_code"), table_name="progress_reports")
    op.drop_table("progress_reports")
    op.drop_index(op.f("ix_pilot_status_changes_pilot_id"), table_name="pilot_status_changes")
    op.drop_table("pilot_status_changes")
    op.drop_index(op.f("ix_pilots_province_code"), table_name="pilots")
    op.drop_index(op.f("ix_pilots_enterprise_id"), table_name="pilots")
    op.drop_index(op.f("ix_pilots_consultancy_id"), table_name="pilots")
    op.drop_table("pilots")
    op.drop_index(op.f("ix_recommendations_recommending_unit_id"), table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_enterprise_id"), table_name="recommendations")
    op.drop_table("recommendations")
    op.drop_table("province_plans")
    op.drop_table("recommending_units")
    op.drop_index("ix_enterprises_province_id", table_name="enterprises")
    op.execute("DROP INDEX IF EXISTS ix_enterprises_name_trgm")
    op.drop_index(op.f("ix_enterprises_industry_code"), table_name="enterprises")
    op.drop_table("enterprises")
    op.drop_table("batches")
    op.drop_index(op.f("ix_agencies_kind"), table_name="agencies")
    op.drop_table("agencies")
