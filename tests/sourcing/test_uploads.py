from __future__ import annotations

import io

import openpyxl
import pytest

from sourcing.errors import DomainError
from sourcing.uploads import DOCUMENTS, PDF, SPREADSHEETS, TEXT, XLSX, check_upload


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["a", 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "allowed", "expected"),
    [
        (b"%PDF-1.7\n%binary", DOCUMENTS, PDF),
        (b"invoice_date,amount\n2026-01-02,10\n", SPREADSHEETS, TEXT),
        ("发票日期,金额\n".encode("gb18030"), SPREADSHEETS, TEXT),
        ("\ufeffa,b\n".encode("utf-16"), SPREADSHEETS, TEXT),
        (_xlsx(), SPREADSHEETS, XLSX),
    ],
)
def test_accepted_contents_are_named_by_their_bytes(content: bytes, allowed: frozenset[str], expected: str) -> None:
    assert check_upload(io.BytesIO(content), allowed=allowed) == expected


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (b"%PDF-1.7\n", SPREADSHEETS),  # a PDF renamed to .csv
        (b"MZ\x90\x00\x03\x00\x00\x00", DOCUMENTS),  # a Windows executable
        (b"plain text", frozenset({PDF})),
        (b"\x89PNG\r\n\x1a\n\x00\x00", SPREADSHEETS),
    ],
)
def test_other_contents_are_refused_naming_the_field(content: bytes, allowed: frozenset[str]) -> None:
    with pytest.raises(DomainError) as caught:
        check_upload(io.BytesIO(content), allowed=allowed, field="spec")
    assert list(caught.value.fields) == ["spec"]
    assert "not an accepted type" in caught.value.message


def test_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(DomainError, match="empty"):
        check_upload(io.BytesIO(b""), allowed=DOCUMENTS)
    with pytest.raises(DomainError, match="limit is 1 MB"):
        check_upload(io.BytesIO(b"x" * 1_048_577), allowed=SPREADSHEETS, max_bytes=1_048_576)


def test_the_file_is_left_at_its_start() -> None:
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.seek(3)
    check_upload(upload, allowed=SPREADSHEETS)
    assert upload.read() == b"a,b\n1,2\n"
