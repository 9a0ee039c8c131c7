"""The one reader of tabular files that every import uses: bytes → rows with the file's line
numbers → records keyed by canonical column names. Validation of the records is the
service's (its pydantic schema and rules); this layer only reads, so a faster writer (COPY)
can plug in behind it.

What provinces send (DESIGN.md §3, ENGINEERING.md "Chinese files"):

- CSV in UTF-8 with or without BOM (WPS, "CSV UTF-8"), GB18030/GBK (Excel's "CSV" on a
  Chinese Windows), UTF-16 with BOM and tabs (Excel's "Unicode text"). The charset a client
  declares (`Content-Type: text/csv; charset=gb18030`) is used; otherwise a BOM, then strict
  UTF-8, then detection by charset-normalizer among the accepted encodings. A file that
  cannot be decoded is a 422 in Chinese that names the accepted encodings and how to save.
- Comma, tab or semicolon separators, sniffed from the first lines (Excel's `sep=;` first
  line is honoured); Excel's CRLF and quoting (quoted separators, doubled quotes, line
  breaks inside quotes).
- .xlsx, read with openpyxl in read-only mode after a zip check (entry count, total
  uncompressed size, compression ratio: zip bombs) and a DTD check (no `<!DOCTYPE`/
  `<!ENTITY`: XML entity expansion); openpyxl itself parses through defusedxml. The first
  worksheet is read, cached values only (formulas are never evaluated).
- A title row above the header ("2014年浙江省贯标试点推荐企业汇总表") is skipped: the header
  is the first of the first 10 rows that names every required column. Headers match in
  Chinese or English, ignoring width, case, spaces and a required-marker `*`.
- A cell the platform's exports neutralized (`'=…`, `'+86…`: `iims_common.exports`) reads
  as the value it stood for, so the refused-rows .xlsx imports again as it was sent.
- Blank rows are skipped; line numbers are the file's (CSV: the physical line where the
  record starts; .xlsx: the row number), so "line 7" is what the person sees.

Limits: `max_rows` data rows (422 beyond), `max_uncompressed` bytes inside an .xlsx.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from iims_common.errors import FieldError, UnsupportedMediaType, ValidationFailed
from iims_common.exports import unneutralize
from iims_common.i18n import Message, _
from iims_common.identifiers import fold_text

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",  # Excel's "Unicode text" (UTF-16, tabs) as browsers label it
        "text/tab-separated-values",
        "application/csv",
        "application/vnd.ms-excel",  # what Windows browsers send for a .csv file
    }
)
OCTET_STREAM = "application/octet-stream"
ACCEPTED_ENCODINGS = _("UTF-8 (with or without BOM), GB18030/GBK, UTF-16 (with BOM)")
SAVE_HINT = _(
    "In Excel choose File → Save As, type “CSV UTF-8 (Comma delimited) (*.csv)” or “Excel "
    "Workbook (*.xlsx)”; in WPS save as “Excel file (*.xlsx)”"
)
DELIMITERS = (",", "\t", ";")
_DELIMITER_NAMES = {",": _("comma"), "\t": _("tab"), ";": _("semicolon")}
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "gb-2312": "gb18030",
    "euc-cn": "gb18030",
    "utf8": "utf-8",
    "unicode": "utf-16",
    "ucs-2": "utf-16",
}
_ACCEPTED_CODECS = {"utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"}
_DETECT_AMONG = ["gb18030", "utf_16_le", "utf_16_be", "big5", "cp1252", "shift_jis"]
_HEADER_SEARCH_ROWS = 10
_XLSX_MAX_ENTRIES = 10_000
_XLSX_MAX_RATIO = 200  # uncompressed / compressed for any entry over 1 MiB
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SEP_LINE = re.compile(r"^\"?sep=(.)\"?\r?\n", re.IGNORECASE)


# --- the layers' data --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column an import understands: its canonical `key` and every header it accepts
    (Chinese and English; matched folded: width, case, spaces and a trailing `*` ignored)."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        """The first alias (the Chinese header), for messages and templates."""
        return self.aliases[0] if self.aliases else self.key


@dataclass
class RawTable:
    """Layer 1: decoded rows with their line numbers. `rows` yields (line, cells)."""

    format: str  # "csv" | "xlsx"
    encoding: str | None
    delimiter: str | None
    rows: Iterator[tuple[int, list[str | None]]]


@dataclass
class Table:
    """Layer 2: records keyed by canonical column key, with their line numbers."""

    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    columns: dict[str, str]  # canonical key → the header as written in the file
    ignored: list[str]  # headers no column accepts
    records: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)
    # line → cells as read, as a tuple: a tuple of strings is dropped from the garbage
    # collector's tracking at its first pass, a list of 10^5 rows would be walked by every
    # full pass of a bulk import
    raw: dict[int, Sequence[str | None]] = field(default_factory=dict)
    header: list[str | None] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # canonical key → cell index


# --- decoding ----------------------------------------------------------------------------


def _undecodable(detail: Message) -> ValidationFailed:
    return ValidationFailed(
        _(
            "Cannot read the file's text encoding: {detail}. Accepted encodings: {accepted}. "
            "{hint}",
            detail=detail,
            accepted=ACCEPTED_ENCODINGS,
            hint=SAVE_HINT,
        ),
        errors=[
            FieldError("body", _("Accepted encodings: {accepted}", accepted=ACCEPTED_ENCODINGS))
        ],
    )


def _codec(name: str) -> str | None:
    try:
        canonical = codecs.lookup(_ALIASES.get(name.strip().lower(), name.strip().lower())).name
    except LookupError:
        return None
    return {"utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(canonical, canonical)


def decode(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Bytes of a text file → (text, encoding used). Order: BOM; the declared charset;
    strict UTF-8; charset-normalizer among the accepted encodings. Raises ValidationFailed
    (422, zh-CN, naming the accepted encodings and how to save) otherwise."""
    if raw.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", raw
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", raw
    elif declared:
        codec = _codec(declared)
        if codec is None or codec not in _ACCEPTED_CODECS:
            raise _undecodable(
                _("the declared charset “{charset}” is not supported", charset=declared)
            )
        encoding, body = codec, raw
    else:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        encoding, body = _detect(raw), raw
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(
            _(
                "decoding as {encoding} fails at byte {position} ({reason})",
                encoding=encoding.upper(),
                position=exc.start + 1,
                reason=exc.reason,
            )
        ) from exc
    if "\x00" in text:
        raise _undecodable(
            _(
                "decoded as {encoding} it holds NUL characters, so it is not a text file",
                encoding=encoding.upper(),
            )
        )
    return text, encoding


