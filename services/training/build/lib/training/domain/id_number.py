"""居民身份证号码 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import datetime as dt
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> str | None:
    """None if valid; otherwise a message that never repeats the number itself."""
    if not _ID.match(value):
        return "must be 18 characters: 17 digits and a digit or X"
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "positions 7–14 are not a valid birth date"
    if born > dt.date.today() or born.year < 1900:
        return "positions 7–14 are not a plausible birth date"
    expected = check_character(value[:17])
    if value[17] != expected:
        return f"check character is wrong, expected {expected!r}"
    return None


def phone_error(value: str) -> str | None:
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return "must be a mainland mobile number (11 digits starting with 1) or 0xx-xxxxxxxx"
