"""Spend import pages, the command line and the worker: the same pipeline behind each."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from sourcing.celery import app as celery_app
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.spend.models import ImportStatus, SpendImport, SpendLine
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import csv_bytes, row

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in-process, as on the embedded default (the test database is not visible to a worker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def _post_committed(client: Client, url: str, data: dict[str, Any], capture: Any) -> Any:
    """POST, then run what the page scheduled for after its commit (the test's transaction never commits)."""
    with capture(execute=True):
        return client.post(url, data)


def _client(make_member: Any, tenant: Tenant, role: str) -> Client:
    client = Client()
    client.force_login(make_member(tenant, role).user)
    return client


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_a_buyer_uploads_a_file_and_sees_it_imported(
    tenant: Tenant,
    spend_world: dict[str, Any],
    make_member: Any,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = _client(make_member, tenant, Role.BUYER)
    upload = SimpleUploadedFile("march.csv", csv_bytes([row(), row(invoice_number="INV-2")]), "text/csv")
    url = _url("spend_import_upload", tenant)
    response = _post_committed(client, url, {"file": upload}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "Imported." in body and "march.csv" in body
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 2
        assert SpendImport.objects.get().created_by.email == "buyer@acme.test"


def test_a_rejected_file_lists_every_problem_and_offers_them_as_csv(
    tenant: Tenant,
    spend_world: dict[str, Any],
    make_member: Any,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = _client(make_member, tenant, Role.CATEGORY_MANAGER)
    content = csv_bytes([row(), row(amount="=1+2"), row(currency="XYZ")])
    url = _url("spend_import_upload", tenant)
    upload = {"file": SimpleUploadedFile("bad.csv", content)}
    response = _post_committed(client, url, upload, django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was written" in page
    assert "<code>amount</code>" in page and "<code>currency</code>" in page
    assert "=1+2" in page  # shown as text (autoescaped), never evaluated
    with tenant_scope(tenant):
        imp = SpendImport.objects.get()
        assert SpendLine.objects.count() == 0
    errors = client.get(_url("spend_import_errors", tenant, import_id=imp.pk))
    text = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == '"Row","Column","Problem","Value"'  # every cell quoted, labels as on the page
    assert '"3","amount",' in text and "'=1+2" in text  # the formula is inert in the spreadsheet too
    assert '"4","currency",' in text


def test_a_pdf_named_csv_is_refused_on_the_form(tenant: Tenant, make_member: Any, eager_tasks: None) -> None:
    client = _client(make_member, tenant, Role.BUYER)
    fake = SimpleUploadedFile("spend.csv", b"%PDF-1.7 not a spreadsheet")
    response = client.post(_url("spend_import_upload", tenant), {"file": fake})
    assert response.status_code == 200
    assert "not an accepted type" in response.content.decode()
    with tenant_scope(tenant):
        assert SpendImport.objects.count() == 0


def test_a_running_import_shows_its_progress_and_the_page_reloads_when_done(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    with tenant_scope(tenant):
        imp = services.spend_import_create(
            tenant=tenant, by=SYSTEM, upload=io.BytesIO(csv_bytes([row()])), file_name="queued.csv"
        )
    client = _client(make_member, tenant, Role.BUYER)
    url = _url("spend_import_detail", tenant, import_id=imp.pk)
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode() and "<html" not in partial.content.decode()
    with tenant_scope(tenant):
        services.spend_import_run(tenant=tenant, by=SYSTEM, import_id=imp.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    ("role", "list_status", "upload_status"),
    [
        (Role.ADMIN, 200, 200),
        (Role.CATEGORY_MANAGER, 200, 200),
        (Role.BUYER, 200, 200),
        (Role.FINANCE, 200, 403),
        (Role.EXECUTIVE, 200, 403),
        (Role.QUALITY, 403, 403),
        (Role.AGENT, 403, 403),
    ],
)
def test_who_may_see_and_import_spend(
    tenant: Tenant, make_member: Any, role: str, list_status: int, upload_status: int
) -> None:
    client = _client(make_member, tenant, role)
    listing = client.get(_url("spend_import_list", tenant))
    assert listing.status_code == list_status
    assert client.get(_url("spend_import_upload", tenant)).status_code == upload_status
    if list_status == 200:
        # the button to import is offered only to those who may import
        assert ("Import a file" in listing.content.decode()) == (upload_status == 200)


def test_an_upload_refused_for_lack_of_scope_writes_nothing(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member, tenant, Role.EXECUTIVE)
    upload = SimpleUploadedFile("x.csv", csv_bytes([row()]))
    assert client.post(_url("spend_import_upload", tenant), {"file": upload}).status_code == 403
    with tenant_scope(tenant):
        assert SpendImport.objects.count() == 0
        assert not AuditEvent.objects.filter(action__startswith="spend_import").exists()


def test_another_tenants_import_is_a_missing_import(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    with tenant_scope(tenant):
        imp = services.spend_import_create(
            tenant=tenant, by=SYSTEM, upload=io.BytesIO(csv_bytes([row()])), file_name="a.csv"
        )
    client = _client(make_member, other_tenant, Role.ADMIN)
    theirs = client.get(_url("spend_import_detail", other_tenant, import_id=imp.pk))
    missing = client.get(_url("spend_import_detail", other_tenant, import_id=uuid.uuid4()))
    assert theirs.status_code == missing.status_code == 404
    assert client.get(_url("spend_import_errors", other_tenant, import_id=imp.pk)).status_code == 404


def _make_imports(tenant: Tenant, n: int) -> None:
    with tenant_scope(tenant):
        SpendImport.objects.bulk_create(
            SpendImport(tenant=tenant, source="upload", file_name=f"f{i}.csv", created_by_label="x") for i in range(n)
        )


def test_import_list_query_count_is_constant(tenant: Tenant, make_member: Any, django_assert_num_queries: Any) -> None:
    client = _client(make_member, tenant, Role.BUYER)
    _make_imports(tenant, 3)
    client.get(_url("spend_import_list", tenant))  # warm the session
    with django_assert_num_queries(15):
        assert client.get(_url("spend_import_list", tenant)).status_code == 200
    _make_imports(tenant, 3)
    with django_assert_num_queries(15):
        assert client.get(_url("spend_import_list", tenant)).status_code == 200


# --- the command line ------------------------------------------------------------------------------------------


def test_the_command_imports_and_prints_a_summary(
    tenant: Tenant, spend_world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spend.csv"
    path.write_bytes(csv_bytes([row(), row(invoice_number="INV-2")]))
    call_command("import_spend", "--org", "acme", str(path))
    out = capsys.readouterr().out
    assert out.strip() == "spend.csv: imported 2 rows: 2 lines added, 0 already there."
    call_command("import_spend", "--org", "acme", str(path))
    assert "already imported" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="another process needs a database it can open")
def test_the_command_exits_non_zero_with_every_error_on_stderr(
    transactional_db: Any, tenant: Tenant, spend_world: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(), row(invoice_date="yesterday"), row(quantity="x")]))
    result = subprocess.run(
        [sys.executable, "manage.py", "import_spend", "--org", "acme", str(path)],
        cwd=ROOT,
        env=_subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "bad.csv: row 3, column invoice_date: Not a date" in result.stderr
    assert "bad.csv: row 4, column quantity: Not a number." in result.stderr
    assert "rejected, 2 errors in 3 rows; nothing was written." in result.stderr
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 0


def _subprocess_env() -> dict[str, str]:
    """The test database (as the runtime role) and media, for a command or worker in another process."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return env


# --- a real worker -----------------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL or connection.vendor != "postgresql",
    reason="needs Redis and PostgreSQL, which `make test` always provides",
)
def test_a_worker_runs_a_queued_import(transactional_db: Any, tenant: Tenant, spend_world: dict[str, Any]) -> None:
    from sourcing.spend.tasks import run_spend_import

    with tenant_scope(tenant):
        imp = services.spend_import_create(
            tenant=tenant,
            by=SYSTEM,
            upload=io.BytesIO(csv_bytes([row(), row(invoice_number="INV-2")])),
            file_name="w.csv",
        )
    queue = f"test-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sourcing", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT,
        env=_subprocess_env() | {"CELERY_BROKER_URL": settings.CELERY_BROKER_URL},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        run_spend_import.apply_async(args=[str(tenant.pk), str(imp.pk), "tests"], queue=queue)
        deadline = time.monotonic() + 60
        status = ImportStatus.QUEUED
        while time.monotonic() < deadline and status == ImportStatus.QUEUED:
            with tenant_scope(tenant):
                status = SpendImport.objects.get(pk=imp.pk).status
            if status == ImportStatus.QUEUED:
                assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else "worker died"
                time.sleep(0.5)
        assert status == ImportStatus.SUCCEEDED
        with tenant_scope(tenant):
            assert SpendLine.objects.count() == 2
    finally:
        worker.terminate()
        worker.wait(timeout=20)
