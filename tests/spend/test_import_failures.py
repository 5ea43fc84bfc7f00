"""An import that cannot finish ends as failed, with its reason, and nothing half-written; a NUL byte anywhere in
a file is a row error found before any line is written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from sourcing.celery import app as celery_app
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.spend.models import ImportStatus, SpendImport, SpendLine, Vendor
from sourcing.spend.services import importer
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import HEADER, csv_bytes, row


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def _import(tenant: Tenant, content: bytes, name: str = "spend.csv") -> SpendImport:
    with tenant_scope(tenant):
        created = services.spend_import_create(tenant=tenant, by=SYSTEM, upload=io.BytesIO(content), file_name=name)
        return services.spend_import_run(tenant=tenant, by=SYSTEM, import_id=created.pk)


def _counts(tenant: Tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return SpendLine.objects.count(), Vendor.objects.count()


def _many_rows(n: int = 150) -> list[dict[str, str]]:
    return [row(invoice_number=f"INV-{i}") for i in range(n)]


# --- NUL bytes --------------------------------------------------------------------------------------------------


def test_a_nul_byte_after_the_first_8_kb_in_an_unmapped_column_is_a_row_error(
    tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    # given a file whose first 8 KB pass the upload check, with a NUL in a column no line keeps
    rows = [{**r, "note": ""} for r in _many_rows()] + [{**row(invoice_number="INV-X"), "note": "a\x00b"}]
    content = csv_bytes(rows, header=[*HEADER, "note"])
    assert len(content) > 8192 and b"\x00" not in content[:8192]
    # when it is imported
    result = _import(tenant, content)
    # then the import fails naming the row, and nothing is written
    assert result.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in result.errors] == [(152, "")]
    assert "NUL" in result.errors[0]["message"] and "152" in result.errors[0]["message"]
    assert _counts(tenant) == (0, 0)


def test_a_line_of_nul_bytes_is_named_with_the_other_errors(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    content = csv_bytes(_many_rows()) + b"\x00\x00\x00\r\n" + csv_bytes([row(invoice_number="INV-Z")])[-200:]
    result = _import(tenant, content)
    assert result.status == ImportStatus.FAILED
    assert any(e["row"] == 152 and "NUL" in e["message"] for e in result.errors)
    assert _counts(tenant) == (0, 0)


def test_a_nul_byte_in_a_text_column_is_refused(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    content = csv_bytes([*_many_rows(), row(invoice_number="INV-X", description="Pot\x00 24cm")])
    result = _import(tenant, content)
    assert result.status == ImportStatus.FAILED
    assert {(e["row"], e["column"]) for e in result.errors} == {(152, ""), (152, "description")}
    assert _counts(tenant) == (0, 0)


# --- any failure of the run --------------------------------------------------------------------------------------


def _failing_database_step(**kwargs: Any) -> int:
    """A step after the lines are written that fails in the database, as a COPY refusing a value would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_for_this_test")
    return 0


def test_a_run_that_fails_after_writing_ends_failed_with_its_reason_and_writes_nothing(
    tenant: Tenant, spend_world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the step after the lines are written fails in the database
    monkeypatch.setattr(importer, "reclassify_one_off", _failing_database_step)
    # when a valid file is imported
    result = _import(tenant, csv_bytes([row(), row(invoice_number="INV-2")]))
    # then the import is failed, with the reason, and the lines written before the failure are gone
    assert result.status == ImportStatus.FAILED
    assert result.is_finished and result.error_count == 1
    assert "no_such_table_for_this_test" in result.errors[0]["message"]
    assert result.errors[0]["message"].startswith("The import stopped on an unexpected error; nothing was written")
    assert _counts(tenant) == (0, 0)
    with tenant_scope(tenant):
        stored = SpendImport.objects.get(pk=result.pk)
        assert stored.status == ImportStatus.FAILED and stored.errors == result.errors
        assert services.spend_import_progress(spend_import=stored) == 100
        event = AuditEvent.objects.get(action="spend_import.failed")
        assert event.object_id == str(result.pk) and "no_such_table_for_this_test" in event.after["reason"]
        assert not AuditEvent.objects.filter(action="spend_import.succeeded").exists()
    # and running it again leaves it as it is
    with tenant_scope(tenant):
        again = services.spend_import_run(tenant=tenant, by=SYSTEM, import_id=result.pk)
    assert again.status == ImportStatus.FAILED and _counts(tenant) == (0, 0)


def test_a_failing_task_shows_the_reason_on_the_page_and_in_the_api(
    tenant: Tenant,
    spend_world: dict[str, Any],
    make_member: Any,
    api_client: Any,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: Any) -> int:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(importer, "reclassify_one_off", broken)
    client = Client()
    client.force_login(make_member(tenant, Role.BUYER).user)
    upload = SimpleUploadedFile("march.csv", csv_bytes([row(), row(invoice_number="INV-2")]), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spend_import_upload", kwargs={"tenant_slug": tenant.slug}), {"file": upload})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "the disk went away" in body and "Nothing was written" in body
    with tenant_scope(tenant):
        imp = SpendImport.objects.get()
    detail = api_client().get(f"/api/v1/spend/imports/{imp.pk}/").json()
    assert detail["status"] == "failed" and detail["progress"] == 100
    assert "the disk went away" in detail["errors"][0]["message"]
    assert _counts(tenant) == (0, 0)


def test_a_nul_byte_in_a_workbook_row_is_named() -> None:
    # openpyxl refuses to save a NUL, so the rows come from a frame built as the workbook reader builds it
    from sourcing.spend.reader import nul_errors, read_rows

    frame = read_rows("xlsx", "xlsx", [(2, ["a", "b"]), (3, ["c\x00", "d"]), (4, ["e", "\x00"])], 2)
    assert [number for number, _message in nul_errors(frame)] == [3, 4]


# --- the whole file, as the command line imports it -------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "column", "message"),
    [
        ({"invoice_date": "2026-13-40"}, "invoice_date", "Not a date"),
        ({"unit_price": "12,5O"}, "unit_price", "Not a number"),
    ],
)
def test_a_bad_value_on_the_last_row_of_a_large_file_refuses_the_whole_import(
    tenant: Tenant,
    spend_world: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    last: dict[str, str],
    column: str,
    message: str,
) -> None:
    from django.core.management import call_command

    # given a file well past the first 8 KB, read in chunks small enough that many are done before the last row
    monkeypatch.setattr(importer, "CHUNK_ROWS", 20)
    path = tmp_path / "march.csv"
    path.write_bytes(csv_bytes([*_many_rows(), row(invoice_number="INV-LAST", **last)]))
    assert path.stat().st_size > 8192
    # when the command line imports it
    with pytest.raises(SystemExit) as exited:
        call_command("import_spend", "--org", tenant.slug, str(path))
    # then it exits non-zero naming the row and the field, and no line, vendor or partial import is kept
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert f"march.csv: row 152, column {column}: {message}" in err
    assert "rejected, 1 errors in 151 rows; nothing was written." in err
    assert _counts(tenant) == (0, 0)
    with tenant_scope(tenant):
        imp = SpendImport.objects.get()
        assert imp.status == ImportStatus.FAILED and imp.lines_created == 0
        assert [(e["row"], e["column"]) for e in imp.errors] == [(152, column)]
        assert AuditEvent.objects.filter(action="spend_import.rejected", object_id=str(imp.pk)).exists()
