"""Supplier documents: versions, files judged by their bytes, who may upload, the profile tab, downloads,
the partner page and the API."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Document, DocumentVersion, Supplier
from suppliers.services.documents import document_upload
from tests.conftest import SYSTEM
from tests.suppliers.builders import PDF_BYTES, make_supplier, pdf

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
API = "/api/v1/documents/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    return make_supplier(tenant, internal_notes="TARGET-PRICE-SECRET")


def _counts(tenant: Tenant) -> tuple[int, int, int]:
    with tenant_scope(tenant):
        return Document.objects.count(), DocumentVersion.objects.count(), AuditEvent.objects.count()


def _upload(tenant: Tenant, supplier: Supplier, by: Actor = SYSTEM, **extra: Any) -> DocumentVersion:
    arguments: dict[str, Any] = {"doc_type": "nda", "title": "NDA", "file": pdf("nda.pdf"), **extra}
    with tenant_scope(tenant):
        return document_upload(tenant=tenant, by=by, supplier_id=supplier.pk, **arguments)


def _client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content))


def _file_form(**fields: Any) -> dict[str, Any]:
    return {**fields, "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}


# Services


def test_the_same_title_and_type_or_the_document_id_makes_a_new_version(tenant: Tenant, supplier: Supplier) -> None:
    first = _upload(tenant, supplier)
    second = _upload(tenant, supplier, title="nda ", file=pdf("nda-signed.png", PNG_BYTES))
    third = _upload(tenant, supplier, document_id=first.document_id, doc_type="", title="", file=pdf("v3.pdf"))
    other_type = _upload(tenant, supplier, doc_type="other")
    assert [first.version, second.version, third.version] == [1, 2, 3]
    assert first.document_id == second.document_id == third.document_id != other_type.document_id
    assert (second.content_type, second.size) == ("image/png", len(PNG_BYTES))
    with tenant_scope(tenant):
        versions = list(DocumentVersion.objects.filter(document_id=first.document_id).order_by("version"))
        assert [v.file.read() for v in versions] == [PDF_BYTES, PNG_BYTES, PDF_BYTES]  # old versions kept
        assert AuditEvent.objects.filter(action="document.version").count() == 2


def test_a_new_version_may_set_the_expiry(tenant: Tenant, supplier: Supplier) -> None:
    import datetime

    first = _upload(tenant, supplier)
    _upload(tenant, supplier, document_id=first.document_id, expires_on=datetime.date(2027, 6, 1))
    with tenant_scope(tenant):
        assert Document.objects.get().expires_on == datetime.date(2027, 6, 1)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"file": pdf("x.pdf", b"")}, "file"),
        ({"file": pdf("x.pdf", b"plain text pretending")}, "file"),
        ({"file": None}, "file"),
        ({"doc_type": "passport"}, "doc_type"),
        ({"title": " "}, "title"),
        ({"note": "n" * 501}, "note"),
        ({"document_id": uuid.uuid4()}, "document"),
    ],
)
def test_a_bad_upload_is_named_and_nothing_written(
    tenant: Tenant, supplier: Supplier, arguments: dict[str, Any], field: str
) -> None:
    before = _counts(tenant)
    with pytest.raises(DomainError) as caught:
        _upload(tenant, supplier, **arguments)
    assert field in caught.value.fields
    assert _counts(tenant) == before


def test_a_file_over_the_limit_is_refused(tenant: Tenant, supplier: Supplier, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 1024
    before = _counts(tenant)
    with pytest.raises(DomainError) as caught:
        _upload(tenant, supplier, file=pdf(body=PDF_BYTES + b"0" * 2048))
    assert "file" in caught.value.fields
    assert _counts(tenant) == before


def test_another_suppliers_or_tenants_document_is_refused_alike(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier
) -> None:
    neighbour = _upload(tenant, make_supplier(tenant, "Other Co."))
    foreign = _upload(other_tenant, make_supplier(other_tenant, "Xiamen Peakline"))
    messages = []
    for document_id in (neighbour.document_id, foreign.document_id):
        with pytest.raises(DomainError) as caught:
            _upload(tenant, supplier, document_id=document_id)
        messages.append(caught.value.fields["document"])
    assert messages[0] == messages[1]
    with pytest.raises(NotFoundError):
        _upload(tenant, make_supplier(other_tenant, "Another"))


def test_agents_upload_for_assigned_suppliers_only(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    assigned = make_member(tenant, Role.AGENT, email="agent.li@bridge.test")
    unassigned = make_member(tenant, Role.AGENT, email="agent.chen@bridge.test")
    finance = make_member(tenant, Role.FINANCE)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=assigned.pk, obj=supplier)
    version = _upload(tenant, supplier, Actor.for_membership(assigned))
    assert version.uploaded_by_id == assigned.user_id
    before = _counts(tenant)
    with pytest.raises(NotFoundError):
        _upload(tenant, supplier, Actor.for_membership(unassigned))
    with pytest.raises(ScopeError):
        _upload(tenant, supplier, Actor.for_membership(finance))
    assert _counts(tenant) == before


# Pages


def test_tab_lists_versions_and_offers_writers_the_upload(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    first = _upload(tenant, supplier, note="first draft")
    _upload(tenant, supplier, file=pdf("nda-signed.pdf"))
    url = _url("supplier_documents", tenant, supplier_id=supplier.pk)
    body = _client(make_member(tenant, Role.QUALITY)).get(url).content.decode()
    assert "nda-signed.pdf" in body and "nda.pdf" in body and "v2" in body and "first draft" in body
    assert _url("document_upload", tenant, supplier_id=supplier.pk) in body
    assert _url("document_version_download", tenant, version_id=first.pk) in body
    reader = _client(make_member(tenant, Role.EXECUTIVE)).get(url).content.decode()
    assert "nda-signed.pdf" in reader
    assert _url("document_upload", tenant, supplier_id=supplier.pk) not in reader


@pytest.mark.parametrize("rows", [2, 4])
def test_tab_query_count_is_pinned(
    tenant: Tenant, supplier: Supplier, make_member: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for n in range(rows):
        _upload(tenant, supplier, title=f"Doc {n}")
        _upload(tenant, supplier, title=f"Doc {n}")
    client = _client(make_member(tenant, Role.QUALITY))
    with django_assert_num_queries(18):
        response = client.get(_url("supplier_documents", tenant, supplier_id=supplier.pk))
    assert len(response.context["documents"]) == rows


def test_upload_through_the_page_and_a_bad_file_named(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.BUYER))
    url = _url("document_upload", tenant, supplier_id=supplier.pk)
    good = {"doc_type": "insurance", "title": "Product liability", "file": SimpleUploadedFile("pl.pdf", PDF_BYTES)}
    assert client.post(url, good).status_code == 302
    before = _counts(tenant)
    bad = client.post(url, {"doc_type": "insurance", "title": "X", "file": SimpleUploadedFile("x.pdf", b"\x00\x01")})
    assert bad.status_code == 200
    assert "file" in bad.context["form"].errors
    assert _counts(tenant) == before
    assert client.get(url).status_code == 405


def test_download_per_version_and_other_tenants_ids_missing(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    first = _upload(tenant, supplier)
    _upload(tenant, supplier, file=pdf("v2.png", PNG_BYTES))
    response = _client(make_member(tenant, Role.EXECUTIVE)).get(
        _url("document_version_download", tenant, version_id=first.pk)
    )
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    client = _client(make_member(other_tenant, Role.ADMIN))
    before = _counts(tenant)
    theirs = client.get(_url("document_version_download", other_tenant, version_id=first.pk))
    missing = client.get(_url("document_version_download", other_tenant, version_id=uuid.uuid4()))
    assert theirs.status_code == missing.status_code == 404
    assert _without_csrf(theirs.content) == _without_csrf(missing.content)
    upload = _url("document_upload", other_tenant, supplier_id=supplier.pk)
    assert (
        client.post(
            upload, {"doc_type": "nda", "title": "x", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
        ).status_code
        == 404
    )
    assert _counts(tenant) == before


def test_partner_page_shows_safe_fields_uploads_and_hides_from_the_unassigned(
    tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    assigned = make_member(tenant, Role.AGENT, email="agent.li@bridge.test")
    unassigned = make_member(tenant, Role.AGENT, email="agent.chen@bridge.test")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=assigned.pk, obj=supplier)
    buyer = make_member(tenant, Role.BUYER, email="buyer.wang@acme.test")
    first = _upload(tenant, supplier, Actor.for_membership(buyer), note="INTERNAL-NOTE")
    url = _url("portal_supplier_documents", tenant, supplier_id=supplier.pk)
    client = _client(assigned)
    body = client.get(url).content.decode()
    assert "nda.pdf" in body
    for secret in ("TARGET-PRICE-SECRET", "INTERNAL-NOTE", "buyer.wang@acme.test"):
        assert secret not in body
    response = client.post(url, {"document": str(first.document_id), "file": SimpleUploadedFile("v2.pdf", PDF_BYTES)})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert DocumentVersion.objects.filter(document_id=first.document_id).count() == 2
    download = _url("portal_document_download", tenant, version_id=first.pk)
    assert client.get(download).status_code == 200
    other = _client(unassigned)
    before = _counts(tenant)
    assert other.get(url).status_code == 404
    assert other.post(url, _file_form(doc_type="nda", title="x")).status_code == 404
    assert other.get(download).status_code == 404
    assert _counts(tenant) == before


# API


def test_api_lists_filters_and_reads_documents_with_versions(
    tenant: Tenant, supplier: Supplier, api_client: Any
) -> None:
    nda = _upload(tenant, supplier)
    _upload(tenant, supplier)
    other = _upload(tenant, make_supplier(tenant, "Other Co."), doc_type="insurance", title="Insurance")
    client = api_client(("read",))
    rows = client.get(API, {"supplier": supplier.pk}).json()["results"]
    assert [r["id"] for r in rows] == [str(nda.document_id)]
    assert [v["version"] for v in rows[0]["versions"]] == [2, 1]
    assert [r["id"] for r in client.get(API, {"doc_type": "insurance"}).json()["results"]] == [str(other.document_id)]
    detail = client.get(f"{API}{nda.document_id}/").json()
    assert len(detail["versions"]) == 2 and detail["versions"][0]["content_type"] == "application/pdf"


@pytest.mark.parametrize("rows", [2, 4])
def test_api_list_query_count_is_pinned(
    tenant: Tenant, supplier: Supplier, api_client: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for n in range(rows):
        _upload(tenant, supplier, title=f"Doc {n}")
        _upload(tenant, supplier, title=f"Doc {n}")
    client = api_client(("read",))
    with django_assert_num_queries(16):
        response = client.get(API)
    assert len(response.json()["results"]) == rows


def test_api_upload_makes_a_version_and_refuses_bad_files(tenant: Tenant, supplier: Supplier, api_client: Any) -> None:
    client = api_client()
    created = client.post(
        API,
        {
            "supplier": str(supplier.pk),
            "doc_type": "nda",
            "title": "NDA",
            "file": SimpleUploadedFile("a.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    again = client.post(
        API,
        {
            "supplier": str(supplier.pk),
            "document": created.json()["id"],
            "file": SimpleUploadedFile("b.png", PNG_BYTES),
        },
        format="multipart",
    )
    assert again.status_code == 201
    assert [v["version"] for v in again.json()["versions"]] == [2, 1]
    before = _counts(tenant)
    bad = client.post(
        API,
        {"supplier": str(supplier.pk), "doc_type": "nda", "title": "NDA", "file": SimpleUploadedFile("c.pdf", b"")},
        format="multipart",
    )
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"file"}
    no_file = client.post(API, {"supplier": str(supplier.pk), "doc_type": "nda", "title": "NDA"}, format="json")
    assert no_file.status_code == 400 and "file" in no_file.json()["error"]["fields"]
    assert _counts(tenant) == before


def test_api_other_tenants_ids_are_missing_and_read_keys_cannot_upload(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier, api_client: Any
) -> None:
    version = _upload(tenant, supplier)
    theirs_client = api_client(for_tenant=other_tenant)
    reader = api_client(("read",))
    before = _counts(tenant)
    theirs = theirs_client.get(f"{API}{version.document_id}/")
    missing = theirs_client.get(f"{API}{uuid.uuid4()}/")
    assert theirs.status_code == missing.status_code == 404 and theirs.content == missing.content
    upload = {"supplier": str(supplier.pk), "doc_type": "nda", "title": "NDA"}
    foreign = theirs_client.post(API, {**upload, "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}, format="multipart")
    assert foreign.status_code == 404
    refused = reader.post(API, {**upload, "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}, format="multipart")
    assert refused.status_code == 403
    assert _counts(tenant) == before
