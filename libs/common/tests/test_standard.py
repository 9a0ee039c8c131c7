"""The requirement clauses are worded as the seed words them (会议材料之六/之七)."""

from __future__ import annotations

from iims_common.standard import (
    CERTIFICATE_NUMBER_PREFIX,
    QUALIFICATION_NUMBER_PREFIXES,
    REQUIREMENT_CLAUSES,
    SECTION_TITLES,
    number_family,
)


def test_clause_titles_are_the_seeds_words() -> None:
    assert SECTION_TITLES[4] == "两化融合管理体系"
    titles = set(REQUIREMENT_CLAUSES.values())
    assert "以获取与企业战略匹配的可持续竞争优势为关注焦点" in titles
    assert {"两化融合的方针", "两化融合的目标", "两化融合管理体系策划"} <= titles
    assert not {"关注焦点", "方针", "目标", "管理体系策划"} & titles
    # 2 + 7 + 5 + 7 + 6 topics, as the seed counts them ("等7个方面", "等5个方面", "等6个方面").
    counts = {s: sum(1 for c in REQUIREMENT_CLAUSES if c.startswith(f"{s}.")) for s in range(4, 9)}
    assert counts == {4: 2, 5: 7, 6: 5, 7: 7, 8: 6}


def test_number_families_are_distinct() -> None:
    prefixes = list(QUALIFICATION_NUMBER_PREFIXES.values())
    assert CERTIFICATE_NUMBER_PREFIX not in prefixes and len(set(prefixes)) == 3
    assert number_family("IIMS-RZ-2014-7K3Q9M2WXP") == "certificate"
    assert number_family("IIMS-ZZ-2014-7K3Q9M2WXP") == "qualification"
    assert number_family("IIMS-RD-2014-7K3Q9M2WXP") == "qualification"
    assert number_family("ABC") is None
