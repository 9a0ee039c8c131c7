"""GB/T 4754-2017 国民经济行业分类: the 20 门类 (sections, `A`–`T`) and the range of 大类
(two-digit divisions) each holds — one table for every service: the registry checks
enterprise industries with it (`registry.domain.reference.industry_error`), the audit
service auditor competences, and the OpenAPI states it as `INDUSTRY_PATTERN`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndustrySection:
    code: str
    name: str
    first_division: int
    last_division: int

    @property
    def divisions(self) -> list[str]:
        return [f"{d:02d}" for d in range(self.first_division, self.last_division + 1)]


INDUSTRY_SECTIONS: dict[str, IndustrySection] = {
    s.code: s
    for s in [
        IndustrySection("A", "农、林、牧、渔业", 1, 5),
        IndustrySection("B", "采矿业", 6, 12),
        IndustrySection("C", "制造业", 13, 43),
        IndustrySection("D", "电力、热力、燃气及水生产和供应业", 44, 46),
        IndustrySection("E", "建筑业", 47, 50),
        IndustrySection("F", "批发和零售业", 51, 52),
        IndustrySection("G", "交通运输、仓储和邮政业", 53, 60),
        IndustrySection("H", "住宿和餐饮业", 61, 62),
        IndustrySection("I", "信息传输、软件和信息技术服务业", 63, 65),
        IndustrySection("J", "金融业", 66, 69),
        IndustrySection("K", "房地产业", 70, 70),
        IndustrySection("L", "租赁和商务服务业", 71, 72),
        IndustrySection("M", "科学研究和技术服务业", 73, 75),
        IndustrySection("N", "水利、环境和公共设施管理业", 76, 79),
        IndustrySection("O", "居民服务、修理和其他服务业", 80, 82),
        IndustrySection("P", "教育", 83, 83),
        IndustrySection("Q", "卫生和社会工作", 84, 85),
        IndustrySection("R", "文化、体育和娱乐业", 86, 90),
        IndustrySection("S", "公共管理、社会保障和社会组织", 91, 96),
        IndustrySection("T", "国际组织", 97, 97),
    ]
}


def _two_digit_range(first: int, last: int) -> str:
    """A regex alternation matching exactly the two-digit numbers `first`..`last`
    (`13`..`43` → `1[3-9]|[23][0-9]|4[0-3]`), one branch per tens digit, adjacent full
    decades merged."""
    parts: list[tuple[str, str]] = []  # (tens class, units class)
    for tens in range(first // 10, last // 10 + 1):
        low = first % 10 if tens == first // 10 else 0
        high = last % 10 if tens == last // 10 else 9
        units = str(low) if low == high else f"[{low}-{high}]"
        if parts and units == "[0-9]" and parts[-1][1] == "[0-9]":
            start = parts[-1][0][1] if parts[-1][0].startswith("[") else parts[-1][0]
            parts[-1] = (
                f"[{start}-{tens}]" if int(start) + 1 < tens else f"[{start}{tens}]",
                units,
            )
        else:
            parts.append((str(tens), units))
    return "|".join(tens + units for tens, units in parts)


def industry_pattern() -> str:
    """The codes `registry.domain.reference.industry_error` accepts, as one anchored
    (ECMA-262 and Python) pattern: a section letter, optionally followed by one of *its*
    divisions (`C`, `C26`; not `C44`, which is in D)."""
    branches = [
        f"{s.code}(?:{_two_digit_range(s.first_division, s.last_division)})?"
        for s in INDUSTRY_SECTIONS.values()
    ]
    return f"^(?:{'|'.join(branches)})$"


INDUSTRY_PATTERN = industry_pattern()
"""GB/T 4754-2017 门类 letter, optionally one of that section's 大类 (two digits)."""
