"""The 31 province-level divisions of GB/T 2260 (code → name): one list for every service
(the registry checks enterprise and authority codes with it, the gateway its per-province
dashboards and progress reports)."""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "140000": "山西省",
    "150000": "内蒙古自治区",
    "210000": "辽宁省",
    "220000": "吉林省",
    "230000": "黑龙江省",
    "310000": "上海市",
    "320000": "江苏省",
    "330000": "浙江省",
    "340000": "安徽省",
    "350000": "福建省",
    "360000": "江西省",
    "370000": "山东省",
    "410000": "河南省",
    "420000": "湖北省",
    "430000": "湖南省",
    "440000": "广东省",
    "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市",
    "510000": "四川省",
    "520000": "贵州省",
    "530000": "云南省",
    "540000": "西藏自治区",
    "610000": "陕西省",
    "620000": "甘肃省",
    "630000": "青海省",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
}


# The words people write for a province in a spreadsheet (the enterprise, recommendation and
# people imports): its name and its name without the suffix.
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def province_words() -> dict[str, list[str]]:
    """Province code → its names: 浙江省 and 浙江, 广西壮族自治区 and 广西 (for
    `iims_common.tabular.Choices`)."""
    return {code: [name, _short(name)] for code, name in PROVINCES.items()}
