"""One normalization rule for identifiers and searchable names, used at every boundary.

DESIGN.md §3: identifiers are NFKC-folded, trimmed and upper-cased where the standard is
case-insensitive *before* they are checked, and only against ASCII alphabets (`[0-9]`, never
`\\d`: Python's `\\d`, `str.isdigit()` and `int()` accept any Unicode decimal digit, and
pydantic's Rust regex engine reads `\\d` as Unicode too). Names are stored as given and
searched on a folded form (`fold_text`).

What this module gives every service:

- `fold_identifier` / `fold_text`: the two folds (identifiers; searchable free text).
- `uscc_error`: 统一社会信用代码 per GB 32100-2015 — alphabet, the registration-department
  code (position 1) and organization-category code (position 2) against the standard's
  table, the GB/T 2260 division digits and the check character.
- `id_number_error`: 居民身份证号码 per GB 11643-1999 (ISO 7064 MOD 11-2).
- `phone_error`: a mainland mobile or landline number.
- `excel_number_error`: a long number Excel turned into `9.13302E+17` (the digits are lost).
- pydantic types (`USCC`, `IdNumber`, `Phone`, `Identifier`, `ProvinceCode`…) that fold
  first and check second, so a request body, a query parameter and an import row all
  apply the same rule.

Messages are `iims_common.i18n` messages (English msgids, Chinese in the shared catalogue),
rendered in the request's language (zh-CN by default); `str(message)` gives the text.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from iims_common.i18n import Message, _

# --- folds ---------------------------------------------------------------------------------

# Characters that are invisible but travel with text pasted from web pages and Word:
# zero-width space/joiners, BOM, soft hyphen, bidi marks (Unicode category Cf).
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")

ASCII_DIGITS = "0123456789"


def fold_identifier(value: str, *, upper: bool = True) -> str:
    """An identifier as typed or pasted → the form it is checked and stored in.

    NFKC (full-width `９１３３` → `9133`, `ＡＢ` → `AB`, ideographic space → space), invisible
    format characters removed, surrounding whitespace trimmed, upper-cased unless `upper` is
    False (for identifiers whose standard is case-sensitive). Never raises; the result may
    still be invalid — check it with the matching `*_error` function.

    Fast path, exact: ASCII text is its own NFKC form and holds none of the invisible
    characters (all are non-ASCII), so only the trim and the case are left.
    """
    if value.isascii():
        folded = value.strip()
    else:
        folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", value)).strip()
    return folded.upper() if upper else folded


def fold_text(value: str) -> str:
    """Free text (enterprise and person names) → the form it is *searched* on.

    NFKC (full-width brackets `（杭州）` → `(杭州)`, full-width Latin and digits to ASCII),
    case-folded, invisible characters removed and whitespace runs collapsed to one space.
    The stored name stays as given; store this fold beside it and match queries folded
    the same way.

    Exact fast forms (a bulk import folds every name; `test_identifiers` checks both claims
    over every code point): `" ".join(s.split())` is `_SPACES.sub(" ", s).strip()`, because
    `str.split()`, `str.strip()` and the regex `\\s` of a str pattern all use the same
    whitespace predicate (`str.isspace`); ASCII text skips NFKC and the invisible
    characters (none is ASCII), as in `fold_identifier`.
    """
    if value.isascii():
        return " ".join(value.casefold().split())
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", value)).casefold()
    return " ".join(folded.split())


def is_ascii_digits(value: str, length: int | None = None) -> bool:
    """True when `value` is only ASCII 0–9 (and exactly `length` long when given).

    Use this, not `str.isdigit()`, which is true for `３`, `٣` and `³`.
    """
    if length is not None and len(value) != length:
        return False
    return bool(value) and all("0" <= ch <= "9" for ch in value)


# --- messages (English msgids, zh-CN in the shared catalogue: iims_common.i18n) ----------

MESSAGES: dict[str, Message] = {
    "excel-number": _(
        "“{value}” is a long number that Excel turned into scientific notation, and the code "
        "is lost: format the column as Text, type the code again and import again"
    ),
    "uscc.length": _("A unified social credit code has 18 characters, this one has {length}"),
    "uscc.alphabet": _(
        "The unified social credit code has characters outside the GB 32100-2015 set: "
        "{chars} (digits 0–9 and capital letters, never I, O, S, V or Z)"
    ),
    "uscc.department": _(
        "Position 1 (registration department code) is “{code}”, which GB 32100-2015 does "
        "not assign; allowed: {allowed}"
    ),
    "uscc.category": _(
        "Position 2 (organization category code) is “{code}”, not valid for registration "
        "department “{department}”; allowed: {allowed}"
    ),
    "uscc.division": _(
        "Positions 3–8 must be the registering authority's division code (GB/T 2260, "
        "6 digits), not “{value}”"
    ),
    "uscc.check": _(
        "Position 18 (check character) is “{actual}”; by GB 32100-2015 it must be “{expected}”"
    ),
    "id.format": _("An ID number has 18 characters: 17 digits and a digit or X"),
    "id.birth": _("Positions 7–14 are not a valid birth date"),
    "id.birth-plausible": _("Positions 7–14 are not a plausible birth date"),
    "id.check": _("Position 18 (check character) is wrong; it must be “{expected}”"),
    "phone": _(
        "Must be a mainland mobile number (11 digits starting with 1) or a landline such as "
        "0571-88888888"
    ),
    "digits": _("Must be {length} digits (0–9)"),
}


def message(key: str, **values: Any) -> Message:
    """The message `key` with `values` filled in, rendered in the request's language."""
    return Message(MESSAGES[key].msgid, values)


