"""The certifications API: list with filters, create (JSON or multipart), read, change, delete."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, Supplier
from suppliers.selectors.evidence import tenant_today
from tests.suppliers.builders import PDF_BYTES, add_certificate, make_supplier

URL = "/api/v1/certifications/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    return make_supplier(tenant, internal_notes="TARGET-PRICE-SECRET")


def _counts(tenant: Tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return Certification.objects.count(), AuditEvent.objects.count()


def _in(tenant: Tenant, days: int) -> datetime.date:
    return tenant_today(tenant) + datetime.timedelta(days=days)


def test_list_with_filters(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    other = make_supplier(tenant, "Other Co.")
    valid = add_certificate(tenant, supplier, valid_until=_in(tenant, 200))
    soon = add_certificate(tenant, supplier, cert_type="smeta", valid_until=_in(tenant, 5))
    gone = add_certificate(tenant, other, valid_until=_in(tenant, -1))
    client = api_client(("read",))

    def ids(**query: Any) -> set[str]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {str(valid.pk), str(soon.pk), str(gone.pk)}
    assert ids(supplier=supplier.pk) == {str(valid.pk), str(soon.pk)}
    assert ids(cert_type="smeta") == {str(soon.pk)}
    assert ids(state="expired") == {str(gone.pk)}
    assert ids(state="expiring") == {str(soon.pk)}
    assert ids(state="valid") == {str(valid.pk)}
    assert ids(expiring_within=10) == {str(soon.pk)}
    assert ids(expiring_within=365) == {str(valid.pk), str(soon.pk)}
    row = client.get(f"{URL}{soon.pk}/").json()
    assert row["state"] == "expiring" and row["has_file"] is True and row["content_type"] == "application/pdf"
    assert "reminders_sent" not in row and "file" not in row


def test_a_bad_filter_value_is_named(tenant: Tenant, api_client: Any) -> None:
    response = api_client(("read",)).get(URL, {"expiring_within": -3})
    assert response.status_code == 400
    assert "expiring_within" in response.json()["error"]["fields"]


@pytest.mark.parametrize("rows", [3, 6])
def test_list_query_count_is_pinned(
    tenant: Tenant, supplier: Supplier, api_client: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for n in range(rows):
        add_certificate(tenant, supplier, valid_until=_in(tenant, n))
    client = api_client(("read",))
    with django_assert_num_queries(15):
        response = client.get(URL)
    assert len(response.json()["results"]) == rows


def test_create_from_json_without_a_file(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    response = api_client().post(
        URL,
        {"supplier": str(supplier.pk), "cert_type": "iso_14001", "valid_until": "2029-12-31", "number": "E-1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["has_file"] is False and response.json()["number"] == "E-1"


def test_create_multipart_with_a_file(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    upload = SimpleUploadedFile("fda.pdf", PDF_BYTES, content_type="application/pdf")
    response = api_client().post(
        URL,
        {"supplier": str(supplier.pk), "cert_type": "fda_fei", "valid_until": "2029-12-31", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["file_name"], response.json()["size"]) == ("fda.pdf", len(PDF_BYTES))


@pytest.mark.parametrize("body", [b"", b"<html>not a certificate</html>"])
def test_a_bad_file_is_named_and_nothing_written(
    tenant: Tenant, supplier: Supplier, api_client: Any, body: bytes
) -> None:
    client = api_client()
    before = _counts(tenant)
    response = client.post(
        URL,
        {
            "supplier": str(supplier.pk),
            "cert_type": "fda_fei",
            "valid_until": "2029-12-31",
            "file": SimpleUploadedFile("x.pdf", body),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"file"}
    assert _counts(tenant) == before


def test_dates_out_of_order_are_named(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    client = api_client()
    before = _counts(tenant)
    response = client.post(
        URL,
        {"supplier": str(supplier.pk), "cert_type": "smeta", "valid_from": "2030-01-02", "valid_until": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "valid_until" in response.json()["error"]["fields"]
    assert _counts(tenant) == before


def test_patch_and_delete(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    certification = add_certificate(tenant, supplier, valid_until=_in(tenant, 5))
    client = api_client()
    response = client.patch(f"{URL}{certification.pk}/", {"valid_until": "2031-01-01"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "valid"
    assert client.delete(f"{URL}{certification.pk}/").status_code == 204
    assert _counts(tenant)[0] == 0


def test_a_read_key_cannot_write(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    certification = add_certificate(tenant, supplier)
    client = api_client(("read",))
    before = _counts(tenant)
    body = {"supplier": str(supplier.pk), "cert_type": "smeta", "valid_until": "2030-01-01"}
    assert client.post(URL, body, format="json").status_code == 403
    assert client.patch(f"{URL}{certification.pk}/", {"number": "X"}, format="json").status_code == 403
    assert client.delete(f"{URL}{certification.pk}/").status_code == 403
    assert _counts(tenant) == before


def test_another_tenants_ids_are_missing_ids(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier, api_client: Any
) -> None:
    certification = add_certificate(tenant, supplier)
    client = api_client(for_tenant=other_tenant)
    before = _counts(tenant)
    for method, data in (("get", None), ("patch", {"number": "X"}), ("delete", None)):
        theirs = getattr(client, method)(f"{URL}{certification.pk}/", data, format="json")
        missing = getattr(client, method)(f"{URL}{uuid.uuid4()}/", data, format="json")
        assert theirs.status_code == missing.status_code == 404
        assert theirs.content == missing.content
    theirs = client.post(
        URL, {"supplier": str(supplier.pk), "cert_type": "smeta", "valid_until": "2030-01-01"}, format="json"
    )
    missing = client.post(
        URL, {"supplier": str(uuid.uuid4()), "cert_type": "smeta", "valid_until": "2030-01-01"}, format="json"
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert client.get(URL).json()["results"] == []
    assert _counts(tenant) == before
