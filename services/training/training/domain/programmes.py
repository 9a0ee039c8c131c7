"""The training plan of the seed (会议材料之三 两化融合管理体系贯标培训计划), as data.

Windows are the 2014 weeks the plan names (6月第1周 = the week of 2014-06-02). The
certification-auditor programme (培训认定专业人员, October, by the 认定管理组织 — 会议材料之一/二)
has no module list in the seed: its modules and hours below are the platform's own.
Pass marks are the platform's own too (the seed says 统一组织考核 without a mark).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from training.domain.enums import QualificationKind

D = Decimal


@dataclass(frozen=True)
class Module:
    no: int
    title: str
    hours: Decimal


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    audience: str
    window_start: dt.date
    window_end: dt.date
    window_label: str
    location: str
    lecturers: str
    modules: tuple[Module, ...]
    pass_mark: int
    session_days: int | None  # fixed length of a session, when the plan gives one
    confers: QualificationKind | None
    source: str

    @property
    def total_hours(self) -> Decimal:
        return sum((m.hours for m in self.modules), D(0))

    def module(self, no: int) -> Module | None:
        return next((m for m in self.modules if m.no == no), None)


def to_record(p: Programme) -> dict[str, object]:
    """The programme as a `programmes` row (modules as JSON with decimal hours as text)."""
    return {
        "code": p.code,
        "name": p.name,
        "audience": p.audience,
        "window_start": p.window_start,
        "window_end": p.window_end,
        "window_label": p.window_label,
        "location": p.location,
        "lecturers": p.lecturers,
        "modules": [{"no": m.no, "title": m.title, "hours": str(m.hours)} for m in p.modules],
        "pass_mark": p.pass_mark,
        "session_days": p.session_days,
        "confers": p.confers.value if p.confers else None,
        "source": p.source,
    }


def from_record(row: object) -> Programme:
    get = row.__getattribute__
    confers = get("confers")
    return Programme(
        code=get("code"),
        name=get("name"),
        audience=get("audience"),
        window_start=get("window_start"),
        window_end=get("window_end"),
        window_label=get("window_label"),
        location=get("location"),
        lecturers=get("lecturers"),
        modules=tuple(Module(int(m["no"]), m["title"], D(str(m["hours"]))) for m in get("modules")),
        pass_mark=get("pass_mark"),
        session_days=get("session_days"),
        confers=QualificationKind(confers) if confers else None,
        source=get("source"),
    )


def _modules(*items: tuple[str, str]) -> tuple[Module, ...]:
    return tuple(Module(i, title, D(hours)) for i, (title, hours) in enumerate(items, start=1))


PROGRAMMES: dict[str, Programme] = {
    p.code: p
    for p in [
        Programme(
            code="agency-professionals",
            name="贯标服务机构专业人员培训",
            audience="贯标服务机构专业人员",
            window_start=dt.date(2014, 6, 2),
            window_end=dt.date(2014, 6, 13),
            window_label="6月第1周至第2周",
            location="北京",
            lecturers="联合工作组、专家指导委员会",
            modules=_modules(
                ("两化融合的基本知识", "2"),
                (
                    "两化融合管理体系工作的重要依据、整体工作安排、近期工作重点，以及贯标服务的工作要求等",
                    "2",
                ),
                ("两化融合管理体系的构建思路、管理原则、基本框架", "4"),
                ("两化融合管理体系的内容详解", "24"),
                ("贯标基本流程", "2"),
                ("贯标过程中的主要阶段和关键活动", "2"),
                ("贯标文件体系构成与要求", "2"),
                ("咨询机构的服务流程和主要方法", "2"),
            ),
            pass_mark=70,
            session_days=None,
            confers=QualificationKind.consultant,
            source="会议材料之三 一",
        ),
        Programme(
            code="officials",
            name="部内相关司局、各地工信主管部门、行业协会工作负责人培训",
            audience="部内相关司局、各地工信主管部门、行业协会工作负责人",
            window_start=dt.date(2014, 6, 1),
            window_end=dt.date(2014, 6, 30),
            window_label="6月（1天）",
            location="北京",
            lecturers="信息化推进司、科技司、联合工作组、专家指导委员会",
            modules=_modules(
                ("两化融合的基本介绍", "0.5"),
                ("两化融合管理体系工作的重要依据、工作安排和要求等", "1"),
                ("两化融合管理体系的必要性和重要价值", "0.5"),
                ("两化融合管理体系的基本框架和主要内容", "4"),
                ("贯标基本流程", "1"),
                ("认定审核基本流程", "1"),
            ),
            pass_mark=60,
            session_days=1,
            confers=None,
            source="会议材料之三 二",
        ),
        Programme(
            code="enterprise-phase-1",
            name="试点企业贯标负责人和实施人员培训（第一期）",
            audience="试点企业贯标负责人和实施人员",
            window_start=dt.date(2014, 6, 16),
            window_end=dt.date(2014, 6, 27),
            window_label="6月第3周至第4周",
            location="北京",
            lecturers="联合工作组、专家指导委员会",
            modules=_modules(
                ("两化融合的基本知识", "1.5"),
                ("两化融合管理体系工作的重要依据、工作安排，以及贯标工作要求等", "0.5"),
                ("两化融合管理体系的构建思路、管理原则、基本框架", "2"),
                ("两化融合管理体系的内容讲解", "8"),
                ("贯标基本流程", "1"),
                ("贯标过程中的主要阶段和关键活动", "1.5"),
                ("贯标文件体系构成与要求", "1.5"),
            ),
            pass_mark=60,
            session_days=None,
            confers=None,
            source="会议材料之三 三",
        ),
        Programme(
            code="enterprise-phase-2",
            name="部分试点企业贯标负责人和实施人员培训（第二期）",
            audience="部分试点企业贯标负责人和实施人员",
            window_start=dt.date(2014, 8, 25),
            window_end=dt.date(2014, 9, 19),
            window_label="8月第4周至9月第3周",
            location="北京",
            lecturers="联合工作组、专家指导委员会",
            modules=_modules(
                ("两化融合管理体系的内容详解", "8"),
                ("贯标过程中关键活动详解", "4"),
                ("认定审核的流程和方法", "2"),
                ("案例", "2"),
                ("交流互动", "8"),
            ),
            pass_mark=60,
            session_days=None,
            confers=None,
            source="会议材料之三 四",
        ),
        Programme(
            code="certification-auditors",
            name="认定专业人员培训",
            audience="认定服务机构人员",
            window_start=dt.date(2014, 10, 1),
            window_end=dt.date(2014, 10, 31),
            window_label="10月",
            location="北京",
            lecturers="认定管理组织",
            modules=_modules(
                ("两化融合管理体系要求详解", "8"),
                ("认定审核的流程和方法", "8"),
                ("审核策划、现场审核与不符合项", "4"),
                ("公正性与审核员职业规范", "2"),
                ("案例与模拟审核", "2"),
            ),
            pass_mark=70,
            session_days=None,
            confers=QualificationKind.auditor,
            source="会议材料之一/二 三是培训认定专业人员 (modules: platform's own)",
        ),
    ]
}


# Whose rule each part of a programme is: `seed` (会议材料之三, or 之一/之二 for the auditor
# programme), `platform` (our choice where the seed is silent) or `administrator` (a programme
# defined through the API). Served as `basis` so no client takes our choices for the seed's.
SEED_PLAN = ("agency-professionals", "officials", "enterprise-phase-1", "enterprise-phase-2")
_FIELDS = ("window", "modules", "hours", "location", "lecturers", "pass_mark", "confers")


def basis_of(code: str) -> dict[str, str]:
    """Per part of the programme (window, modules, hours, location, lecturers, pass_mark,
    confers), whose rule it is."""
    if code in SEED_PLAN:
        basis = dict.fromkeys(_FIELDS, "seed")
        basis["pass_mark"] = "platform"  # the seed: "统一组织考核", no mark
        if code != "agency-professionals":
            basis["confers"] = "platform"  # only 服务机构专业人员 get 咨询资质 in the seed
        return basis
    if code == "certification-auditors":
        # 会议材料之一/二: "10月，认定管理组织对认定服务机构人员开展专业培训…授予认定资质证书".
        basis = dict.fromkeys(_FIELDS, "platform")
        basis.update(window="seed", lecturers="seed", confers="seed")
        return basis
    return dict.fromkeys(_FIELDS, "administrator")
