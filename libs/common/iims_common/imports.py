"""What every bulk import shares around the reader (`iims_common.tabular`): reading the
upload within a size limit, the report's common fields, and the refused rows kept as an
.xlsx for the importer to download (`GET …/imports/{id}/refused-rows`).

A service declares the table on its own metadata (`import_reports_table(Base.metadata)`)
and creates it in its own migration; downloads are allowed to the caller who imported (same
role and subject) and to national roles, and expire after `RETENTION`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import UTCDateTime, utcnow
from iims_common.errors import FieldError, NotFound, PayloadTooLarge
from iims_common.i18n import _
from iims_common.identifiers import is_ascii_digits
from iims_common.identity import Caller
from iims_common.ids import new_id

RETENTION = dt.timedelta(days=7)


def import_reports_table(metadata: sa.MetaData) -> sa.Table:
    """The `import_reports` table on a service's metadata: one row per import that refused
    rows, holding the refused rows as .xlsx bytes."""
    return sa.Table(
        "import_reports",
        metadata,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


class ImportSummary(BaseModel):
    """The fields every import report has (a service adds its `errors` list)."""

    received: int = Field(description="data rows read (blank rows are not counted)")
    created: int
    updated: int
    rejected: int
    format: str | None = Field(None, description="csv | xlsx | json")
    encoding: str | None = Field(None, description="the text encoding read (CSV)")
    delimiter: str | None = Field(None, description="the separator read (CSV)")
    ignored_columns: list[str] = Field(
        default_factory=list, description="headers no column accepts (ignored)"
    )
    refused_rows_url: str | None = Field(
        None, description="the refused rows as .xlsx with a 拒绝原因 column (7 days)"
    )


async def read_upload(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with 413 beyond `max_bytes` (by Content-Length when it is a
    number, and while streaming in any case; a malformed Content-Length is ignored)."""
    declared = request.headers.get("content-length", "").strip()
    if is_ascii_digits(declared) and int(declared) > max_bytes:
        raise PayloadTooLarge(_("At most {limit} bytes per import", limit=max_bytes))
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > max_bytes:
            raise PayloadTooLarge(_("At most {limit} bytes per import", limit=max_bytes))
    return bytes(raw)


async def copy_to_temp_table(
    session: AsyncSession,
    name: str,
    columns: Sequence[tuple[str, str]],
    records: Iterable[Sequence[Any]],
    *,
    again: bool = False,
) -> None:
    """PostgreSQL only: a temporary table `name` with `columns` ((name, SQL type) pairs),
    dropped at the end of the session's transaction, filled with `records` by `COPY` on the
    session's own connection (so a set-based statement after it sees them in the same
    transaction). `again`: the table exists (made by an earlier call in this transaction)
    and is emptied first. `name` and the types are the caller's constants, never user
    input."""
    conn = await session.connection()
    if again:
        await conn.execute(sa.text(f"TRUNCATE {name}"))
    else:
        ddl = ", ".join(f"{column} {sql_type}" for column, sql_type in columns)
        await conn.execute(sa.text(f"CREATE TEMPORARY TABLE {name} ({ddl}) ON COMMIT DROP"))
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # asyncpg's connection: COPY in its binary format
    assert driver is not None
    await driver.copy_records_to_table(name, records=records, columns=[c for c, _ in columns])


def _owner(caller: Caller) -> str:
    return caller.client_key


async def store_refused(
    session: AsyncSession, table: sa.Table, caller: Caller, kind: str, refused: int, content: bytes
) -> uuid.UUID:
    """Keep the refused rows of one import; expired ones are deleted on the way."""
    now = utcnow()
    await session.execute(sa.delete(table).where(table.c.created_at < now - RETENTION))
    report_id = new_id()
    await session.execute(
        sa.insert(table).values(
            id=report_id,
            kind=kind,
            owner=_owner(caller),
            created_at=now,
            refused=refused,
            content=content,
        )
    )
    return report_id


async def load_refused(
    session: AsyncSession, table: sa.Table, caller: Caller, kind: str, report_id: uuid.UUID
) -> bytes:
    """The refused rows of an import by its id: for the caller who imported, or a national
    role; anything else (or expired) is a plain 404."""
    stmt = sa.select(table.c.content).where(
        table.c.id == report_id,
        table.c.kind == kind,
        table.c.created_at >= utcnow() - RETENTION,
    )
    if not caller.is_national:
        stmt = stmt.where(table.c.owner == _owner(caller))
    content = (await session.execute(stmt)).scalar_one_or_none()
    if content is None:
        raise NotFound(
            _("No refused rows for this import (expired, or not yours)"),
            errors=[FieldError("import_id", _("unknown"))],
        )
    return bytes(content)
