"""Checking uploaded files by their bytes, not by their names: a PDF must start like a PDF, a spreadsheet
must be an Office Open XML package, a CSV must be text. Everything that accepts a file goes through here."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from sourcing.errors import DomainError
from sourcing.tenancy import uuid7

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"  # CSV and other delimited text

DOCUMENTS = frozenset({PDF, PNG, JPEG, XLSX, DOCX})
SPREADSHEETS = frozenset({XLSX, TEXT})

_SNIFF_BYTES = 8192
_LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", XLSX: "Excel (.xlsx)", DOCX: "Word (.docx)", TEXT: "CSV"}


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None when they match nothing allowed anywhere."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if head and b"\x00" not in head:
        return TEXT  # no magic number and no NUL bytes: delimited text (its encoding is checked on reading)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return TEXT  # UTF-16 text starts with its byte-order mark and is full of NUL bytes
    return None


def check_upload(
    upload: IO[bytes],
    *,
    allowed: Iterable[str],
    field: str = "file",
    max_bytes: int | None = None,
) -> str:
    """The content type of ``upload`` if its bytes are one of ``allowed`` and its size is within the limit;
    otherwise a DomainError naming ``field``. The file is left at its start."""
    allowed = frozenset(allowed)
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    if size == 0:
        raise DomainError(_("The file is empty."), fields={field: [_("The file is empty.")]})
    if size > limit:
        message = _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": f"{size / 1_048_576:.1f}",
            "limit": f"{limit / 1_048_576:.0f}",
        }
        raise DomainError(message, fields={field: [message]})
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    found = sniff(head)
    if found not in allowed:
        expected = ", ".join(sorted(_LABELS.get(a, a) for a in allowed))
        message = _("The file's contents are not an accepted type (accepted: %(expected)s).") % {"expected": expected}
        raise DomainError(message, fields={field: [message]})
    return found


EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", XLSX: ".xlsx", DOCX: ".docx", TEXT: ".csv"}


@dataclass(frozen=True)
class Accepted:
    """An upload whose bytes passed ``check_upload``: what a record keeps about it besides the file."""

    file: IO[bytes]
    content_type: str
    size: int
    file_name: str  # the person's file name (no folders), kept only as data for the download


def accept_upload(
    upload: IO[bytes],
    *,
    allowed: Iterable[str],
    file_name: str = "",
    fallback: str = "file",
    field: str = "file",
    max_bytes: int | None = None,
) -> Accepted:
    """Check ``upload`` by its bytes (a DomainError naming ``field`` otherwise) and measure it. Without a
    usable name of its own it is called ``fallback`` plus the extension of its type."""
    content_type = check_upload(upload, allowed=allowed, field=field, max_bytes=max_bytes)
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    name = os.path.basename(file_name or getattr(upload, "name", "") or "")[:255]
    return Accepted(upload, content_type, size, name or f"{fallback}{EXTENSIONS.get(content_type, '')}")


def store_upload(target: FieldFile, accepted: Accepted) -> str:
    """Put an accepted upload in a file field of a record (the record is not saved) and return the stored
    name. It is stored under a name of our own; the person's file name never reaches the storage."""
    target.save(f"{uuid7()}{EXTENSIONS.get(accepted.content_type, '')}", File(accepted.file), save=False)
    return str(target.name)


def delete_files_on_commit(files: Iterable[FieldFile]) -> None:
    """Delete these stored files once the current transaction commits (kept if it rolls back). The names
    are read now, so the records may be deleted before the commit."""
    stored = [(f.storage, str(f.name)) for f in files if f]
    if not stored:
        return

    def delete() -> None:
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(delete)
