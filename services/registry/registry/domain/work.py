"""The programme's own work (工作任务、会议、通知、资料、经费、机构名单): the seed's task tables
and meetings as data, and the rules that compute what is late.

Source: 会议材料之二 (2014 年两化融合管理体系工作任务分工及进度安排: national tasks, each with a
责任单位 and a time window) and 会议材料之四 (各地工信主管部门工作任务分工: what every provincial
department must do, and when), 会议材料之一 (meetings, funds, agency lists). The rows below are
the seed's words; the dates are what the seed's Chinese windows mean (上旬 = days 1–10,
中旬 = 11–20, 下旬 = 21 to month end, "5月底前" = due 31 May with no start).
Where a rule is the platform's own choice (not the seed's), its `basis` says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from iims_common.errors import RuleViolation, StateConflict
from iims_common.i18n import _

SEED = "seed"  # the rule or fact is the seed's (会议材料之一…之四)
PLATFORM = "platform"  # the platform's own choice where the seed is silent


@dataclass(frozen=True)
class SeedTask:
    """One row of a seed task table: its reference (之二 一.1), section heading, the task as
    worded, the 责任单位 (之四 rows: every provincial department) and the time window."""

    ref: str
    section: str
    title: str
    owner: str
    window: str


_S2 = "之二"
# 会议材料之二 — 2014 年两化融合管理体系工作任务分工及进度安排 (21 rows).
NATIONAL_TASKS: tuple[SeedTask, ...] = (
    SeedTask(f"{_S2} 一.1", "一、开展管理体系宣传推广", "召开两化融合管理体系工作部署会", "信息化司、科技司", "3月下旬--4月上旬"),
    SeedTask(f"{_S2} 一.2", "一、开展管理体系宣传推广", "召开两化融合管理体系企业宣贯大会", "中企联等", "4月中旬"),
    SeedTask(f"{_S2} 一.3", "一、开展管理体系宣传推广", "召开两化融合管理体系服务机构交流会", "电子一所等", "4月下旬"),
    SeedTask(f"{_S2} 一.4", "一、开展管理体系宣传推广", "分地区、分行业开展宣传推广活动", "地方工信主管部门、行业协会、相关司局", "4月-12月"),
    SeedTask(f"{_S2} 二.1", "二、集中开展管理体系贯标培训", "编写培训讲义", "信息化司、科技司、联合工作组", "5月底前"),
    SeedTask(f"{_S2} 二.2", "二、集中开展管理体系贯标培训", "面向政府、行业协会工作负责人开展专题培训", "信息化司、科技司、联合工作组", "6月"),
    SeedTask(f"{_S2} 二.3", "二、集中开展管理体系贯标培训", "面向贯标服务机构专业人员开展专题培训", "信息化司、科技司、联合工作组", "6月上旬"),
    SeedTask(f"{_S2} 二.4", "二、集中开展管理体系贯标培训", "面向试点企业贯标负责人和实施人员开展专题培训（第一期）", "信息化司、科技司、联合工作组", "6月下旬"),
    SeedTask(f"{_S2} 二.5", "二、集中开展管理体系贯标培训", "选择拟首批认定的贯标企业负责人和实施人员开展专题培训（第二期）", "信息化司、科技司、联合工作组", "8月-9月"),
    SeedTask(f"{_S2} 三.1", "三、试点企业开展管理体系贯标", "制定本领域贯标工作落实方案，明确相应的政策和资金支持", "相关司局", "4月-5月"),
    SeedTask(f"{_S2} 三.2", "三、试点企业开展管理体系贯标", "制定本区域贯标工作落实方案，明确相应的政策和资金支持", "各地工信主管部门", "4月-5月"),
    SeedTask(f"{_S2} 三.3", "三、试点企业开展管理体系贯标", "试点企业开展贯标", "试点企业、服务机构", "4月-12月"),
    SeedTask(f"{_S2} 三.4", "三、试点企业开展管理体系贯标", "相关司局和各地工信主管部门监督管理贯标工作", "相关司局、各地工信主管部门", "4月-12月"),
    SeedTask(f"{_S2} 三.5", "三、试点企业开展管理体系贯标", "开展贯标经验交流和推广", "相关司局、各地工信主管部门、行业协会", "6月-12月"),
    SeedTask(f"{_S2} 三.6", "三、试点企业开展管理体系贯标", "组织召开2场现场会", "信息化司、科技司、联合工作组、试点企业", "7月和10月"),
    SeedTask(f"{_S2} 四.1", "四、开展管理体系认定试点", "成立认定管理组织", "信息化司、科技司、联合工作组", "7月"),
    SeedTask(f"{_S2} 四.2", "四、开展管理体系认定试点", "制定认定管理办法", "认定管理组织", "7月"),
    SeedTask(f"{_S2} 四.3", "四、开展管理体系认定试点", "遴选认定服务机构", "认定管理组织、专家委员会", "8月"),
    SeedTask(f"{_S2} 四.4", "四、开展管理体系认定试点", "培训认定专业人员", "认定管理组织", "10月"),
    SeedTask(f"{_S2} 四.5", "四、开展管理体系认定试点", "在部分企业开展认定试点", "认定服务机构、认定管理组织", "11月-12月"),
    SeedTask(f"{_S2} 五", "五、搭建咨询与认定服务平台", "搭建咨询与认定服务平台", "电子一所", "9月底前"),
)  # fmt: skip

_S4 = "之四"
_PROVINCE = "各地工信主管部门"
# 会议材料之四 — 两化融合管理体系各地工信主管部门工作任务分工 (10 rows, for every province).
PROVINCIAL_TASKS: tuple[SeedTask, ...] = (
    SeedTask(f"{_S4} 一.1", "一、制定本区域贯标工作落实方案", "按照国家两化融合管理体系的工作计划，制定本区域贯标工作落实方案，明确相应的政策和资金支持，并报送工信部", _PROVINCE, "5月底前"),
    SeedTask(f"{_S4} 二.1", "二、开展管理体系宣传推广", "按照工信部的宣传推广计划，组织本地区相关企业和服务机构，参加全国性的宣传推广活动", _PROVINCE, "4月"),
    SeedTask(f"{_S4} 二.2", "二、开展管理体系宣传推广", "主要面向本地区试点企业，围绕两化融合管理体系的必要性和重要价值、管理原则和主要内容、工作计划和工作重点等，召开座谈会、宣传推广会议等，学习研讨有关材料，交流企业已有先进经验和典型做法，并通过各种媒体和渠道加强舆论宣传。", _PROVINCE, "4-5月"),
    SeedTask(f"{_S4} 三.1", "三、指导和支持试点企业开展管理体系贯标", "按照工信部的贯标培训计划，组织本地区工信主管部门、试点企业和服务机构等相关人员，参加全国统一的贯标培训", _PROVINCE, "6-9月"),
    SeedTask(f"{_S4} 三.2", "三、指导和支持试点企业开展管理体系贯标", "结合本地区试点企业贯标过程的需求，重点围绕标准解读和贯标实施，面向本地区试点企业和服务机构组织召开系列贯标培训会、研讨会、现场会等推广活动", _PROVINCE, "6-9月"),
    SeedTask(f"{_S4} 三.3", "三、指导和支持试点企业开展管理体系贯标", "组织本地区工信主管部门、试点企业和服务机构等相关人员，参加全国统一组织的贯标现场会", _PROVINCE, "7 月和 10 月"),
    SeedTask(f"{_S4} 三.4", "三、指导和支持试点企业开展管理体系贯标", "对本地区试点企业贯标工作进行全程监督和管理，定期收集和汇总贯标进展情况并报送工信部", _PROVINCE, "6-12 月"),
    SeedTask(f"{_S4} 四.1", "四、开展管理体系认定试点", "配合工信部开展本地区认定服务机构推荐工作", _PROVINCE, "8 月"),
    SeedTask(f"{_S4} 四.2", "四、开展管理体系认定试点", "围绕试点企业认定审核工作，面向本地区试点企业和认定服务机构，开展认定审核培训、交流推广等活动", _PROVINCE, "10-12 月"),
    SeedTask(f"{_S4} 四.3", "四、开展管理体系认定试点", "配合认定管理组织，组织本地区贯标工作开展顺利、成效显著的试点企业，积极开展认定工作", _PROVINCE, "11-12 月"),
)  # fmt: skip

# The one 之四 row the seed asks to be done "定期" (periodically): 报送 per period.
PERIODIC_REF = f"{_S4} 三.4"
# The national rows that other rules depend on.
MANAGEMENT_ORG_REF = f"{_S2} 四.1"  # 成立认定管理组织 (7月)
# The 之二 三.1 row (相关司局 本领域落实方案) is also instantiated per department, and the 之四
# 一.1 row per separately-planned city (计划单列市 本市落实方案) — both named in the seed only
# as owners ("相关司局", "各地工信主管部门"); the per-unit split is the platform's.
DOMAIN_PLAN_REF = f"{_S2} 三.1"
CITY_PLAN_REF = f"{_S4} 一.1"

# 报送 of a period (YYYY-MM) is due on this day of the following month. The seed says only
# "定期收集和汇总贯标进展情况并报送工信部" (6–12 月): the monthly period and the 10th are ours.
REPORT_DUE_DAY = 10
REPORT_RULE_BASIS = PLATFORM


@dataclass(frozen=True)
class SeedMeeting:
    """A meeting the seed schedules (会议材料之一/之二): kind, title, organizer, window."""

    kind: str
    title: str
    organizer: str
    window: str
    task_ref: str | None
    held_on: dt.date | None = None
    location: str | None = None


MEETINGS_2014: tuple[SeedMeeting, ...] = (
    # The meeting these materials were for: 两化融合管理体系工作布置会, 2014-03-24, 北京.
    SeedMeeting("deployment", "两化融合管理体系工作部署会", "信息化司、科技司", "3月下旬--4月上旬", f"{_S2} 一.1", dt.date(2014, 3, 24), "北京"),
    SeedMeeting("enterprise_publicity", "两化融合管理体系企业宣贯大会", "中企联等", "4月中旬", f"{_S2} 一.2"),
    SeedMeeting("agency_exchange", "两化融合管理体系服务机构交流会", "电子一所等", "4月下旬", f"{_S2} 一.3"),
    SeedMeeting("site_meeting", "两化融合管理体系贯标现场会（第一场）", "信息化司、科技司、联合工作组、试点企业", "7月", f"{_S2} 三.6"),
    SeedMeeting("site_meeting", "两化融合管理体系贯标现场会（第二场）", "信息化司、科技司、联合工作组、试点企业", "10月", f"{_S2} 三.6"),
)  # fmt: skip

_MONTH = r"([0-9]{1,2})\s*月"
_PART = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _point(year: int, text: str, *, start: bool) -> dt.date:
    m = re.fullmatch(_MONTH + r"(上旬|中旬|下旬)?", text.strip(), flags=re.ASCII)
    if not m:
        raise ValueError(f"not a month expression: {text!r}")
    month = int(m.group(1))
    part = m.group(2)
    first, last = _PART[part] if part else (1, 31)
    day = first if start else min(last, _month_end(year, month))
    return dt.date(year, month, day)


def parse_window(year: int, window: str) -> tuple[dt.date | None, dt.date]:
    """The seed's Chinese time window as (starts_on, due_on) of `year`.

    "3月下旬--4月上旬" → (03-21, 04-10); "4月中旬" → (04-11, 04-20); "5月底前" → (None, 05-31);
    "6-12 月" → (06-01, 12-31); "7月和10月" → (07-01, 10-31) (two occasions, one window).
    Raises ValueError for text that is none of these.
    """
    text = window.replace(" ", "")
    if text.endswith("底前"):
        month = int(text.removesuffix("底前").removesuffix("月"))
        return None, dt.date(year, month, _month_end(year, month))
    for sep in ("--", "-", "和"):
        if sep in text:
            left, right = text.split(sep, 1)
            if not left.endswith(("月", "旬")):
                left += "月"
            return _point(year, left, start=True), _point(year, right, start=False)
    return _point(year, text, start=True), _point(year, text, start=False)


def periods_of(year: int, window: str) -> list[str]:
    """The monthly 报送 periods (YYYY-MM) a periodic task's window covers."""
    start, due = parse_window(year, window)
    first = start or dt.date(year, 1, 1)
    return [f"{year}-{m:02d}" for m in range(first.month, due.month + 1)]


