"""Enterprise use cases: register, update, bulk import (CSV / JSON, 10^5 rows)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import upsert_insert, utcnow
from iims_common.errors import (
    Conflict,
    FieldError,
    Forbidden,
    RuleViolation,
    ValidationFailed,
    field_path,
)
from iims_common.identity import Caller, Role
from iims_common.ids import new_id
from registry.api import schemas
from registry.db import repository
from registry.db.tables import Enterprise
from registry.domain.enums import EnterpriseStatus
from registry.domain.reference import PROVINCES
from registry.events import publish

CREATORS = (Role.ministry, Role.province, Role.recommender)
EDITORS = (Role.ministry, Role.province, Role.enterprise)
IMPORTERS = (Role.ministry, Role.province)
IMPORT_COLUMNS = list(schemas.EnterpriseCreate.model_fields)
_row_adapter = TypeAdapter(schemas.EnterpriseCreate)
CHUNK = 2000
ENTERPRISES = cast(sa.Table, Enterprise.__table__)


def _check_own_province(caller: Caller, province_code: str) -> None:
    if caller.role is Role.province and province_code != caller.province_code:
        raise RuleViolation(
            "enterprise.own-province",
            f"A province registers only enterprises of its own province "
            f"({PROVINCES.get(caller.province_code or '', caller.province_code)})",
            errors=[FieldError("province_code", f"must be {caller.province_code}")],
        )


async def register(
    session: AsyncSession, caller: Caller, body: schemas.EnterpriseCreate
) -> Enterprise:
    _check_own_province(caller, body.province_code)
    existing = await repository.enterprise_by_uscc(session, body.uscc)
    if existing:
        raise Conflict(
            f"An enterprise with USCC {body.uscc} is already registered",
            existing_id=str(existing.id),
        )
    enterprise = Enterprise(**body.model_dump(), status=EnterpriseStatus.registered)
    session.add(enterprise)
    await session.flush()
    await publish.enterprise_registered(session, enterprise)
    return enterprise


async def update(
    session: AsyncSession, caller: Caller, enterprise: Enterprise, body: schemas.EnterpriseUpdate
) -> Enterprise:
    changes = body.model_dump(exclude_unset=True)
    if "province_code" in changes and caller.role is not Role.ministry:
        raise Forbidden("Only the ministry moves an enterprise to another province")
    if "status" in changes and caller.role not in (Role.ministry, Role.province):
        raise Forbidden("Only the ministry or the enterprise's province (de)registers it")
    if "status" in changes and changes["status"] not in (
        EnterpriseStatus.deregistered,
        EnterpriseStatus.registered,
    ):
        raise RuleViolation(
            "enterprise.status-derived",
            "'pilot' and 'certified' follow from the programme; set only registered/deregistered",
        )
    for name, value in changes.items():
        if value is None and name in ("name", "province_code", "industry_code", "size", "status"):
            raise ValidationFailed(errors=[FieldError(name, "may not be null")])
        setattr(enterprise, name, value)
    await session.flush()
    return enterprise


# --- bulk import -------------------------------------------------------------------------


@dataclass
class ImportResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    errors: list[schemas.ImportRowError] = field(default_factory=list)

    def report(self) -> schemas.ImportReport:
        return schemas.ImportReport(
            received=self.received,
            created=self.created,
            updated=self.updated,
            rejected=len(self.errors),
            errors=self.errors,
        )


def parse_rows(raw: bytes, media_type: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) pairs. CSV lines count the header as line 1; JSON items count from 1."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8", errors=[FieldError("body", f"not UTF-8: {exc.reason}")]
        ) from exc
    if media_type == "application/json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                "The body is not valid JSON", errors=[FieldError("body", str(exc))]
            ) from exc
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"]
        if not isinstance(data, list):
            raise ValidationFailed(
                errors=[
                    FieldError("body", "expected a JSON array of enterprises (or {items: [...]})")
                ]
            )
        return [(i, row) for i, row in enumerate(data, start=1)]
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [
        c for c in ("uscc", "name", "province_code", "industry_code", "size") if c not in header
    ]
    if missing:
        raise ValidationFailed(
            "The CSV header lacks required columns",
            errors=[FieldError("header", f"missing column {c}") for c in missing],
        )
    rows = []
    for row in reader:
        clean = {k: (v if v != "" else None) for k, v in row.items() if k is not None}
        rows.append((reader.line_num, clean))
    return rows


def validate_rows(
    caller: Caller, rows: list[tuple[int, dict[str, Any]]], result: ImportResult
) -> dict[str, tuple[int, dict[str, Any]]]:
    """Good rows keyed by USCC; bad rows go to `result.errors` with their line and reason."""
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, row in rows:
        if not isinstance(row, dict):
            result.errors.append(
                schemas.ImportRowError(
                    line=line, errors=[{"field": "row", "message": "not an object"}]
                )
            )
            continue
        try:
            item = _row_adapter.validate_python(
                {k: v for k, v in row.items() if k in IMPORT_COLUMNS}  # extra columns ignored
            )
        except ValidationError as exc:
            result.errors.append(
                schemas.ImportRowError(
                    line=line,
                    uscc=str(row.get("uscc")) if row.get("uscc") is not None else None,
                    errors=[
                        {
                            "field": field_path(e["loc"]),
                            "message": str(e["msg"]).removeprefix("Value error, "),
                        }
                        for e in exc.errors()
                    ],
                )
            )
            continue
        if caller.role is Role.province and item.province_code != caller.province_code:
            result.errors.append(
                schemas.ImportRowError(
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
                schemas.ImportRowError(
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
    session: AsyncSession, caller: Caller, raw: bytes, media_type: str, max_rows: int
) -> ImportResult:
    rows = parse_rows(raw, media_type)
    if len(rows) > max_rows:
        raise ValidationFailed(
            errors=[FieldError("body", f"{len(rows)} rows; at most {max_rows} per import")]
        )
    result = ImportResult(received=len(rows))
    good = validate_rows(caller, rows, result)
    items = list(good.items())
    for start in range(0, len(items), CHUNK):
        await _upsert_chunk(session, caller, items[start : start + CHUNK], result)
    result.errors.sort(key=lambda e: e.line)
    return result


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
                schemas.ImportRowError(
                    line=line,
                    uscc=uscc,
                    errors=[{"field": "uscc", "message": "registered in another province"}],
                )
            )
            continue
        values.append(
            {
                **row,
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
            "updated_at": base.excluded.updated_at,
            "version": base.table.c.version + 1,
        },
    ).returning(base.table.c.id, base.table.c.uscc)
    ids = {uscc: eid for eid, uscc in await session.execute(upsert, values)}
    created = [{**v, "id": ids[v["uscc"]]} for v in values if v["uscc"] not in existing]
    result.created += len(created)
    result.updated += len(values) - len(created)
    await publish.enterprises_registered(session, created)