# --- Excel's scientific notation ----------------------------------------------------------

_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]{1,3}$", re.IGNORECASE)


def excel_number_error(value: str) -> Message | None:
    """An error when `value` is a long number that Excel displayed in scientific notation.

    Excel keeps 15 significant digits and shows an 18-digit USCC or ID number as
    `9.13302E+17`; what reaches us has lost the code for good, so it is refused with the
    fix (format the column as text). `value` must already be folded.
    """
    if _SCIENTIFIC.match(value):
        return message("excel-number", value=value)
    return None


# --- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_INDEX = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# The shape every valid code has: 18 characters of the alphabet, positions 3–8 ASCII digits.
# `uscc_error` checks it first; a code of this shape can only fail the department, category
# and check-character steps, so the slower per-character steps that build the length,
# alphabet and division messages run only for codes that do not have it.
_USCC_CLASS = "[0-9A-HJ-NP-RTUWXY]"  # USCC_ALPHABET as a regex class (asserted below)
_USCC_SHAPE = re.compile(f"{_USCC_CLASS}{{2}}[0-9]{{6}}{_USCC_CLASS}{{10}}")
assert "".join(c for c in map(chr, range(128)) if re.fullmatch(_USCC_CLASS, c)) == USCC_ALPHABET

# GB 32100-2015《法人和其他组织统一社会信用代码编码规则》4.2 and its code table of
# 登记管理部门代码 (position 1) and 机构类别代码 (position 2), with the later assignments of
# the national standardization administration (A 中央军委改革和编制办公室, N 农业):
#   position 1 → (department name, {position 2 → category name}).
USCC_DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}


def _listing(table: dict[str, str]) -> str:
    return "、".join(f"{code} {name}" for code, name in table.items())