def period_due(period: str) -> dt.date:
    """The 报送 of period YYYY-MM is due on the 10th of the next month (platform rule)."""
    year, month = (int(p) for p in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, REPORT_DUE_DAY)


def task_status(
    starts_on: dt.date | None, due_on: dt.date, completed_on: dt.date | None, today: dt.date
) -> str:
    """`done` (by the due date), `done_late`, `overdue` (not done after the due date),
    `upcoming` (window not open yet) or `in_progress`. Computed, never stored."""
    if completed_on is not None:
        return "done" if completed_on <= due_on else "done_late"
    if today > due_on:
        return "overdue"
    if starts_on is not None and today < starts_on:
        return "upcoming"
    return "in_progress"


def submission_status(period: str, submitted_on: dt.date | None, today: dt.date) -> str:
    """A province's 报送 for a period: `received`, `received_late`, `missing` (due date passed,
    nothing received) or `not_due`."""
    due = period_due(period)
    if submitted_on is not None:
        return "received" if submitted_on <= due else "received_late"
    return "missing" if today > due else "not_due"


# --- meetings ------------------------------------------------------------------------------

MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"scheduled", "held", "cancelled"}),
    "scheduled": frozenset({"held", "cancelled", "scheduled"}),
    "held": frozenset(),
    "cancelled": frozenset(),
}


