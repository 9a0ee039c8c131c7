"""One normalization rule for identifiers (DESIGN.md §3), checked as properties: any
full-width, mixed-case or padded spelling of a valid identifier folds to the same identifier,
and no non-ASCII digit ever passes a check. Plus the GB 32100-2015 code table, Excel's
scientific notation, the search fold, and a scan of the tree for `\\d` and `isdigit()`."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path
from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from iims_common.identifiers import (
    FOLD_LOWER,
    USCC,
    USCC_ALPHABET,
    USCC_DEPARTMENTS,
    IdNumber,
    Phone,
    ProvinceLevelCode,
    SixDigitCode,
    digits_error,
    excel_number_error,
    fold_identifier,
    fold_text,
    id_check_character,
    id_number_error,
    is_ascii_digits,
    make_uscc,
    pattern,
    phone_error,
    uscc_error,
)

ROOT = Path(__file__).resolve().parents[3]

# Every Unicode decimal digit that is not ASCII (Arabic-Indic, Devanagari, full-width, …).
NON_ASCII_DIGITS = [
    chr(c)
    for c in range(sys.maxunicode + 1)
    if unicodedata.category(chr(c)) == "Nd" and not ("0" <= chr(c) <= "9")
]
_BY_VALUE = {d: [c for c in NON_ASCII_DIGITS if unicodedata.digit(c) == d] for d in range(10)}


@st.composite
def usccs(draw: st.DrawFn) -> str:
    department = draw(st.sampled_from(sorted(USCC_DEPARTMENTS)))
    category = draw(st.sampled_from(sorted(USCC_DEPARTMENTS[department][1])))
    division = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    return make_uscc(department + category + division + body)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2010, 12, 31)))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    serial = draw(st.text("0123456789", min_size=3, max_size=3))
    first17 = region + born.strftime("%Y%m%d") + serial
    return first17 + id_check_character(first17)


def _wide(ch: str) -> str:
    """The full-width form of an ASCII letter or digit (U+FF01…U+FF5E)."""
    return chr(ord(ch) - 0x21 + 0xFF01) if "!" <= ch <= "~" else ch


@st.composite
def spellings(draw: st.DrawFn, value: str) -> str:
    """`value` as people paste it: some characters full-width, letters in either case,
    padded with spaces, ideographic spaces, tabs, NBSP, zero-width spaces or a BOM."""
    out = []
    for ch in value:
        if draw(st.booleans()):
            ch = ch.lower()
        if draw(st.booleans()):
            ch = _wide(ch)
        out.append(ch)
    pad = st.text(" \t\u3000\u00a0\u200b\ufeff", max_size=3)
    return draw(pad) + "".join(out) + draw(pad)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), code=usccs())
def test_any_spelling_of_a_valid_uscc_is_the_same_uscc(data: st.DataObject, code: str) -> None:
    assert uscc_error(code) is None
    typed = data.draw(spellings(code))
    assert fold_identifier(typed) == code
    assert TypeAdapter(USCC).validate_python(typed) == code


@settings(max_examples=300, deadline=None)
@given(data=st.data(), number=id_numbers())
def test_any_spelling_of_a_valid_id_number_is_the_same_number(
    data: st.DataObject, number: str
) -> None:
    assert id_number_error(number) is None
    typed = data.draw(spellings(number))
    assert TypeAdapter(IdNumber).validate_python(typed) == number


@settings(max_examples=300, deadline=None)
@given(data=st.data(), number=id_numbers())
def test_no_non_ascii_digit_passes_an_id_number_check(data: st.DataObject, number: str) -> None:
    at = data.draw(st.integers(0, 16))
    digit = data.draw(st.sampled_from(_BY_VALUE[int(number[at])]))
    tampered = number[:at] + digit + number[at + 1 :]
    assert id_number_error(tampered) is not None  # the check itself: ASCII only
    folded = fold_identifier(tampered)
    if folded == number:  # NFKC maps this one (full-width) to ASCII: the same number
        assert unicodedata.normalize("NFKC", digit) == number[at]
    else:  # Arabic-Indic, Devanagari, …: refused, never read as a digit
        assert id_number_error(folded) is not None
        with pytest.raises(ValidationError):
            TypeAdapter(IdNumber).validate_python(tampered)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), code=usccs())
def test_no_non_ascii_digit_passes_a_uscc_check(data: st.DataObject, code: str) -> None:
    positions = [i for i, ch in enumerate(code) if ch.isascii() and ch.isdigit()]
    at = data.draw(st.sampled_from(positions))
    tampered = code[:at] + data.draw(st.sampled_from(_BY_VALUE[int(code[at])])) + code[at + 1 :]
    assert uscc_error(tampered) is not None
    if fold_identifier(tampered) != code:
        with pytest.raises(ValidationError):
            TypeAdapter(USCC).validate_python(tampered)


@settings(max_examples=200, deadline=None)
@given(digit=st.sampled_from(NON_ASCII_DIGITS), at=st.integers(0, 5))
def test_no_non_ascii_digit_passes_a_code_check(digit: str, at: int) -> None:
    code = "330000"
    tampered = code[:at] + digit + code[at + 1 :]
    assert not is_ascii_digits(tampered)
    assert digits_error(6)(tampered) is not None
    assert phone_error("1380013800" + digit) is not None
    for kind in (SixDigitCode, ProvinceLevelCode):
        folded = fold_identifier(tampered)
        if is_ascii_digits(folded):
            continue  # full-width: NFKC gives the ASCII digit, the same code
        with pytest.raises(ValidationError):
            TypeAdapter(kind).validate_python(tampered)


def test_full_width_and_ascii_spellings_are_one_value() -> None:
    assert TypeAdapter(SixDigitCode).validate_python("３３００００") == "330000"
    assert TypeAdapter(ProvinceLevelCode).validate_python(" ３３００００\u3000") == "330000"
    assert TypeAdapter(Phone).validate_python("１３８ ００１３ ８０００") == "13800138000"
    assert TypeAdapter(IdNumber).validate_python("１１０１０５１９４９１２３１００２x") == (
        "11010519491231002X"
    )
    assert fold_identifier("iims-rd-2014-７k3q9m2wxp ") == "IIMS-RD-2014-7K3Q9M2WXP"
    assert TypeAdapter(Annotated[str, FOLD_LOWER]).validate_python(" ＰＨＡＳＥ-１") == "phase-1"


def test_uscc_positions_1_and_2_follow_the_gb_32100_table() -> None:
    # The example: registration department 0 is not assigned; the check is right.
    message = str(uscc_error("01846145LN10WXACYU") or "")
    assert message.startswith("第1位（登记管理部门代码）为“0”")
    assert "9 工商" in message and "Y 其他" in message and "N 农业" in message
    # 9 工商 has categories 1, 2, 3 only.
    bad = make_uscc("95330100MA2AAAAAA")
    message = str(uscc_error(bad) or "")
    assert message.startswith("第2位（机构类别代码）为“5”，对登记管理部门“9 工商”无效")
    assert "1 企业、2 个体工商户、3 农民专业合作社" in message
    # Every assigned pair is accepted, every other pair refused.
    for first in USCC_ALPHABET:
        for second in USCC_ALPHABET:
            code = make_uscc(first + second + "330100MA2AAAAAA")
            allowed = first in USCC_DEPARTMENTS and second in USCC_DEPARTMENTS[first][1]
            assert (uscc_error(code) is None) is allowed, code
    assert uscc_error("91350100M000100Y43") is None  # the standard's own example


def test_excel_scientific_notation_is_refused_with_the_fix() -> None:
    for mangled in ("9.13302E+17", "9.13302e+17", "1.10105E+17", "9E+17"):
        message = str(excel_number_error(fold_identifier(mangled)) or "")
        assert "科学计数法" in message and "文本" in message
        assert "科学计数法" in str(uscc_error(fold_identifier(mangled)) or "")
        assert "科学计数法" in str(id_number_error(fold_identifier(mangled)) or "")
    assert excel_number_error("91350100M000100Y43") is None


def test_search_fold_matches_width_and_case_but_not_meaning() -> None:
    stored = "测试（杭州）智能装备有限公司"
    assert fold_text("(杭州)智能") in fold_text(stored)
    assert fold_text("ＡＢＣ  Tech") == fold_text("abc tech")
    assert fold_text("\u200b华为\ufeff") == "华为"
    assert fold_text("杭州") not in fold_text("温州智能")


def test_identifier_patterns_refuse_backslash_d() -> None:
    with pytest.raises(ValueError):
        pattern(r"^\d{6}$")


# --- the whole tree: no `\d` in a regular expression, no str.isdigit() on input ----------

_SOURCES = [
    p
    for base in ("libs", "services", "scripts")
    for p in (ROOT / base).rglob("*.py")
    if "tests" not in p.parts and ".venv" not in p.parts and "migrations" not in p.parts
]
_BACKSLASH_D = re.compile(r"""r["'][^"'\n]*\\d""")
_IS_DIGIT = re.compile(r"(?<!`)\b\w+\.is(digit|decimal|numeric)\(\)")  # `str.isdigit()` in prose


def test_no_unicode_digit_classes_in_the_tree() -> None:
    assert _SOURCES, "no sources found"
    offenders = []
    for path in _SOURCES:
        for no, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if _BACKSLASH_D.search(line) or _IS_DIGIT.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "use [0-9] / is_ascii_digits:\n" + "\n".join(offenders)