def _detect(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    sample = raw[: 1 << 20]
    best = from_bytes(sample, cp_isolation=_DETECT_AMONG).best()
    if best is None:
        raise _undecodable(_("not recognized (not UTF-8, GB18030 or UTF-16 text)"))
    codec = _codec(best.encoding) or best.encoding
    if codec not in _ACCEPTED_CODECS:
        raise _undecodable(_("it looks like {encoding}", encoding=best.encoding.upper()))
    return codec


# --- CSV ---------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the first lines into the most, and the
    most consistent, fields (comma on a tie)."""
    sample = "\n".join(text[: 1 << 16].splitlines()[:20])
    best, best_score = ",", (1, 0)
    for delimiter in DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        if not counts:
            continue
        widest = max(counts)
        score = (widest, counts.count(widest))
        if widest > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(
    text: str, delimiter: str | None = None
) -> tuple[str, Iterator[tuple[int, list[str | None]]]]:
    """(delimiter, rows) of CSV text; a `sep=X` first line (Excel's hint) sets the delimiter.
    Each row carries the physical line number where its record starts."""
    first_line = 1
    hint = _SEP_LINE.match(text)
    if hint and hint.group(1) in DELIMITERS:
        delimiter = hint.group(1)
        text = text[hint.end() :]
        first_line = 2
    chosen = delimiter or sniff_delimiter(text)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=False)
        previous_end = first_line - 1
        try:
            for cells in reader:
                start = previous_end + 1
                previous_end = reader.line_num + first_line - 1
                yield start, cast(list[str | None], cells)  # a new list per record
        except csv.Error as exc:
            raise ValidationFailed(
                _(
                    "The CSV is malformed near line {line}: {error}",
                    line=previous_end + 1,
                    error=str(exc),
                ),
                errors=[
                    FieldError(
                        "body",
                        _("line {line}: {error}", line=previous_end + 1, error=str(exc)),
                    )
                ],
            ) from exc

    return chosen, rows()


# --- XLSX --------------------------------------------------------------------------------


def _refuse_xlsx(detail: Message) -> ValidationFailed:
    return ValidationFailed(
        _("Cannot read this .xlsx file: {detail}. {hint}", detail=detail, hint=SAVE_HINT),
        errors=[FieldError("body", detail)],
    )


def check_xlsx_container(raw: bytes, max_uncompressed: int) -> None:
    """Refuse what is not a plain .xlsx before any XML parser sees it: not a zip, too many
    entries, more than `max_uncompressed` bytes inside, an entry compressed suspiciously
    well (zip bomb), an XML part with a DTD or entity declaration (entity expansion)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise _refuse_xlsx(_("not a valid .xlsx (zip) file")) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > _XLSX_MAX_ENTRIES:
            raise _refuse_xlsx(_("it has {count} parts, too many", count=len(entries)))
        total = sum(e.file_size for e in entries)
        if total > max_uncompressed:
            raise _refuse_xlsx(
                _(
                    "it unpacks to {size} bytes, more than the limit of {limit}",
                    size=total,
                    limit=max_uncompressed,
                )
            )
        for entry in entries:
            if entry.file_size > 1 << 20 and entry.file_size > _XLSX_MAX_RATIO * max(
                entry.compress_size, 1
            ):
                raise _refuse_xlsx(
                    _(
                        "part {name} is compressed suspiciously well (a zip bomb?)",
                        name=entry.filename,
                    )
                )
            if entry.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(entry) as part:
                    head = part.read(1 << 16)
                if _DOCTYPE.search(head):
                    raise _refuse_xlsx(
                        _(
                            "part {name} declares a DTD or entities, refused for safety",
                            name=entry.filename,
                        )
                    )
        if "xl/workbook.xml" not in archive.namelist():
            raise _refuse_xlsx(_("xl/workbook.xml is missing (an .xls or another format renamed?)"))


def _general(number: int | float) -> str:
    """A number as Excel's "General" format shows it: integers below 10^15 in full, larger
    ones in scientific notation with 6 significant digits (`9.13302E+17`) — which is all
    that is left of an 18-digit code that was typed into a number cell."""
    if abs(number) >= 10**15:
        mantissa, exponent = f"{number:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
    if isinstance(number, int) or number.is_integer():
        return str(int(number))
    return repr(number)


def _xlsx_text(value: Any) -> str | None:
    """A cell's value as the text a person sees (Excel's "General" format)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _general(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(
    raw: bytes, *, max_rows: int, max_uncompressed: int
) -> Iterator[tuple[int, list[str | None]]]:
    """Rows (row number, cell texts) of the first worksheet of an .xlsx."""
    check_xlsx_container(raw, max_uncompressed)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _refuse_xlsx(
            _(
                "the file is damaged or not an Excel workbook ({error})",
                error=type(exc).__name__,
            )
        ) from exc
    if not wb.worksheets:
        wb.close()
        raise _refuse_xlsx(_("the workbook has no worksheet"))
    ws = wb.worksheets[0]

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        filled = 0
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_xlsx_text(v) for v in values]
                if _is_blank(cells):
                    continue
                filled += 1
                if filled > max_rows + _HEADER_SEARCH_ROWS + 1:
                    raise too_many_rows(max_rows)
                yield number, cells
        except ValidationFailed:
            raise
        except Exception as exc:
            raise _refuse_xlsx(
                _("reading the worksheet failed ({error})", error=type(exc).__name__)
            ) from exc
        finally:
            wb.close()

    return rows()


def too_many_rows(max_rows: int) -> ValidationFailed:
    """The 422 for a file with more than `max_rows` data rows."""
    return ValidationFailed(
        _("The file has more than {limit} data rows; import it in parts", limit=max_rows),
        errors=[FieldError("body", _("at most {limit} rows per import", limit=max_rows))],
    )


# --- the two entry points ----------------------------------------------------------------


def media_type_of(content_type: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header value, lower-cased."""
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for p in parts[1:]:
        name, _, value = p.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return parts[0].lower(), charset


def is_xlsx(raw: bytes) -> bool:
    """True for a zip container (the .xlsx magic `PK\\x03\\x04`)."""
    return raw[:4] == b"PK\x03\x04"


def read_raw(
    raw: bytes,
    content_type: str | None,
    *,
    max_rows: int,
    max_uncompressed: int = 512 * 1024 * 1024,
) -> RawTable:
    """Layer 1: the bytes of an upload → rows with line numbers. The format follows the
    media type (CSV types, the .xlsx type, or application/octet-stream: sniffed by magic);
    an old binary .xls gets a 415 that says to save as .xlsx."""
    media, charset = media_type_of(content_type)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnsupportedMediaType(
            _(
                "Old Excel 97-2003 (.xls) files are not read: save as .xlsx or CSV UTF-8 and "
                "import again"
            ),
            errors=[FieldError("body", _("an .xls (BIFF) file"))],
        )
    if media == XLSX_MEDIA_TYPE or (media == OCTET_STREAM and is_xlsx(raw)):
        return RawTable(
            "xlsx", None, None, read_xlsx(raw, max_rows=max_rows, max_uncompressed=max_uncompressed)
        )
    if media in CSV_MEDIA_TYPES or media == OCTET_STREAM:
        if is_xlsx(raw):
            raise UnsupportedMediaType(
                _(
                    "The body is an .xlsx workbook but the request says {media}; send "
                    "Content-Type: {xlsx}",
                    media=media,
                    xlsx=XLSX_MEDIA_TYPE,
                ),
                errors=[FieldError("Content-Type", _("{ctype} for an .xlsx body", ctype=media))],
            )
        text, encoding = decode(raw, charset)
        delimiter, rows = read_csv(text)
        return RawTable("csv", encoding, delimiter, rows)
    raise UnsupportedMediaType(
        _("Send a CSV (text/csv) or an Excel workbook (.xlsx)"),
        errors=[
            FieldError(
                "Content-Type",
                _("{ctype} is not supported", ctype=media)
                if media
                else _("Content-Type is missing"),
            )
        ],
    )


def _header_key(text: str | None) -> str:
    folded = fold_text(text or "")
    folded = re.sub(r"[\s*＊]|[（(](必填|选填|可选|required|optional)[)）]", "", folded)
    return folded


def _is_blank(cells: Sequence[str | None]) -> bool:
    """True when every cell is None, empty or whitespace only. A plain loop (no generator:
    it runs for every row of a file); `c and not c.isspace()` is exactly `c.strip() != ""`
    for a str (`isspace` is false for "" and true when every character is whitespace)."""
    for c in cells:  # noqa: SIM110 (`all` over a generator costs more per row)
        if c and not c.isspace():
            return False
    return True


def read_table(
    raw: bytes,
    content_type: str | None,
    columns: Sequence[Column],
    *,
    max_rows: int,
    max_uncompressed: int = 512 * 1024 * 1024,
) -> Table:
    """Layers 1 and 2: an upload → records keyed by `Column.key` with the file's line
    numbers. Cells are stripped; empty cells are None; columns no `Column` accepts are
    ignored (and listed in `Table.ignored`). Raises ValidationFailed (422, zh-CN) when no
    header row names the required columns (naming what is missing, what each may be called,
    and the separator read), a header names one column twice, or there are more than
    `max_rows` data rows."""
    source = read_raw(raw, content_type, max_rows=max_rows, max_uncompressed=max_uncompressed)
    by_alias: dict[str, Column] = {}
    for column in columns:
        for alias in (column.key, *column.aliases):
            by_alias[_header_key(alias)] = column
    required = [c for c in columns if c.required]
    first_rows: list[tuple[int, list[str | None]]] = []
    header: tuple[int, list[str | None]] | None = None
    for line, cells in source.rows:
        if _is_blank(cells):
            continue
        names = {by_alias[k].key for k in map(_header_key, cells) if k in by_alias}
        if all(c.key in names for c in required):
            header = (line, cells)
            break
        first_rows.append((line, cells))
        if len(first_rows) >= _HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise _missing_header(first_rows, required, source.delimiter)
    header_line, header_cells = header
    mapping: dict[int, Column] = {}
    found: dict[str, str] = {}
    ignored: list[str] = []
    for index, text in enumerate(header_cells):
        known = by_alias.get(_header_key(text))
        if known is None:
            if text and text.strip():
                ignored.append(text.strip())
            continue
        column = known
        if column.key in found:
            raise ValidationFailed(
                _(
                    "The header names one column twice: “{first}” and “{second}” ({column})",
                    first=found[column.key],
                    second=(text or "").strip(),
                    column=column.label,
                ),
                errors=[
                    FieldError("header", _("column {column} appears twice", column=column.key))
                ],
            )
        found[column.key] = (text or "").strip()
        mapping[index] = column
    table = Table(
        format=source.format,
        encoding=source.encoding,
        delimiter=source.delimiter,
        header_line=header_line,
        columns=found,
        ignored=ignored,
        header=list(header_cells),
        positions={c.key: i for i, c in mapping.items()},
    )
    # Per record (10^5 in a bulk import): the keys in the header's order (the record's key
    # order, as before), each cell stripped; `unneutralize` only changes a value that starts
    # with `'`, and a stripped value stripped again is itself, so other values skip both.
    keys = [(index, column.key) for index, column in mapping.items()]
    records = table.records
    raw_rows = table.raw
    for line, cells in source.rows:
        if _is_blank(cells):
            continue
        if len(records) >= max_rows:
            raise too_many_rows(max_rows)
        record: dict[str, str | None] = {}
        width = len(cells)
        for index, key in keys:
            value = cells[index] if index < width else None
            if value:
                value = value.strip()
                if value.startswith("'"):
                    value = unneutralize(value).strip()
            record[key] = value or None
        records.append((line, record))
        raw_rows[line] = tuple(cells)
    return table


def _missing_header(
    first_rows: list[tuple[int, list[str | None]]],
    required: Sequence[Column],
    delimiter: str | None,
) -> ValidationFailed:
    names = "; ".join(f"{c.label} ({'/'.join((*c.aliases[1:], c.key))})" for c in required)
    seen = first_rows[0][1] if first_rows else []
    hint: Message | str = ""
    if delimiter is not None:
        joined = "".join(c or "" for c in seen)
        others = [_DELIMITER_NAMES[d] for d in DELIMITERS if d != delimiter and d in joined]
        if others:
            hint = _(
                " (read with {delimiter} as separator, but the header also has {others}: "
                "check the separator)",
                delimiter=_DELIMITER_NAMES[delimiter],
                others=Joined(others),
            )
        else:
            hint = _(" (read with {delimiter} as separator)", delimiter=_DELIMITER_NAMES[delimiter])
    shown = ", ".join(f"“{(c or '').strip()}”" for c in seen[:12] if c and c.strip())
    return ValidationFailed(
        _(
            "No row among the first {rows} names every required column{hint}. First row "
            "read: {shown}. Required columns: {names}",
            rows=_HEADER_SEARCH_ROWS,
            hint=hint,
            shown=shown or "-",
            names=names,
        ),
        errors=[
            FieldError(
                "header", _("missing required column {label} ({key})", label=c.label, key=c.key)
            )
            for c in required
        ],
    )


class Joined(Message):
    """Messages joined with ", " in the rendering language."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Message]) -> None:
        super().__init__(", ")
        self.parts = list(parts)

    def render(self, locale: str | None = None) -> str:
        return ", ".join(p.render(locale) for p in self.parts)


# --- value vocabularies ------------------------------------------------------------------


class Choices:
    """Codes and the words people write for them (Chinese labels, English codes, names):
    `parse` folds the input (`fold_text`) and returns the code, or None when unknown.
    Build one per enumeration from the same labels `/labels` serves."""

    def __init__(self, words: Mapping[str, Sequence[str]]) -> None:
        self._by_word: dict[str, str] = {}
        for code, names in words.items():
            for word in (code, *names):
                self._by_word[fold_text(word)] = code
        # The folded words that are their own fold: a value equal to one of them folds to
        # itself, so looking it up unfolded gives what `parse` gives (no fold per cell for
        # the words as the labels write them: `medium`, `中型`, `330000`).
        self._as_folded = {w: c for w, c in self._by_word.items() if fold_text(w) == w}
        self.codes = list(words)

    def parse(self, value: str) -> str | None:
        """The code `value` names, or None."""
        code = self._as_folded.get(value)
        if code is not None:
            return code
        return self._by_word.get(fold_text(value))

    def coerce(self, value: str | None) -> str | None:
        """The code `value` names, or `value` unchanged (the schema then refuses it with
        its own message); None stays None."""
        if value is None:
            return None
        code = self._as_folded.get(value)  # `parse` inline: runs for cells of every row
        if code:
            return code
        return self._by_word.get(fold_text(value)) or value


# --- the refused rows, downloadable ------------------------------------------------------

REASON_HEADER = "拒绝原因"
LINE_HEADER = "原文件行号"


def refused_rows_xlsx(table: Table, reasons: dict[int, str], title: str = "未导入的行") -> bytes:
    """An .xlsx of the refused rows as they were in the file (the file's own header), with
    the file's line number first and the reason last — fix the rows and import this file
    again (the two added columns are ignored on import). Written by `iims_common.exports`
    (text cells, never formulas; printable)."""
    from iims_common.exports import Sheet, xlsx

    header = [LINE_HEADER, *[(h or "").strip() for h in table.header], REASON_HEADER]
    width = len(table.header)
    rows = []
    for line in sorted(reasons):
        cells = list(table.raw.get(line, []))[:width]
        cells += [None] * (width - len(cells))
        rows.append([line, *cells, reasons[line]])
    return xlsx(Sheet(title, header, rows))
