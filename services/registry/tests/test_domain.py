"""Domain rules as plain code: USCC, reference codes, pilot lifecycle, quota, plan lateness."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from iims_common.errors import RuleViolation, StateConflict
from iims_common.i18n import text
from iims_common.industries import INDUSTRY_PATTERN
from registry.domain.enums import AgencyKind, AgencyStatus, PilotStatus, PlanStatus, all_labels
from registry.domain.programme import (
    check_consultancy,
    check_pilot_transition,
    check_quota,
    plan_status,
)
from registry.domain.reference import PROVINCES, industry_error, province_error
from registry.domain.uscc import check_character, uscc_error

# A published example code (its check character follows GB 32100-2015).
REAL_USCCS = ["91350100M000100Y43"]  # the example printed in GB 32100-2015


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_usccs_are_valid(code: str) -> None:
    assert uscc_error(code) is None


def test_check_character_rules() -> None:
    assert check_character("91350100M000100Y4") == "3"
    wrong = "91350100M000100Y40"
    assert str(uscc_error(wrong)) == "第18位（校验码）为“0”，按 GB 32100-2015 计算应为“3”"
    assert "18位" in str(uscc_error("9135") or "")
    assert "字符集以外" in str(uscc_error("91350100M000100I43") or "")  # I is never used
    assert "第3–8位" in str(uscc_error("91AB0100M000100Y43") or "")


def test_reference_codes() -> None:
    assert len(PROVINCES) == 31
    assert province_error("110000") is None and province_error("110100")
    assert industry_error("C") is None and industry_error("C26") is None
    assert "not in section C" in text(industry_error("C44") or "", "en")
    assert text(industry_error("C44") or "", "zh_CN") == "大类 44 不属于门类 C（制造业，13–43）"
    assert industry_error("Z") and industry_error("c26x")


def test_industry_pattern_states_exactly_what_industry_error_accepts() -> None:
    """The OpenAPI's industry_code pattern (iims_common.industries.INDUSTRY_PATTERN) and the
    registry's check agree on every letter, and every letter with two digits."""
    pattern = re.compile(INDUSTRY_PATTERN)
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    codes = letters + [f"{x}{d:02d}" for x in letters for d in range(100)]
    disagree = [c for c in codes if bool(pattern.match(c)) != (industry_error(c) is None)]
    assert not disagree
    assert pattern.match("C26") and not pattern.match("C44") and not pattern.match("Q25")


def test_pilot_lifecycle() -> None:
    check_pilot_transition(PilotStatus.enrolled, PilotStatus.implementing, manual=True)
    check_pilot_transition(PilotStatus.implementing, PilotStatus.withdrawn, manual=True)
    check_pilot_transition(PilotStatus.basically_compliant, PilotStatus.certified, manual=False)
    with pytest.raises(StateConflict) as conflict:
        check_pilot_transition(PilotStatus.enrolled, PilotStatus.basically_compliant, manual=True)
    assert conflict.value.rule == "pilot.transition" and conflict.value.status == 409
    with pytest.raises(RuleViolation) as e:
        check_pilot_transition(PilotStatus.basically_compliant, PilotStatus.certified, manual=True)
    assert e.value.rule == "pilot.certified-by-certificate-only"
    with pytest.raises(StateConflict):
        check_pilot_transition(PilotStatus.withdrawn, PilotStatus.implementing, manual=True)


def test_quota_and_consultancy() -> None:
    check_quota(499, 500)
    with pytest.raises(RuleViolation) as e:
        check_quota(500, 500)
    assert e.value.rule == "batch.pilot-quota"
    check_consultancy(AgencyKind.consultancy, AgencyStatus.authorized)
    with pytest.raises(RuleViolation):
        check_consultancy(AgencyKind.certification_body, AgencyStatus.authorized)
    with pytest.raises(RuleViolation):
        check_consultancy(AgencyKind.consultancy, AgencyStatus.suspended)


def test_plan_status() -> None:
    deadline = dt.date(2014, 5, 31)
    on_time = dt.datetime(2014, 5, 31, 23, 0, tzinfo=dt.UTC)
    late = dt.datetime(2014, 6, 1, 1, 0, tzinfo=dt.UTC)
    assert plan_status(deadline, on_time, dt.date(2014, 7, 1)) is PlanStatus.submitted
    assert plan_status(deadline, late, dt.date(2014, 7, 1)) is PlanStatus.submitted_late
    assert plan_status(deadline, None, dt.date(2014, 5, 1)) is PlanStatus.pending
    assert plan_status(deadline, None, dt.date(2014, 6, 1)) is PlanStatus.late
    assert plan_status(None, None, dt.date(2030, 1, 1)) is PlanStatus.pending


def test_every_enum_value_has_a_chinese_and_an_english_label() -> None:
    chinese, english = all_labels("zh_CN"), all_labels("en")
    assert chinese.keys() == english.keys()
    for kind, values in chinese.items():
        assert all(label for label in values.values())
        assert english[kind].keys() == values.keys()
        assert all(english[kind][code] != label for code, label in values.items()), kind


def test_enums_parse_codes_and_chinese_labels() -> None:
    from registry.domain.enums import EnterpriseSize, PilotStatus

    assert EnterpriseSize("大型") is EnterpriseSize.large
    assert EnterpriseSize("ｌａｒｇｅ") is EnterpriseSize.large  # full-width, NFKC-folded
    assert PilotStatus("贯标实施中") is PilotStatus.implementing
    # the English label too, whatever its case (a spreadsheet from an English console)
    assert PilotStatus("basically compliant") is PilotStatus.basically_compliant
    assert EnterpriseSize.large.label == "大型" and EnterpriseSize.large.label_in("en") == "Large"
    with pytest.raises(ValueError):
        EnterpriseSize("巨型")


def test_labels_carry_the_requirement_clauses_for_the_self_check() -> None:
    clauses = all_labels()["RequirementClause"]
    assert clauses["4.1"] and clauses["8.6"]
    assert all(code.split(".")[0] in {"4", "5", "6", "7", "8"} for code in clauses)