def check_meeting_transition(current: str, target: str) -> None:
    if target != current and target not in MEETING_TRANSITIONS[current]:
        raise StateConflict(
            "meeting.transition",
            _("A meeting cannot go from '{current}' to '{target}'", current=current, target=target),
            current_status=current,
        )


def check_registration_open(
    status: str, registered: int, wanted: int, capacity: int | None
) -> None:
    """Registration is open until the meeting is held or cancelled, and within capacity
    (people: `registered` already + `wanted` now ≤ `capacity`)."""
    if status in ("held", "cancelled"):
        raise StateConflict(
            "meeting.registration-closed", _("The meeting is {status}", status=status)
        )
    if capacity is not None and registered + wanted > capacity:
        raise RuleViolation(
            "meeting.capacity",
            _(
                "The meeting is full ({registered} of {capacity} places taken)",
                registered=registered,
                capacity=capacity,
            ),
            capacity=capacity,
        )


def check_attendance_after_held(status: str) -> None:
    if status != "held":
        raise StateConflict(
            "meeting.attendance-before-held",
            _("Attendance is recorded once the meeting is held (status 'held')"),
        )


# --- funds ---------------------------------------------------------------------------------


def check_within(total: int, already: int, amount: int, rule: str, what: str) -> None:
    """`already + amount` must not exceed `total` (amounts in yuan, 元)."""
    if already + amount > total:
        raise RuleViolation(
            rule,
            _(
                "{what}: {amount} 元 would exceed the {total} 元 available ({already} 元 used)",
                what=what,
                amount=amount,
                total=total,
                already=already,
            ),
            available_yuan=total - already,
        )


# --- agency lists --------------------------------------------------------------------------

LIST_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"approved"}),
    "approved": frozenset({"published", "draft"}),
    "published": frozenset(),
}


def check_list_transition(current: str, target: str) -> None:
    if target not in LIST_TRANSITIONS[current]:
        raise StateConflict(
            "agency-list.transition",
            _(
                "A list cannot go from '{current}' to '{target}' (审定 before 公示)",
                current=current,
                target=target,
            ),
            current_status=current,
        )
