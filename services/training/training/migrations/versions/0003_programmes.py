"""programmes

Revision ID: 0003
Revises: 0002

Creates the programmes table and loads the seed's plan: a fixed snapshot (written out below,
not imported), so what this migration seeds never changes when the code does. Later changes
to the seeded programmes are new migrations.
Create Date: 2026-11-28 03:13:12.130193
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each seeded programme as the programmes module recorded it at this revision (to_record()).
PROGRAMMES_SNAPSHOT: list[dict[str, object]] = [
    {
        "code": "agency-professionals",
        "name": "贯标服务机构专业人员培训",
        "audience": "贯标服务机构专业人员",
        "window_start": dt.date(2014, 6, 2),
        "window_end": dt.date(2014, 6, 13),
        "window_label": "6月第1周至第2周",
        "location": "北京",
        "lecturers": "联合工作组、专家指导委员会",
        "modules": [
            {"no": 1, "title": "两化融合的基本知识", "hours": "2"},
            {
                "no": 2,
                "title": "两化融合管理体系工作的重要依据、整体工作安排、近期工作重点，以及贯标服务的工作要求等",
                "hours": "2",
            },
            {"no": 3, "title": "两化融合管理体系的构建思路、管理原则、基本框架", "hours": "4"},
            {"no": 4, "title": "两化融合管理体系的内容详解", "hours": "24"},
            {"no": 5, "title": "贯标基本流程", "hours": "2"},
            {"no": 6, "title": "贯标过程中的主要阶段和关键活动", "hours": "2"},
            {"no": 7, "title": "贯标文件体系构成与要求", "hours": "2"},
            {"no": 8, "title": "咨询机构的服务流程和主要方法", "hours": "2"},
        ],
        "pass_mark": 70,
        "session_days": None,
        "confers": "consultant",
        "source": "会议材料之三 一",
    },
    {
        "code": "officials",
        "name": "部内相关司局、各地工信主管部门、行业协会工作负责人培训",
        "audience": "部内相关司局、各地工信主管部门、行业协会工作负责人",
        "window_start": dt.date(2014, 6, 1),
        "window_end": dt.date(2014, 6, 30),
        "window_label": "6月（1天）",
        "location": "北京",
        "lecturers": "信息化推进司、科技司、联合工作组、专家指导委员会",
        "modules": [
            {"no": 1, "title": "两化融合的基本介绍", "hours": "0.5"},
            {"no": 2, "title": "两化融合管理体系工作的重要依据、工作安排和要求等", "hours": "1"},
            {"no": 3, "title": "两化融合管理体系的必要性和重要价值", "hours": "0.5"},
            {"no": 4, "title": "两化融合管理体系的基本框架和主要内容", "hours": "4"},
            {"no": 5, "title": "贯标基本流程", "hours": "1"},
            {"no": 6, "title": "认定审核基本流程", "hours": "1"},
        ],
        "pass_mark": 60,
        "session_days": 1,
        "confers": None,
        "source": "会议材料之三 二",
    },
    {
        "code": "enterprise-phase-1",
        "name": "试点企业贯标负责人和实施人员培训（第一期）",
        "audience": "试点企业贯标负责人和实施人员",
        "window_start": dt.date(2014, 6, 16),
        "window_end": dt.date(2014, 6, 27),
        "window_label": "6月第3周至第4周",
        "location": "北京",
        "lecturers": "联合工作组、专家指导委员会",
        "modules": [
            {"no": 1, "title": "两化融合的基本知识", "hours": "1.5"},
            {
                "no": 2,
                "title": "两化融合管理体系工作的重要依据、工作安排，以及贯标工作要求等",
                "hours": "0.5",
            },
            {"no": 3, "title": "两化融合管理体系的构建思路、管理原则、基本框架", "hours": "2"},
            {"no": 4, "title": "两化融合管理体系的内容讲解", "hours": "8"},
            {"no": 5, "title": "贯标基本流程", "hours": "1"},
            {"no": 6, "title": "贯标过程中的主要阶段和关键活动", "hours": "1.5"},
            {"no": 7, "title": "贯标文件体系构成与要求", "hours": "1.5"},
        ],
        "pass_mark": 60,
        "session_days": None,
        "confers": None,
        "source": "会议材料之三 三",
    },
    {
        "code": "enterprise-phase-2",
        "name": "部分试点企业贯标负责人和实施人员培训（第二期）",
        "audience": "部分试点企业贯标负责人和实施人员",
        "window_start": dt.date(2014, 8, 25),
        "window_end": dt.date(2014, 9, 19),
        "window_label": "8月第4周至9月第3周",
        "location": "北京",
        "lecturers": "联合工作组、专家指导委员会",
        "modules": [
            {"no": 1, "title": "两化融合管理体系的内容详解", "hours": "8"},
            {"no": 2, "title": "贯标过程中关键活动详解", "hours": "4"},
            {"no": 3, "title": "认定审核的流程和方法", "hours": "2"},
            {"no": 4, "title": "案例", "hours": "2"},
            {"no": 5, "title": "交流互动", "hours": "8"},
        ],
        "pass_mark": 60,
        "session_days": None,
        "confers": None,
        "source": "会议材料之三 四",
    },
    {
        "code": "certification-auditors",
        "name": "认定专业人员培训",
        "audience": "认定服务机构人员",
        "window_start": dt.date(2014, 10, 1),
        "window_end": dt.date(2014, 10, 31),
        "window_label": "10月",
        "location": "北京",
        "lecturers": "认定管理组织",
        "modules": [
            {"no": 1, "title": "两化融合管理体系要求详解", "hours": "8"},
            {"no": 2, "title": "认定审核的流程和方法", "hours": "8"},
            {"no": 3, "title": "审核策划、现场审核与不符合项", "hours": "4"},
            {"no": 4, "title": "公正性与审核员职业规范", "hours": "2"},
            {"no": 5, "title": "案例与模拟审核", "hours": "2"},
        ],
        "pass_mark": 70,
        "session_days": None,
        "confers": "auditor",
        "source": "会议材料之一/二 三是培训认定专业人员 (modules: platform's own)",
    },
]


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.String(length=300), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("window_label", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("lecturers", sa.String(length=500), nullable=False),
        sa.Column(
            "modules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("session_days", sa.Integer(), nullable=True),
        sa.Column("confers", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programmes")),
    )
    # The seed's training plan (会议材料之三) plus the auditor programme, as first data.
    op.bulk_insert(
        sa.table(
            "programmes",
            *[
                sa.column(c)
                for c in (
                    "code",
                    "name",
                    "audience",
                    "window_label",
                    "location",
                    "lecturers",
                    "pass_mark",
                    "session_days",
                    "confers",
                    "source",
                )
            ],
            sa.column("window_start", sa.Date()),
            sa.column("window_end", sa.Date()),
            sa.column("modules", sa.JSON()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        ),
        [{**p, "created_at": dt.datetime.now(dt.UTC)} for p in PROGRAMMES_SNAPSHOT],
    )
    with op.batch_alter_table("sessions") as batch:
        batch.create_foreign_key(
            op.f("fk_sessions_programme_code_programmes"),
            "programmes",
            ["programme_code"],
            ["code"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(op.f("fk_sessions_programme_code_programmes"), type_="foreignkey")
    op.drop_table("programmes")
