"""Reference data (DESIGN.md §4): provinces (GB/T 2260) and industries (GB/T 4754-2017 门类;
the table is iims_common.industries, shared with the audit service and the OpenAPI)."""

from __future__ import annotations

import re

from iims_common.i18n import Message, _
from iims_common.industries import INDUSTRY_SECTIONS as INDUSTRY_SECTIONS
from iims_common.industries import IndustrySection as IndustrySection
from iims_common.regions import PROVINCES as PROVINCES
from iims_common.regions import province_words as province_words

# 计划单列市: act as recommending authorities in the programme; enterprises belong to provinces.
SEPARATELY_PLANNED_CITIES: dict[str, str] = {
    "210200": "大连市",
    "370200": "青岛市",
    "330200": "宁波市",
    "350200": "厦门市",
    "440300": "深圳市",
}


_INDUSTRY = re.compile(r"^([A-T])([0-9]{2})?$")


def province_error(code: str) -> Message | None:
    """None for a GB/T 2260 province-level code, else the refusal (in the request's language)."""
    if code not in PROVINCES:
        return _(
            "unknown province code “{code}” (GB/T 2260 province level, e.g. 110000)", code=code
        )
    return None


def authority_region_error(code: str) -> Message | None:
    """Recommending authorities may be provinces or separately planned cities (计划单列市)."""
    if code in PROVINCES or code in SEPARATELY_PLANNED_CITIES:
        return None
    return _("unknown region code “{code}” (a province or a separately planned city)", code=code)


def province_of_region(code: str) -> str:
    return code[:2] + "0000"


def industry_error(code: str) -> Message | None:
    """`C` (门类) or `C26` (门类 + 大类 within the section's range)."""
    m = _INDUSTRY.match(code)
    if not m or m.group(1) not in INDUSTRY_SECTIONS:
        return _(
            "unknown industry code “{code}” (GB/T 4754-2017 section letter A–T, e.g. C or C26)",
            code=code,
        )
    section = INDUSTRY_SECTIONS[m.group(1)]
    if m.group(2) and not section.first_division <= int(m.group(2)) <= section.last_division:
        return _(
            "division {division} is not in section {section} ({name}, {first}–{last})",
            division=m.group(2),
            section=section.code,
            name=section.name,
            first=f"{section.first_division:02d}",
            last=f"{section.last_division:02d}",
        )
    return None


# --- the words people write in spreadsheets (the same the `/labels`, `/provinces` and
# `/industries` references serve), for imports; provinces: iims_common.regions -------------

_SECTION_AND_NAME = re.compile(r"^([A-T])[\s\-—:：.、]*(.+)$")
_NAME_AND_SECTION = re.compile(r"^(.+?)[\s]*[(（]([A-T])([0-9]{2})?[)）]$")


_SECTION_BY_NAME = {s.name: s.code for s in INDUSTRY_SECTIONS.values()}


def industry_from_words(value: str) -> str:
    """An industry as written in a spreadsheet → a code for `industry_error` to check:
    `C`, `C26`, the section name `制造业`, `C 制造业`, `C-制造业` or `制造业（C）`. Anything
    else is returned unchanged (and refused by the check with its own message)."""
    if _INDUSTRY.match(value):
        return value
    by_name = _SECTION_BY_NAME
    if value in by_name:
        return by_name[value]
    m = _SECTION_AND_NAME.match(value)
    if m and by_name.get(m.group(2).strip()) == m.group(1):
        return m.group(1)
    m = _NAME_AND_SECTION.match(value)
    if m and by_name.get(m.group(1).strip()) == m.group(2):
        return m.group(2) + (m.group(3) or "")
    return value