def uscc_check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §4.3, ISO 7064 MOD 31-3 style).

    `first17` must be 17 characters of `USCC_ALPHABET` (KeyError otherwise; ValueError for
    another length). The weighted sum is `map`/`operator.mul` (C loops, no generator).
    """
    if len(first17) != len(USCC_WEIGHTS):
        raise ValueError(f"17 characters expected, got {len(first17)}")
    total = sum(map(operator.mul, map(_USCC_INDEX.__getitem__, first17), USCC_WEIGHTS))
    c = 31 - total % 31
    return USCC_ALPHABET[0 if c == 31 else c]


def make_uscc(first17: str) -> str:
    """`first17` plus its check character (test data, demo data)."""
    return first17 + uscc_check_character(first17)


def uscc_error(code: str) -> Message | None:
    """None if `code` (already folded) is a valid USCC, else a zh-CN message that names the
    position and what is allowed there: length, alphabet, position 1 against the
    registration departments, position 2 against that department's categories, positions
    3–8 ASCII digits, position 18 the check character (the expected one is named).

    Fast path, exact: a code of `_USCC_SHAPE` passes the Excel, length, alphabet and
    division steps (the Excel notation needs a `.` or is at most 6 characters long), so only
    the department, category and check character are left, in the same order."""
    if _USCC_SHAPE.fullmatch(code):
        department = USCC_DEPARTMENTS.get(code[0])
        if department is not None and code[1] in department[1]:
            expected = uscc_check_character(code[:17])
            return None if code[17] == expected else _uscc_check(code[17], expected)
    mangled = excel_number_error(code)
    if mangled:
        return mangled
    if len(code) != 18:
        return message("uscc.length", length=len(code))
    bad = sorted({ch for ch in code if ch not in _USCC_INDEX})
    if bad:
        return message("uscc.alphabet", chars="".join(bad))
    department = USCC_DEPARTMENTS.get(code[0])
    if department is None:
        allowed = "、".join(f"{c} {name}" for c, (name, _categories) in USCC_DEPARTMENTS.items())
        return message("uscc.department", code=code[0], allowed=allowed)
    name, categories = department
    if code[1] not in categories:
        return message(
            "uscc.category",
            code=code[1],
            department=f"{code[0]} {name}",
            allowed=_listing(categories),
        )
    if not is_ascii_digits(code[2:8]):
        return message("uscc.division", value=code[2:8])
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return _uscc_check(code[17], expected)
    return None


def _uscc_check(actual: str, expected: str) -> Message:
    return message("uscc.check", actual=actual, expected=expected)


# --- 居民身份证号码 (GB 11643-1999) --------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID = re.compile(r"^[0-9]{17}[0-9X]$")


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of 17 ASCII digits (ValueError otherwise)."""
    if not is_ascii_digits(first17, 17):
        raise ValueError("17 ASCII digits expected")
    total = sum((ord(d) - 48) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_number_error(value: str, today: dt.date | None = None) -> Message | None:
    """None if `value` (already folded) is a valid 18-character ID number, else a zh-CN
    message that never repeats the number (it is personal data). Checks: 17 ASCII digits
    and a digit or X, a real birth date 1900..today, the check character."""
    mangled = excel_number_error(value)
    if mangled:
        return mangled
    if not _ID.match(value):
        return message("id.format")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return message("id.birth")
    if born > (today or dt.date.today()) or born.year < 1900:
        return message("id.birth-plausible")
    expected = id_check_character(value[:17])
    if value[17] != expected:
        return message("id.check", expected=expected)
    return None


# --- phone numbers -------------------------------------------------------------------------

_MOBILE = re.compile(r"^(\+?86-?)?1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


def phone_error(value: str) -> Message | None:
    """None if `value` (already folded; spaces inside are ignored) is a mainland mobile
    number (optionally +86) or a landline `0xx(x)-xxxxxxx(x)` with an optional extension."""
    compact = value.replace(" ", "")
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return None
    return message("phone")


def fold_phone(value: str) -> str:
    """A phone number folded (NFKC, trimmed) with inner spaces removed."""
    return fold_identifier(value).replace(" ", "")


# --- pydantic types ------------------------------------------------------------------------
# Build a field type as `Annotated[str, FOLD, check(error_of)]` or
# `Annotated[str, pattern(r"^[0-9]{4}$"), FOLD]`: the fold (a before-validator) runs first
# either way, then the check. Write a pattern BEFORE the fold: after it, pydantic applies the
# constraint outside the string schema and the OpenAPI document loses the pattern (clients
# and contract fuzzers then take any string for valid).


def _fold_upper(value: Any) -> Any:
    if isinstance(value, str):
        # fold_identifier's ASCII fast path inline: this runs for every identifier field
        # of every imported row
        return value.strip().upper() if value.isascii() else fold_identifier(value)
    return value


def _fold_keep_case(value: Any) -> Any:
    return fold_identifier(value, upper=False) if isinstance(value, str) else value


def _fold_phone(value: Any) -> Any:
    return fold_phone(value) if isinstance(value, str) else value


FOLD = BeforeValidator(_fold_upper)
"""Folds a str (`fold_identifier`, upper-cased) before any other validation."""
FOLD_KEEP_CASE = BeforeValidator(_fold_keep_case)
"""Folds a str (`fold_identifier`) keeping its case, for case-sensitive identifiers."""


def _fold_lower(value: Any) -> Any:
    return fold_identifier(value, upper=False).lower() if isinstance(value, str) else value


FOLD_LOWER = BeforeValidator(_fold_lower)
"""Folds a str (`fold_identifier`) to lower case, for codes the platform writes in lower case
(programme and framework codes): `ＰＨＡＳＥ-１` is `phase-1`."""


def check(error_of: Callable[[str], Message | None]) -> AfterValidator:
    """A validator from a check that returns a message (refused) or None (accepted)."""

    def validate(value: str) -> str:
        error = error_of(value)
        if error:
            raise ValueError(error)
        return value

    return AfterValidator(validate)


def pattern(regex: str) -> StringConstraints:
    """A pattern constraint written with ASCII classes (`[0-9]`). A pattern with `\\d` is
    refused when the module loads: pydantic's regex engine reads it as any Unicode digit."""
    if "\\d" in regex:
        raise ValueError(f"write [0-9], not \\d, in identifier patterns: {regex}")
    return StringConstraints(pattern=regex)


def digits_error(length: int) -> Callable[[str], Message | None]:
    """A check: exactly `length` ASCII digits."""

    def error(value: str) -> Message | None:
        return None if is_ascii_digits(value, length) else message("digits", length=length)

    return error


Identifier = Annotated[str, FOLD]
"""Any identifier: folded and upper-cased, not otherwise checked."""
USCC = Annotated[str, FOLD, check(uscc_error)]
"""统一社会信用代码 (GB 32100-2015), folded and checked."""
IdNumber = Annotated[str, FOLD, check(id_number_error)]
"""居民身份证号码 (GB 11643-1999), folded and checked."""
Phone = Annotated[str, BeforeValidator(_fold_phone), check(phone_error)]
"""A mainland phone number, folded, inner spaces removed, checked."""
SixDigitCode = Annotated[str, FOLD, check(digits_error(6))]
"""A six-digit code (GB/T 2260 division), folded and checked against ASCII digits."""
ProvinceLevelCode = Annotated[str, pattern(r"^[0-9]{2}0000$"), FOLD]
"""A province-level GB/T 2260 code shape (`330000`), folded; membership is the caller's check."""
