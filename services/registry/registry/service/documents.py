"""资料 use cases: a document's record (restricted or public), list and read (public ones also
without login), change (the ministry or the management organization), upload a version (the
publisher, or the province for its own 报送 attachment), a version's file. Authorized through
`DOCUMENT`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import NotFound, PayloadTooLarge
from iims_common.i18n import _
from iims_common.identity import Caller
from registry.db.work import Document, DocumentVersion
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import DOCUMENT


async def create(session: AsyncSession, caller: Caller, command: w.DocumentCreate) -> Document:
    """The record; its file is uploaded with `upload` (each upload a version)."""
    return await work.create_document(session, caller, command)


def query(
    caller: Caller,
    *,
    category: w.DocumentCategory | None = None,
    access: w.Access | None = None,
) -> sa.Select[Document]:
    return DOCUMENT.query(caller, category=category, access=access)


def public_query(category: w.DocumentCategory | None = None) -> sa.Select[Document]:
    """ "有关资料还可以上网下载": the public documents that have a file (no login)."""
    return DOCUMENT.query(None, category=category).where(Document.current_version > 0)


async def get(session: AsyncSession, caller: Caller, document_id: uuid.UUID) -> Document:
    return await DOCUMENT.load(session, caller, document_id)


async def change(
    session: AsyncSession,
    caller: Caller,
    document_id: uuid.UUID,
    command: w.DocumentUpdate,
    *,
    if_match: str | None,
) -> Document:
    DOCUMENT.authorize(caller, "update")
    doc = await DOCUMENT.load(session, caller, document_id, for_update=True, if_match=if_match)
    for field, value in command.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(doc, field, value)
    await session.flush()
    return doc


async def upload(
    session: AsyncSession,
    caller: Caller,
    document_id: uuid.UUID,
    *,
    if_match: str | None,
    declared_bytes: int,
    read: Callable[[], Awaitable[bytes]],
    filename: str,
    media_type: str,
    max_bytes: int,
) -> tuple[Document, DocumentVersion]:
    """A new version: type, extension and content must agree; larger than `max_bytes` (as
    declared, before reading, or as read) is a 413."""
    doc = await DOCUMENT.load(session, caller, document_id, for_update=True, if_match=if_match)
    if declared_bytes > max_bytes:
        raise PayloadTooLarge(
            _("The file is larger than {document_max_bytes} bytes", document_max_bytes=max_bytes),
            max_bytes=max_bytes,
        )
    version = await work.upload(
        session,
        caller,
        doc,
        filename=filename,
        media_type=media_type,
        content=await read(),
        max_bytes=max_bytes,
    )
    await session.flush()
    return doc, version


async def version_of(
    session: AsyncSession, caller: Caller | None, document_id: uuid.UUID, number: int | None
) -> tuple[Document, DocumentVersion]:
    """The document's version `number` (default: the current one); `caller=None`: public."""
    doc = await DOCUMENT.load(session, caller, document_id)
    n = number or doc.current_version
    version = (
        await session.scalars(
            sa.select(DocumentVersion).where(
                DocumentVersion.document_id == doc.id, DocumentVersion.number == n
            )
        )
    ).first()
    if version is None:
        raise NotFound(_("Document {id} has no version {n}", id=doc.id, n=n))
    return doc, version


async def detail(session: AsyncSession, caller: Caller, document_id: uuid.UUID) -> w.DocumentDetail:
    """A document with every version of its file (newest first)."""
    doc = await get(session, caller, document_id)
    return w.DocumentDetail.model_validate(
        {**w.DocumentOut.model_validate(doc).model_dump(),
         "versions": [w.DocumentVersionOut.model_validate(v) for v in await versions(session, doc)]}
    )  # fmt: skip


async def versions(session: AsyncSession, doc: Document) -> list[DocumentVersion]:
    """Every version of a document already read, newest first."""
    rows = await session.scalars(
        sa.select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id)
        .order_by(DocumentVersion.number.desc())
    )
    return list(rows.all())
