"""The fast paths of the bulk import's per-row work give exactly what the plain forms gave.

Each fast path (ASCII folds, `" ".join(split())`, the USCC shape regex, `Choices` looking a
value up unfolded, the blank-row loop, the record loop of `read_table`) is compared with the
code it replaced, kept here as the reference: over every code point where the claim is
about characters, and over generated values (hypothesis) where it is about strings."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from iims_common.exports import unneutralize
from iims_common.i18n import Message
from iims_common.identifiers import (
    _INVISIBLE,
    USCC_ALPHABET,
    USCC_DEPARTMENTS,
    USCC_WEIGHTS,
    _listing,
    excel_number_error,
    fold_identifier,
    fold_text,
    is_ascii_digits,
    make_uscc,
    message,
    uscc_check_character,
    uscc_error,
)
from iims_common.tabular import Choices, Column, _is_blank, read_table

_SPACES = re.compile(r"\s+")
_INDEX = {ch: i for i, ch in enumerate(USCC_ALPHABET)}


# --- the replaced code, as it was ----------------------------------------------------------


def reference_fold_identifier(value: str, *, upper: bool = True) -> str:
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", value)).strip()
    return folded.upper() if upper else folded


def reference_fold_text(value: str) -> str:
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", value)).casefold()
    return _SPACES.sub(" ", folded).strip()


def reference_check_character(first17: str) -> str:
    total = sum(_INDEX[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    c = 31 - total % 31
    return USCC_ALPHABET[0 if c == 31 else c]


def reference_uscc_error(code: str) -> Message | None:
    mangled = excel_number_error(code)
    if mangled:
        return mangled
    if len(code) != 18:
        return message("uscc.length", length=len(code))
    bad = sorted({ch for ch in code if ch not in _INDEX})
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
    expected = reference_check_character(code[:17])
    if code[17] != expected:
        return message("uscc.check", actual=code[17], expected=expected)
    return None


def reference_is_blank(cells: list[str | None]) -> bool:
    return all(c is None or not c.strip() for c in cells)


def _same(a: Message | None, b: Message | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.msgid, a.params) == (b.msgid, b.params) and all(
        a.render(locale) == b.render(locale) for locale in ("zh-CN", "en")
    )


# --- characters: every code point ----------------------------------------------------------

_ALL = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_regex_whitespace_is_str_whitespace_for_every_code_point() -> None:
    """`" ".join(s.split())` is `re.sub(r"\\s+", " ", s).strip()` because both (and
    `strip`) use one predicate; checked for every character, alone and between text."""
    space = re.compile(r"\s")
    assert [c for c in _ALL if bool(space.fullmatch(c)) != c.isspace()] == []
    assert [c for c in _ALL if c.isspace() and c.strip()] == []
    for c in (c for c in _ALL if c.isspace()):
        text = f"{c}a{c}{c}b {c}"
        assert " ".join(text.split()) == _SPACES.sub(" ", text).strip()


def test_ascii_needs_no_nfkc_and_holds_no_invisible_character() -> None:
    ascii_text = "".join(map(chr, range(128)))
    assert unicodedata.normalize("NFKC", ascii_text) == ascii_text
    assert not _INVISIBLE.search(ascii_text)
    assert ascii_text.casefold() == ascii_text.lower()


def test_folds_of_every_single_character_are_unchanged() -> None:
    for c in _ALL:
        for text in (f" A{c}b{c}",):
            assert fold_text(text) == reference_fold_text(text), repr(text)
            assert fold_identifier(text) == reference_fold_identifier(text), repr(text)
            assert fold_identifier(text, upper=False) == reference_fold_identifier(
                text, upper=False
            ), repr(text)


# --- strings: generated --------------------------------------------------------------------

_TRICKY = st.sampled_from(
    [" ", "\t", "\u3000", "\u00a0", "\u200b", "\ufeff", "\x1c", "\x85", "Ａ", "ﬁ", "ß", "İ"]
)
_TEXT = st.lists(st.one_of(st.characters(), _TRICKY, st.text("aB1 -"))).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
def test_folds_of_generated_text_are_unchanged(text: str) -> None:
    assert fold_text(text) == reference_fold_text(text)
    assert fold_identifier(text) == reference_fold_identifier(text)
    assert fold_identifier(text, upper=False) == reference_fold_identifier(text, upper=False)


@st.composite
def near_usccs(draw: st.DrawFn) -> str:
    """Valid codes and codes one edit away: any department/category, any character at any
    position (other alphabets, lower case, non-ASCII digits), other lengths."""
    department = draw(st.sampled_from([*sorted(USCC_DEPARTMENTS), "B", "0", "Z"]))
    categories = USCC_DEPARTMENTS.get(department, ("", {"1": ""}))[1]
    category = draw(st.sampled_from([*sorted(categories), "0", "8", "A"]))
    division = draw(st.text("0123456789", min_size=6, max_size=6))
    body = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    first17 = department + category + division + body
    code = make_uscc(first17) if set(first17) <= set(USCC_ALPHABET) else first17 + "0"
    edit = draw(st.integers(0, 4))
    if edit == 1:
        at = draw(st.integers(0, 17))
        ch = draw(st.one_of(st.characters(), st.sampled_from("IOSVZa٣３.E+")))
        code = code[:at] + ch + code[at + 1 :]
    elif edit == 2:
        code = code[: draw(st.integers(0, 17))] + draw(st.text(max_size=3))
    elif edit == 3:
        code = draw(st.sampled_from(["9.13302E+17", "9E+17", "", "9" * 18]))
    return code


@settings(max_examples=3000, deadline=None)
@given(near_usccs())
def test_uscc_error_is_unchanged(code: str) -> None:
    assert _same(uscc_error(code), reference_uscc_error(code)), code


@settings(max_examples=500, deadline=None)
@given(st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_check_character_is_unchanged(first17: str) -> None:
    assert uscc_check_character(first17) == reference_check_character(first17)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from(" \t\u3000\x1ca")))))
def test_blank_rows_are_those_of_before(cells: list[str | None]) -> None:
    assert _is_blank(cells) == reference_is_blank(cells)


_WORDS = {"large": ["大型", "大型企业"], "medium": ["中型"], "330000": ["浙江", "浙江省"]}


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.sampled_from([w for code, names in _WORDS.items() for w in (code, *names)]),
        _TEXT,
    ),
    st.sampled_from(["", " ", "\u3000", "\u200b"]),
)
def test_choices_give_what_folding_first_gave(word: str, pad: str) -> None:
    choices = Choices(_WORDS)
    for value in (word, pad + word, word + pad, word.upper(), unicodedata.normalize("NFKD", word)):
        assert choices.parse(value) == choices._by_word.get(reference_fold_text(value))
        assert choices.coerce(value) == (choices._by_word.get(reference_fold_text(value)) or value)


def test_read_table_records_are_those_of_before() -> None:
    """The record loop (keys in header order, cells stripped, `'`-neutralized cells read
    back, short rows padded with None) against the loop it replaced."""
    columns = [Column("a", ("A",), True), Column("b", ("B",)), Column("c", ("C",))]
    body = (
        "C,x,A,B\r\n 1 ,ignored, '=SUM(A1) ,\r\n'+86,, ' x ,\u3000\r\nonly\r\n,,\"'-3\",' \r\n"
    ).encode()
    table = read_table(body, "text/csv", columns, max_rows=10)
    mapping = {0: columns[2], 2: columns[0], 3: columns[1]}  # the header order
    expected = []
    for line, cells in table.raw.items():
        record: dict[str, str | None] = {c.key: None for c in mapping.values()}
        for index, column in mapping.items():
            value = cells[index] if index < len(cells) else None
            value = unneutralize(value.strip()).strip() if value is not None else None
            record[column.key] = value or None
        expected.append((line, record))
    assert table.records == expected
    assert [list(r) for _, r in table.records] == [["c", "a", "b"]] * 4
