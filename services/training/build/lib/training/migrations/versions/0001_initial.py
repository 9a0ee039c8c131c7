"""initial training schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 02:59:57.759766
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
        "people",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("organization_kind", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("id_number_cipher", sa.Text(), nullable=False),
        sa.Column("id_number_index", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=False),
        sa.Column("phone_cipher", sa.Text(), nullable=True),
        sa.Column("phone_masked", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("id_number_index", name=op.f("uq_people_id_number_index")),
    )
    op.create_index(op.f("ix_people_organization_id"), "people", ["organization_id"], unique=False)
    op.create_index(op.f("ix_people_province_code"), "people", ["province_code"], unique=False)
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_code", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("lecturers", sa.String(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(
        op.f("ix_sessions_programme_code"), "sessions", ["programme_code"], unique=False
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("exam_attempts", sa.Integer(), nullable=False),
        sa.Column("exam_score", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_enrollments_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_enrollments_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint(
            "session_id", "person_id", name=op.f("uq_enrollments_session_id_person_id")
        ),
    )
    op.create_index(
        op.f("ix_enrollments_organization_id"), "enrollments", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_enrollments_person_id"), "enrollments", ["person_id"], unique=False)
    op.create_index(
        op.f("ix_enrollments_province_code"), "enrollments", ["province_code"], unique=False
    )
    op.create_index(op.f("ix_enrollments_session_id"), "enrollments", ["session_id"], unique=False)
    op.create_table(
        "attendance",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("module_no", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_attendance_enrollment_id_enrollments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint(
            "enrollment_id", "module_no", name=op.f("uq_attendance_enrollment_id_module_no")
        ),
    )
    create_event_tables_v1()


def downgrade() -> None:

    drop_event_tables_v1()
    op.drop_table("attendance")
    op.drop_index(op.f("ix_enrollments_session_id"), table_name="enrollments")
    op.drop_index(op.f("ix_enrollments_province_code"), table_name="enrollments")
    op.drop_index(op.f("ix_enrollments_person_id"), table_name="enrollments")
    op.drop_index(op.f("ix_enrollments_organization_id"), table_name="enrollments")
    op.drop_table("enrollments")
    op.drop_index(op.f("ix_sessions_programme_code"), table_name="sessions")
    op.drop_table("sessions")
    op.drop_index(op.f("ix_people_province_code"), table_name="people")
    op.drop_index(op.f("ix_people_organization_id"), table_name="people")
    op.drop_table("people")
