"""The programme's task tables as data: every row of 会议材料之二 and 之四 (read from a verbatim
excerpt of the seed) is in `registry.domain.work` with the same words, owner and window, and
the windows mean the right dates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from registry.domain import work

SEED = (Path(__file__).parent / "data" / "seed_task_tables.txt").read_text(encoding="utf-8")
CN = "一二三四五"


def _tables() -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str]]]:
    two, four = SEED.split("\n会议材料之四\n", 1)
    national: list[tuple[str, str, str, str]] = []
    section = ""
    for line in two.splitlines():
        if m := re.match(r"^([一二三四五])、(.*?)\t(.*?)\t(.*)$", line):
            if m.group(3):  # 五、搭建咨询与认定服务平台 is a row of its own
                national.append((f"之二 {m.group(1)}", m.group(2), m.group(3), m.group(4)))
            section = m.group(1)
        elif m := re.match(r"^(\d)\. (.*?)\t(.*?)\t(.*)$", line):
            national.append((f"之二 {section}.{m.group(1)}", m.group(2), m.group(3), m.group(4)))
    provincial: list[tuple[str, str, str]] = []
    for line in four.splitlines():
        if m := re.match(r"^([一二三四])、", line):
            section = m.group(1)
        elif m := re.match(r"^(\d)\. (.*?)\t(.*)$", line):
            provincial.append((f"之四 {section}.{m.group(1)}", m.group(2), m.group(3)))
        elif provincial and line.strip() and "\t" in line and not line.startswith("工作任务"):
            ref, title, window = provincial[-1]  # a row broken across the page
            provincial[-1] = (ref, title + line.split("\t")[0], window)
    return national, provincial


def test_seeded_rows_are_the_seeds_rows() -> None:
    national, provincial = _tables()
    assert len(national) == len(work.NATIONAL_TASKS) == 21
    assert len(provincial) == len(work.PROVINCIAL_TASKS) == 10
    assert [(t.ref, t.title, t.owner, t.window) for t in work.NATIONAL_TASKS] == national
    assert [(t.ref, t.title, t.window) for t in work.PROVINCIAL_TASKS] == provincial
    assert {t.owner for t in work.PROVINCIAL_TASKS} == {"各地工信主管部门"}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("3月下旬--4月上旬", (dt.date(2014, 3, 21), dt.date(2014, 4, 10))),
        ("4月中旬", (dt.date(2014, 4, 11), dt.date(2014, 4, 20))),
        ("4月下旬", (dt.date(2014, 4, 21), dt.date(2014, 4, 30))),
        ("5月底前", (None, dt.date(2014, 5, 31))),
        ("6月上旬", (dt.date(2014, 6, 1), dt.date(2014, 6, 10))),
        ("6月下旬", (dt.date(2014, 6, 21), dt.date(2014, 6, 30))),
        ("8月-9月", (dt.date(2014, 8, 1), dt.date(2014, 9, 30))),
        ("6-12 月", (dt.date(2014, 6, 1), dt.date(2014, 12, 31))),
        ("7 月和 10 月", (dt.date(2014, 7, 1), dt.date(2014, 10, 31))),
        ("9月底前", (None, dt.date(2014, 9, 30))),
        ("2月", (dt.date(2014, 2, 1), dt.date(2014, 2, 28))),
    ],
)
def test_windows(window: str, expected: tuple[dt.date | None, dt.date]) -> None:
    assert work.parse_window(2014, window) == expected


def test_every_seed_window_parses_and_bad_text_is_refused() -> None:
    for t in (*work.NATIONAL_TASKS, *work.PROVINCIAL_TASKS):
        start, due = work.parse_window(2014, t.window)
        assert start is None or start <= due
    with pytest.raises(ValueError):
        work.parse_window(2014, "年底")


def test_status_and_reporting_rules() -> None:
    due = dt.date(2014, 5, 31)
    assert work.task_status(None, due, None, dt.date(2014, 6, 1)) == "overdue"
    assert work.task_status(None, due, dt.date(2014, 5, 31), dt.date(2014, 6, 1)) == "done"
    assert work.task_status(None, due, dt.date(2014, 6, 2), dt.date(2014, 6, 3)) == "done_late"
    assert work.task_status(dt.date(2014, 4, 1), due, None, dt.date(2014, 3, 1)) == "upcoming"
    assert work.task_status(dt.date(2014, 4, 1), due, None, dt.date(2014, 4, 1)) == "in_progress"
    assert work.periods_of(2014, "6-12 月") == [f"2014-{m:02d}" for m in range(6, 13)]
    assert work.period_due("2014-12") == dt.date(2015, 1, 10)
    assert work.submission_status("2014-06", None, dt.date(2014, 7, 10)) == "not_due"
    assert work.submission_status("2014-06", None, dt.date(2014, 7, 11)) == "missing"
    assert work.submission_status("2014-06", dt.date(2014, 7, 11), dt.date(2014, 8, 1)) == (
        "received_late"
    )


def test_meetings_of_the_seed() -> None:
    kinds = [m.kind for m in work.MEETINGS_2014]
    assert kinds.count("site_meeting") == 2  # "组织召开2场现场会" (7月和10月)
    deployment = work.MEETINGS_2014[0]
    assert deployment.held_on == dt.date(2014, 3, 24)  # the 布置会 of these materials
    refs = {t.ref for t in work.NATIONAL_TASKS}
    assert all(m.task_ref in refs for m in work.MEETINGS_2014)
