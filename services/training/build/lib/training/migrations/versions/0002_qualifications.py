"""qualifications, enterprises, invitations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:07:09.184976
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "enterprises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("industry_code", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pilot_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_invitations_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("pilot_id", name=op.f("uq_invitations_pilot_id")),
    )
    op.create_index(
        op.f("ix_invitations_enterprise_id"), "invitations", ["enterprise_id"], unique=False
    )
    op.create_index(
        op.f("ix_invitations_province_code"), "invitations", ["province_code"], unique=False
    )
    op.create_table(
        "qualifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_qualifications_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_qualifications_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
        sa.UniqueConstraint("number", name=op.f("uq_qualifications_number")),
    )
    op.create_index(
        op.f("ix_qualifications_organization_id"),
        "qualifications",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_qualifications_person_id"), "qualifications", ["person_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index(op.f("ix_qualifications_person_id"), table_name="qualifications")
    op.drop_index(op.f("ix_qualifications_organization_id"), table_name="qualifications")
    op.drop_table("qualifications")
    op.drop_index(op.f("ix_invitations_province_code"), table_name="invitations")
    op.drop_index(op.f("ix_invitations_enterprise_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("enterprises")
