"""What the document library accepts: file types (declared type, file extension and the
file's own first bytes must agree) and size. The list is the platform's choice: the formats
the programme's materials come in (讲义 PDF/Office, templates, images, plain text)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from iims_common.errors import FieldError, PayloadTooLarge, ValidationFailed
from iims_common.i18n import Message, _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt (Compound File Binary)
ZIP = b"PK\x03\x04"  # .docx/.xlsx/.pptx/.zip (Office Open XML is a zip package)


@dataclass(frozen=True)
class FileType:
    media_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]  # empty: text (must be UTF-8 without NUL)


FILE_TYPES: tuple[FileType, ...] = (
    FileType("application/pdf", (".pdf",), (b"%PDF-",)),
    FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), (ZIP,)),
    FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), (ZIP,)),
    FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",), (ZIP,)),
    FileType("application/msword", (".doc",), (OLE,)),
    FileType("application/vnd.ms-excel", (".xls",), (OLE,)),
    FileType("application/vnd.ms-powerpoint", (".ppt",), (OLE,)),
    FileType("application/zip", (".zip",), (ZIP,)),
    FileType("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    FileType("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    FileType("text/plain", (".txt",), ()),
    FileType("text/csv", (".csv",), ()),
)  # fmt: skip
BY_MEDIA_TYPE = {t.media_type: t for t in FILE_TYPES}
FORBIDDEN_NAME_CHARS = set('/\\:*?"<>|\x00')


def clean_filename(name: str) -> str | None:
    """The file name as stored (NFC, no path, no control characters), or None if unusable."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > 255 or name in (".", ".."):
        return None
    if any(c in FORBIDDEN_NAME_CHARS or unicodedata.category(c) == "Cc" for c in name):
        return None
    return name


def check_file(filename: str, media_type: str, content: bytes, max_bytes: int) -> tuple[str, str]:
    """(clean file name, media type) of an acceptable upload.

    Raises PayloadTooLarge (413) over `max_bytes`, ValidationFailed (422, naming the field) for
    an empty file, a bad name, a type not accepted, an extension that does not fit the type,
    or content whose first bytes are not that type's.
    """
    if len(content) > max_bytes:
        raise PayloadTooLarge(
            _("The file is larger than {max_bytes} bytes", max_bytes=max_bytes), max_bytes=max_bytes
        )
    media = media_type.split(";")[0].strip().lower()
    name = clean_filename(filename)

    def bad(field: str, message: Message) -> ValidationFailed:
        return ValidationFailed(
            _("The file cannot be accepted"), errors=[FieldError(field, message)]
        )

    if not content:
        raise bad("content", _("the file is empty"))
    if name is None:
        raise bad("filename", _("a file name without path separators or control characters"))
    kind = BY_MEDIA_TYPE.get(media)
    if kind is None:
        raise bad("content-type", _("accepted: {types}", types=", ".join(BY_MEDIA_TYPE)))
    if not name.lower().endswith(kind.extensions):
        raise bad(
            "filename",
            _(
                "a {media} file ends with {extensions}",
                media=media,
                extensions=" / ".join(kind.extensions),
            ),
        )
    if kind.magic:
        if not content.startswith(kind.magic):
            raise bad("content", _("the file's content is not {media}", media=media))
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise bad("content", _("text files are accepted in UTF-8")) from None
        if "\x00" in text:
            raise bad("content", _("a text file contains no NUL characters"))
    return name, media
