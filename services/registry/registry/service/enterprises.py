"""Enterprise use cases: register, update, bulk import (CSV / .xlsx / JSON, 10^5 rows)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import is_postgres, upsert_insert, utcnow
from iims_common.errors import (
    Conflict,
    FieldError,
    RuleViolation,
    ValidationFailed,
    field_path,
)
from iims_common.events.outbox import contract_row, outbox_written
from iims_common.http import check_if_match
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier, fold_text
from iims_common.identity import Caller, Role
from iims_common.ids import iter_new_ids, new_id
from iims_common.imports import copy_to_temp_table, store_refused
from iims_common.tabular import (
    Choices,
    Column,
    Table,
    media_type_of,
    read_table,
    refused_rows_xlsx,
    too_many_rows,
)
from iims_contracts.registry import EnterpriseRegistered
from registry.db import repository
from registry.db.tables import Enterprise, import_reports
from registry.domain.enums import EnterpriseSize, EnterpriseStatus
from registry.domain.reference import PROVINCES, industry_from_words, province_words
from registry.events import publish
from registry.service import dto
from registry.service.policies import ENTERPRISE

IMPORT_COLUMNS = list(dto.EnterpriseCreate.model_fields)
_IMPORT_KEYS = frozenset(IMPORT_COLUMNS)
_row_adapter = TypeAdapter(dto.EnterpriseCreate)
CHUNK = 2000
ENTERPRISES = cast(sa.Table, Enterprise.__table__)


def _check_own_province(caller: Caller, province_code: str) -> None:
    if caller.role is Role.province and province_code != caller.province_code:
        raise RuleViolation(
            "enterprise.own-province",
            _(
                "A province registers only enterprises of its own province ({province})",
                province=PROVINCES.get(caller.province_code or "", caller.province_code),
            ),
            errors=[
                FieldError(
                    "province_code",
                    _("must be {province_code}", province_code=caller.province_code),
                )
            ],
        )


async def register(session: AsyncSession, caller: Caller, body: dto.EnterpriseCreate) -> Enterprise:
    _check_own_province(caller, body.province_code)
    existing = await repository.enterprise_by_uscc(session, body.uscc)
    if existing:
        raise Conflict(
            _("An enterprise with USCC {uscc} is already registered", uscc=body.uscc),
            existing_id=str(existing.id),
        )
    enterprise = Enterprise(**body.model_dump(), status=EnterpriseStatus.registered)
    session.add(enterprise)
    await session.flush()
    await publish.enterprise_registered(session, enterprise)
    return enterprise


async def update(
    session: AsyncSession, caller: Caller, enterprise: Enterprise, body: dto.EnterpriseUpdate
) -> Enterprise:
    changes = body.model_dump(exclude_unset=True)
    if "status" in changes and changes["status"] not in (
        EnterpriseStatus.deregistered,
        EnterpriseStatus.registered,
    ):
        raise RuleViolation(
            "enterprise.status-derived",
            _(
                "'pilot' and 'certified' follow from the programme; set only registered/deregistered"
            ),
        )
    for name, value in changes.items():
        if value is None and name in ("name", "province_code", "industry_code", "size", "status"):
            raise ValidationFailed(errors=[FieldError(name, _("may not be null"))])
        setattr(enterprise, name, value)
    await session.flush()
    return enterprise


# --- bulk import -------------------------------------------------------------------------
# bytes → rows with the file's line numbers (iims_common.tabular, shared by every import)
# → the words people write translated to codes (the same `/labels` lists) → validated
# records (the API's own schema) → upserted in chunks. Each layer is separate so a faster
# writer can replace the last one.

ENTERPRISE_COLUMNS = [
    Column("uscc", ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "USCC"), True),
    Column("name", ("企业名称", "单位名称", "名称", "企业"), True),
    Column(
        "province_code",
        ("所在省份代码", "省份代码", "所在省份", "省份", "所在地区", "省", "province"),
        True,
    ),
    Column("industry_code", ("行业门类", "行业代码", "所属行业", "行业", "industry"), True),
    Column("size", ("企业规模", "规模"), True),
    Column("address", ("地址", "通讯地址", "企业地址", "注册地址")),
    Column("contact_name", ("联系人", "联系人姓名")),
    Column("contact_phone", ("联系电话", "电话", "手机", "联系人电话", "phone")),
    Column("contact_email", ("电子邮箱", "邮箱", "电子邮件", "email", "e-mail")),
]
RECOMMENDATION_COLUMNS = [
    *ENTERPRISE_COLUMNS,
    Column("reason", ("推荐理由", "推荐意见", "备注", "reason")),
]
COLUMN_LABELS = {c.key: c.label for c in RECOMMENDATION_COLUMNS}
SIZES = Choices({s.value: [s.label, s.label + "企业"] for s in EnterpriseSize})
PROVINCE_NAMES = Choices(province_words())
_SIZE_WORDS = "、".join(s.label for s in EnterpriseSize)


@dataclass
class ImportResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dto.ImportRowError] = field(default_factory=list)
    table: Table | None = None
    recommended: int | None = None

    def report(self, refused_rows_url: str | None = None) -> dto.ImportReport:
        t = self.table
        return dto.ImportReport(
            received=self.received,
            created=self.created,
            updated=self.updated,
            rejected=len(self.errors),
            errors=self.errors,
            format=t.format if t else "json",
            encoding=t.encoding if t else None,
            delimiter=t.delimiter if t else None,
            ignored_columns=t.ignored if t else [],
            refused_rows_url=refused_rows_url,
            recommended=self.recommended,
        )

    def refused_rows(self) -> bytes | None:
        """The refused rows as .xlsx (the file's own columns, line, reason), or None for
        JSON or when nothing was refused."""
        if self.table is None or not self.errors:
            return None
        reasons = {
            e.line: "；".join(
                f"{COLUMN_LABELS.get(x['field'], x['field'])}：{x['message']}" for x in e.errors
            )
            for e in self.errors
        }
        return refused_rows_xlsx(self.table, reasons, "未导入的企业")


def _from_words(record: dict[str, str | None]) -> dict[str, Any]:
    """Spreadsheet words → codes: 中型 → medium, 浙江/浙江省 → 330000, 制造业 → C."""
    row: dict[str, Any] = dict(record)
    size = row.get("size")
    if size is not None:
        row["size"] = SIZES.coerce(size)
    province = row.get("province_code")
    if province is not None:
        row["province_code"] = PROVINCE_NAMES.coerce(province)
    industry = row.get("industry_code")
    if industry is not None:
        row["industry_code"] = industry_from_words(fold_identifier(industry))
    return row


def parse_rows(
    raw: bytes,
    content_type: str,
    max_rows: int,
    columns: Sequence[Column] = ENTERPRISE_COLUMNS,
) -> tuple[list[tuple[int, dict[str, Any]]], Table | None]:
    """(line, row) pairs and the table they came from. Files (CSV, .xlsx) go through the
    shared reader — lines are the file's, the header is line 1 unless a title row is above
    it; JSON items count from 1."""
    media, _charset = media_type_of(content_type)
    if media != "application/json":
        table = read_table(raw, content_type, columns, max_rows=max_rows)
        return [(line, _from_words(rec)) for line, rec in table.records], table
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            _("invalid JSON at line {line}, column {column}", line=exc.lineno, column=exc.colno)
            if isinstance(exc, json.JSONDecodeError)
            else _("the body is not UTF-8")
        )
        raise ValidationFailed(
            _("The body is not valid UTF-8 JSON"), errors=[FieldError("body", where)]
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise ValidationFailed(
            errors=[
                FieldError("body", _("expected a JSON array of enterprises (or {items: [...]})"))
            ]
        )
    if len(data) > max_rows:
        raise too_many_rows(max_rows)
    return [(i, row) for i, row in enumerate(data, start=1)], None


def _message(error: Any) -> str:
    """A pydantic error as the import reports it (the size list in Chinese)."""
    if error["loc"] and error["loc"][0] == "size" and error["type"] == "enum":
        return str(
            _(
                "“{value}” is not a size: write {words} (or large/medium/small/micro)",
                value=error["input"],
                words=_SIZE_WORDS,
            )
        )
    return str(error["msg"]).removeprefix("Value error, ")


def validate_rows(
    caller: Caller,
    rows: list[tuple[int, dict[str, Any]]],
    result: ImportResult,
    good: dict[str, tuple[int, dict[str, Any]]] | None = None,
) -> dict[str, tuple[int, dict[str, Any]]]:
    """Good rows keyed by USCC; bad rows go to `result.errors` with their line and reason.
    `good`: the good rows of the file's earlier parts (a USCC seen there is a duplicate),
    added to and returned."""
    good = {} if good is None else good
    for line, row in rows:
        if not isinstance(row, dict):
            result.errors.append(
                dto.ImportRowError(line=line, errors=[{"field": "row", "message": "not an object"}])
            )
            continue
        try:
            item = _row_adapter.validate_python(
                # extra columns ignored; a row with none (every row of an enterprise file)
                # is validated as it is — pydantic does not change its input
                row
                if row.keys() <= _IMPORT_KEYS
                else {k: v for k, v in row.items() if k in _IMPORT_KEYS}
            )
        except ValidationError as exc:
            result.errors.append(
                dto.ImportRowError(
                    line=line,
                    uscc=str(row.get("uscc")) if row.get("uscc") is not None else None,
                    errors=[
                        {"field": field_path(e["loc"]), "message": _message(e)}
                        for e in exc.errors()
                    ],
                )
            )
            continue
        if caller.role is Role.province and item.province_code != caller.province_code:
            result.errors.append(
                dto.ImportRowError(
                    line=line,
                    uscc=item.uscc,
                    errors=[
                        {
                            "field": "province_code",
                            "message": f"must be {caller.province_code} (your province)",
                        }
                    ],
                )
            )
            continue
        if item.uscc in good:
            result.errors.append(
                dto.ImportRowError(
                    line=line,
                    uscc=item.uscc,
                    errors=[
                        {
                            "field": "uscc",
                            "message": f"duplicate of line {good[item.uscc][0]} in this file",
                        }
                    ],
                )
            )
            continue
        good[item.uscc] = (line, item.model_dump(mode="json"))
    return good


async def import_enterprises(
    session: AsyncSession, caller: Caller, raw: bytes, content_type: str, max_rows: int
) -> ImportResult:
    """Import a file (CSV/.xlsx/JSON): good rows upserted by USCC, bad rows reported with
    their line and reason (and kept as .xlsx by the route)."""
    rows, table = parse_rows(raw, content_type, max_rows)
    result = ImportResult(received=len(rows), table=table)
    if is_postgres(session):
        await _import_in_parts(session, caller, rows, result)
        result.errors.sort(key=lambda e: e.line)
        return result
    items = list(validate_rows(caller, rows, result).items())
    # SQLite (`make run`): multi-row upserts in chunks
    for start in range(0, len(items), CHUNK):
        await _upsert_chunk(session, caller, items[start : start + CHUNK], result)
    result.errors.sort(key=lambda e: e.line)
    return result


# PostgreSQL: the file goes in parts of PART rows, so that validating part n+1 (Python)
# overlaps PostgreSQL writing part n (on a quiet 2-core machine both had a core of their
# own; validation was ~1/3 of an import's wall time, the statement ~1/2: bench/README.md,
# third round). The statement of a part is sent before the next part is validated, and the
# validation yields to the event loop every VALIDATE_SLICE rows so the driver's round trips
# go on meanwhile. Lines, errors, duplicates across parts and the order of the events are
# those of the whole file.
PART = 20_000
VALIDATE_SLICE = 2_000


async def _import_in_parts(
    session: AsyncSession,
    caller: Caller,
    rows: list[tuple[int, dict[str, Any]]],
    result: ImportResult,
) -> None:
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    writing: asyncio.Future[None] | None = None
    staged = False
    try:
        for start in range(0, len(rows), PART):
            before = len(good)
            for s in range(start, min(start + PART, len(rows)), VALIDATE_SLICE):
                validate_rows(caller, rows[s : min(s + VALIDATE_SLICE, start + PART)], result, good)
                await asyncio.sleep(0)  # the part being written makes progress
            items = list(itertools.islice(good.items(), before, None))
            if writing is not None:
                await writing
                writing = None
            if items:
                writing = asyncio.ensure_future(
                    _upsert_staged(session, caller, items, result, again=staged)
                )
                staged = True
                await asyncio.sleep(0)  # sent before the next part is validated
        if writing is not None:
            await writing
            writing = None
    finally:
        if writing is not None:  # validation failed meanwhile: the transaction rolls back
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing


# PostgreSQL: the validated rows are COPY'd into a temporary staging table and written by one
# set-based statement (upsert + the outbox rows of the created enterprises). The profile of
# the chunked upsert (bench/README.md): ~2/3 of the wall time waited on PostgreSQL for the
# multi-row VALUES upserts with RETURNING and the outbox INSERTs, ~1/4 of the CPU went to
# SQLAlchemy binding 10^5 parameter sets (JSON encoding of the outbox payloads included);
# building each event in Python (contract validation, envelope, JSON) then cost more CPU
# than validating the rows, so the statement builds them: the envelope is the contract's
# (`contract_row` of the first row, per-event fields replaced), `data` the staged columns.
_STAGING = "enterprise_import_staging"
_STAGED_COLUMNS: list[tuple[str, str]] = [
    ("line", "integer"),
    ("id", "uuid"),
    *((c, "text") for c in IMPORT_COLUMNS),
    ("name_folded", "text"),
    ("event_id", "uuid"),
]
# `EnterpriseRegistered.data` from a staged row: every field of the contract, from the
# validated row (`EnterpriseCreate` checks the same types); a test compares it with the
# contract's own rendering.
_EVENT_DATA = {
    "enterprise_id": "s.id::text",
    "uscc": "s.uscc",
    "name": "s.name",
    "province_code": "s.province_code",
    "industry_code": "s.industry_code",
    "size": "s.size",
}
assert set(_EVENT_DATA) == set(EnterpriseRegistered.model_fields), "contract changed"


def _event_json(envelope: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The SQL expression of an imported enterprise's event (JSON text of type `json`) and
    its bound parameters: the contract's envelope (`contract_row` of the first row) with `id`,
    `subject` and `data` taken from the staged row. Concatenated text, not
    `jsonb_build_object`: half the cost per row (bench/README.md, fifth round); each value
    goes through `to_json`, so names with quotes or backslashes stay valid JSON (the cast to
    `json` checks it)."""
    parts: list[str] = []
    params: dict[str, str] = {}
    literal: list[str] = []

    def flush() -> None:
        if literal:
            name = f"event_text_{len(params)}"
            params[name] = "".join(literal)
            parts.append(f"CAST(:{name} AS text)")
            literal.clear()

    def value(expr: str) -> None:
        flush()
        parts.append(f"coalesce(to_json({expr})::text, 'null')")

    literal.append("{")
    for n, (key, constant) in enumerate(envelope.items()):
        literal.append((", " if n else "") + json.dumps(key) + ": ")
        if key == "id":
            value("s.event_id::text")
        elif key == "subject":
            value("s.id::text")
        elif key == "data":
            literal.append("{")
            for m, (field, expr) in enumerate(_EVENT_DATA.items()):
                literal.append((", " if m else "") + json.dumps(field) + ": ")
                value(expr)
            literal.append("}")
        else:
            literal.append(json.dumps(constant, ensure_ascii=False))
    literal.append("}")
    flush()
    return "CAST(" + " || ".join(parts) + " AS json)", params


def _staging_records(
    items: list[tuple[str, tuple[int, dict[str, Any]]]],
) -> Iterator[tuple[Any, ...]]:
    """The staged rows (`_STAGED_COLUMNS`) of validated rows, in their order: line, the
    enterprise's id, the import columns (`row.get` through `map`: no generator per row), the
    folded name, the event's id — the two ids of a row are consecutive ids of one
    `iter_new_ids` reservation (made here, before the first record), as they were of
    `new_ids`. Made as COPY takes them: 10^5 records and 2·10^5 ids alive at once were
    tracked objects that made the garbage collector's full passes more frequent and longer
    (those passes were ~1/3 of the CPU of parse + validation + staging records)."""
    ids = iter_new_ids(2 * len(items))
    columns = IMPORT_COLUMNS
    return (
        (line, next(ids), *map(row.get, columns), fold_text(row["name"]), next(ids))
        for _uscc, (line, row) in items
    )


async def _upsert_staged(
    session: AsyncSession,
    caller: Caller,
    items: list[tuple[str, tuple[int, dict[str, Any]]]],
    result: ImportResult,
    *,
    again: bool = False,
) -> None:
    """Upsert the good rows by USCC and record `EnterpriseRegistered` for each created one,
    in the session's transaction; a province's rows registered in another province are
    refused (as by `_upsert_chunk`). `again`: the staging table exists (an earlier part)."""
    if not items:
        return
    now = utcnow()
    first = items[0][1][1]
    template = contract_row(publish.enterprise_registered_event({**first, "id": new_id()}), now=now)
    event_json, event_params = _event_json(template["payload"])
    records = _staging_records(items)
    await copy_to_temp_table(session, _STAGING, _STAGED_COLUMNS, records, again=again)
    if caller.role is Role.province:
        elsewhere = await session.execute(
            sa.text(
                f"DELETE FROM {_STAGING} s USING enterprises e WHERE e.uscc = s.uscc"
                " AND e.province_code <> :province RETURNING s.line, s.uscc"
            ),
            {"province": caller.province_code},
        )
        for line, uscc in elsewhere:
            result.errors.append(
                dto.ImportRowError(
                    line=line,
                    uscc=uscc,
                    errors=[{"field": "uscc", "message": "registered in another province"}],
                )
            )
    columns = ", ".join(IMPORT_COLUMNS)
    # The events are sorted by line (their `seq` order is the file's): in memory, not in
    # the default 4 MB that spilled a part's sort to disk.
    await session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    updates = ", ".join(f"{c} = excluded.{c}" for c in IMPORT_COLUMNS if c != "uscc")
    # Created by this import: the rows the upsert inserted — they keep the staged id and
    # version 1 (an updated row returns its own id and a higher version). This used to be
    # `NOT EXISTS (enterprises with the USCC)` in the snapshot from before the statement:
    # planned as a nested loop over a sequential scan of enterprises (whose statistics say
    # "small" after a fresh start), every probe also read the pages the upsert had just
    # filled — quadratic (5,000 rows: 1.3 s of 1.9; 30,000 rows: 57 s) — and it named an
    # enterprise that a concurrent import inserted first "created" by both imports.
    counted = await session.execute(
        sa.text(
            f"""
            WITH upserted AS (
                INSERT INTO enterprises (id, {columns}, name_folded, status, created_at,
                                         updated_at, version)
                SELECT id, {columns}, name_folded, :status, :now, :now, 1 FROM {_STAGING}
                ON CONFLICT (uscc) DO UPDATE SET {updates},
                    name_folded = excluded.name_folded, updated_at = excluded.updated_at,
                    version = enterprises.version + 1
                RETURNING id, version
            ), events AS (
                INSERT INTO outbox (event_id, topic, key, type, payload, headers, created_at)
                SELECT s.event_id, :topic, s.id::text, :type, {event_json},
                       CAST(:headers AS json), :now
                FROM {_STAGING} s JOIN upserted u ON u.id = s.id AND u.version = 1
                ORDER BY s.line
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM upserted), (SELECT count(*) FROM events)
            """
        ).bindparams(
            sa.bindparam("now", type_=sa.DateTime(timezone=True)),
        ),
        {
            "status": EnterpriseStatus.registered.value,
            "now": now,
            "topic": template["topic"],
            "type": template["type"],
            "headers": json.dumps(template["headers"]),
            **event_params,
        },
    )
    written, created = counted.one()
    result.created += created
    result.updated += written - created
    if created:
        await outbox_written(session)


async def _upsert_chunk(
    session: AsyncSession,
    caller: Caller,
    chunk: list[tuple[str, tuple[int, dict[str, Any]]]],
    result: ImportResult,
) -> None:
    usccs = [u for u, _ in chunk]
    existing = {
        u: p
        for u, p in await session.execute(
            sa.select(Enterprise.uscc, Enterprise.province_code).where(Enterprise.uscc.in_(usccs))
        )
    }
    now = utcnow()
    values = []
    for uscc, (line, row) in chunk:
        if (
            caller.role is Role.province
            and uscc in existing
            and existing[uscc] != caller.province_code
        ):
            result.errors.append(
                dto.ImportRowError(
                    line=line,
                    uscc=uscc,
                    errors=[{"field": "uscc", "message": "registered in another province"}],
                )
            )
            continue
        values.append(
            {
                **row,
                "name_folded": fold_text(row["name"]),
                "id": new_id(),
                "status": EnterpriseStatus.registered.value,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    if not values:
        return
    base = upsert_insert(session, ENTERPRISES)  # Core insert: no ORM bookkeeping for 10^5 rows
    updatable = [c for c in IMPORT_COLUMNS if c != "uscc"]
    upsert = base.on_conflict_do_update(
        index_elements=[Enterprise.uscc],
        set_={
            **{c: base.excluded[c] for c in updatable},
            "name_folded": base.excluded.name_folded,
            "updated_at": base.excluded.updated_at,
            "version": base.table.c.version + 1,
        },
    ).returning(base.table.c.id, base.table.c.uscc)
    ids = {uscc: eid for eid, uscc in await session.execute(upsert, values)}
    created = [{**v, "id": ids[v["uscc"]]} for v in values if v["uscc"] not in existing]
    result.created += len(created)
    result.updated += len(values) - len(created)
    await publish.enterprises_registered(session, created)


# --- use cases: the one door per operation on an enterprise ---------------------------------
# `(session, caller[, enterprise_id], command)`: authorize through `ENTERPRISE`, load in scope,
# the rules above, write, record the event.


async def create(
    session: AsyncSession, caller: Caller, command: dto.EnterpriseCreate
) -> Enterprise:
    """企业登记 (a province: of its own province only)."""
    ENTERPRISE.authorize(caller, "register")
    return await register(session, caller, command)


def query(
    caller: Caller,
    *,
    province_code: str | None = None,
    industry_code: str | None = None,
    size: str | None = None,
    status: str | None = None,
    name: str | None = None,
) -> sa.Select[Any]:
    """The caller's enterprises; a section letter matches its divisions; `name` is matched on
    the folded name."""
    return repository.enterprise_list_query(
        caller,
        province_code=province_code,
        industry_code=industry_code,
        size=size,
        status=status,
        name=name,
    )


async def change(
    session: AsyncSession,
    caller: Caller,
    enterprise_id: uuid.UUID,
    command: dto.EnterpriseUpdate,
    *,
    if_match: str | None,
) -> Enterprise:
    """Update (If-Match). In scope first (another province's enterprise is "not found")."""
    enterprise = await ENTERPRISE.load(session, caller, enterprise_id, for_update=True)
    # The role, then the fields it may change (a province moved: the ministry only).
    ENTERPRISE.authorize(caller, "update", command.model_fields_set)
    check_if_match(if_match, enterprise.version)
    return await update(session, caller, enterprise, command)


async def import_file(
    session: AsyncSession,
    caller: Caller,
    upload: Callable[[], Awaitable[bytes]],
    content_type: str,
    max_rows: int,
) -> tuple[ImportResult, uuid.UUID | None]:
    """Bulk import of the file `upload()` reads (read only once the caller may import): the
    outcome, and the id of the stored refused rows (None when every row went in)."""
    ENTERPRISE.authorize(caller, "import")
    result = await import_enterprises(session, caller, await upload(), content_type, max_rows)
    return result, await store_refused_rows(session, caller, result)


IMPORT_KIND = "enterprises"


async def store_refused_rows(
    session: AsyncSession, caller: Caller, result: ImportResult
) -> uuid.UUID | None:
    """Keep the refused rows of an import (enterprises or a recommendation list) as .xlsx."""
    refused = result.refused_rows()
    if refused is None:
        return None
    return await store_refused(
        session, import_reports, caller, IMPORT_KIND, len(result.errors), refused
    )
