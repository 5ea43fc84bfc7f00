"""Spend endpoints: files, JSON lines (idempotent), lines and vendors; one error format; tenant walls."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.models import Tenant
from sourcing.spend.models import SpendImport, SpendLine, Vendor
from sourcing.tenancy import tenant_scope
from tests.spend.conftest import csv_bytes, row


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _bulk(client: Any, lines: list[dict[str, str]], **headers: str) -> Any:
    return client.post(
        "/api/v1/spend/lines/bulk/",
        data=json.dumps({"source": "erp-batch-7", "lines": lines}),
        content_type="application/json",
        **headers,
    )


def test_bulk_lines_are_written_and_a_retry_with_the_same_key_replays(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any
) -> None:
    client = api_client(scopes=("read", "write"))
    lines = [row(), row(invoice_number="INV-2", currency="CNY", unit_price="80", quantity="10", amount="800")]
    first = _bulk(client, lines, HTTP_IDEMPOTENCY_KEY="batch-7")
    assert first.status_code == 201, first.json()
    assert first.json()["lines_created"] == 2
    again = _bulk(client, lines, HTTP_IDEMPOTENCY_KEY="batch-7")
    assert again.status_code == 201 and again.json() == first.json()
    # without the key the lines are still not added twice
    third = _bulk(client, lines)
    assert third.json()["lines_created"] == 0 and third.json()["lines_duplicate"] == 2
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 2


def test_bulk_errors_name_each_line_and_field_and_write_nothing(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any
) -> None:
    response = _bulk(api_client(), [row(), row(amount="abc"), row(currency="ZZZ", invoice_date="")])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"lines[1].amount", "lines[2].currency", "lines[2].invoice_date"}
    with tenant_scope(tenant):
        assert SpendLine.objects.count() == 0 and Vendor.objects.count() == 0


def test_a_read_key_cannot_import(tenant: Tenant, spend_world: dict[str, Any], api_client: Any) -> None:
    response = _bulk(api_client(scopes=("read",)), [row()])
    assert response.status_code == 403
    with tenant_scope(tenant):
        assert SpendImport.objects.count() == 0


def test_a_file_is_accepted_and_its_import_can_be_read(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from sourcing.celery import app

    client = api_client()
    upload = SimpleUploadedFile("spend.csv", csv_bytes([row(), row(quantity="x")]))
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/spend/imports/", {"file": upload}, format="multipart")
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 202
    import_id = response.json()["id"]
    detail = client.get(f"/api/v1/spend/imports/{import_id}/").json()
    assert detail["status"] == "failed" and detail["progress"] == 100
    assert detail["errors"] == [{"row": 3, "column": "quantity", "message": "Not a number.", "value": "x"}]


def test_a_file_that_is_not_a_spreadsheet_is_refused(tenant: Tenant, api_client: Any) -> None:
    upload = SimpleUploadedFile("spend.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    response = api_client().post("/api/v1/spend/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["file"]


def test_lines_filter_by_category_and_date(tenant: Tenant, spend_world: dict[str, Any], api_client: Any) -> None:
    client = api_client()
    _bulk(client, [row(), row(invoice_number="F-1", category_code="510", invoice_date="2026-03-20")])
    freight = spend_world["freight"].pk
    body = client.get(f"/api/v1/spend/lines/?category={freight}").json()
    assert [line["invoice_number"] for line in body["results"]] == ["F-1"]
    body = client.get("/api/v1/spend/lines/?date_to=2026-03-10").json()
    assert [line["invoice_number"] for line in body["results"]] == ["INV-1001"]
    assert body["results"][0]["supplier"] == str(spend_world["everbright"].pk)


def test_vendors_filter_by_match(tenant: Tenant, spend_world: dict[str, Any], api_client: Any) -> None:
    client = api_client()
    _bulk(client, [row(), row(supplier_name="Unknown Trading Ltd", supplier_erp_id="V-404", invoice_number="U-1")])
    unmatched = client.get("/api/v1/spend/vendors/?matched=false").json()["results"]
    assert [v["erp_id"] for v in unmatched] == ["V-404"]
    matched = client.get("/api/v1/spend/vendors/?matched=true").json()["results"]
    assert [v["erp_id"] for v in matched] == ["V-100"]


def test_another_tenants_import_line_and_vendor_are_missing(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any], api_client: Any
) -> None:
    _bulk(api_client(), [row()])
    with tenant_scope(tenant):
        line = SpendLine.objects.get()
    theirs = api_client(for_tenant=other_tenant)
    for path in (
        f"/api/v1/spend/lines/{line.pk}/",
        f"/api/v1/spend/vendors/{line.vendor_id}/",
        f"/api/v1/spend/imports/{line.spend_import_id}/",
    ):
        missing = path.replace(str(path.split("/")[-2]), str(uuid.uuid4()))
        assert theirs.get(path).status_code == 404
        assert theirs.get(path).content == theirs.get(missing).content
    assert theirs.get("/api/v1/spend/lines/").json()["results"] == []


@pytest.mark.parametrize("path", ["/api/v1/spend/lines/", "/api/v1/spend/imports/", "/api/v1/spend/vendors/"])
def test_list_query_counts_are_constant(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any, django_assert_num_queries: Any, path: str
) -> None:
    client = api_client()
    _bulk(client, [row(invoice_number=f"A-{i}", supplier_erp_id=f"V-{i}") for i in range(3)])
    with django_assert_num_queries(10):
        assert len(client.get(path).json()["results"]) >= 1
    _bulk(client, [row(invoice_number=f"B-{i}", supplier_erp_id=f"W-{i}") for i in range(6)])
    with django_assert_num_queries(10):
        assert len(client.get(path).json()["results"]) >= 2


def test_an_idempotency_key_tells_two_files_of_the_same_name_apart(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any
) -> None:
    client = api_client()

    def send(content: bytes) -> Any:
        upload = SimpleUploadedFile("spend.csv", content)
        return client.post("/api/v1/spend/imports/", {"file": upload}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")

    first = send(csv_bytes([row()]))
    assert first.status_code == 202
    assert send(csv_bytes([row()])).json() == first.json()  # the same bytes: replayed
    other = send(csv_bytes([row(invoice_number="OTHER")]))
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    with tenant_scope(tenant):
        assert SpendImport.objects.count() == 1
