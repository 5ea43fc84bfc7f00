"""Changing a document's title, type and expiry, and removing a document with its versions and files: the
services (scope, audit, nothing half-written), the pages (form, confirmation step), the API (PATCH, DELETE),
other tenants' ids and agents."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Document, DocumentVersion, Supplier
from suppliers.services.documents import document_delete, document_update, document_upload
from tests.conftest import SYSTEM
from tests.suppliers.builders import make_supplier, pdf

API = "/api/v1/documents/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    return make_supplier(tenant, internal_notes="TARGET-PRICE-SECRET")


def _document(tenant: Tenant, supplier: Supplier, versions: int = 2, **extra: Any) -> Document:
    arguments: dict[str, Any] = {"doc_type": "nda", "title": "NDA", **extra}
    with tenant_scope(tenant):
        for n in range(versions):
            version = document_upload(
                tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, file=pdf(f"nda-v{n + 1}.pdf"), **arguments
            )
        return Document.objects.get(pk=version.document_id)


def _state(tenant: Tenant) -> tuple[list[tuple[str, str, Any]], int, int]:
    with tenant_scope(tenant):
        documents = sorted(Document.objects.values_list("title", "doc_type", "expires_on"))
        return documents, DocumentVersion.objects.count(), AuditEvent.objects.count()


def _files(tenant: Tenant) -> list[str]:
    with tenant_scope(tenant):
        return [v.file.name for v in DocumentVersion.objects.all()]


def _client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def _member_actor(make_member: Any, tenant: Tenant, role: str, **extra: Any) -> Actor:
    return Actor.for_membership(make_member(tenant, role, **extra))


# Services


def test_update_changes_the_fields_given_and_records_before_and_after(
    tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    document = _document(tenant, supplier)
    quality = _member_actor(make_member, tenant, Role.QUALITY)
    with tenant_scope(tenant):
        changed = document_update(
            tenant=tenant,
            by=quality,
            document_id=document.pk,
            title=" Mutual NDA ",
            expires_on=datetime.date(2027, 3, 31),
        )
        event = AuditEvent.objects.get(action="document.update")
        versions = list(DocumentVersion.objects.filter(document=document).values_list("version", flat=True))
    assert (changed.title, changed.doc_type, changed.expires_on) == ("Mutual NDA", "nda", datetime.date(2027, 3, 31))
    assert event.before == {"title": "NDA", "expires_on": None}
    assert event.after == {"supplier": str(supplier.pk), "title": "Mutual NDA", "expires_on": "2027-03-31"}
    assert event.actor_id == quality.user.pk  # type: ignore[union-attr]
    assert sorted(versions) == [1, 2]  # the versions are untouched
    # the same values again: nothing saved, nothing recorded
    before = _state(tenant)
    with tenant_scope(tenant):
        document_update(tenant=tenant, by=quality, document_id=document.pk, title="Mutual NDA")
    assert _state(tenant) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"doc_type": "passport"}, "doc_type"),
        ({"expires_on": "2027-13-01"}, "expires_on"),
        ({"title": "insurance", "doc_type": "insurance"}, "title"),  # the other document's title and type
    ],
)
def test_a_bad_change_is_named_and_nothing_written(
    tenant: Tenant, supplier: Supplier, changes: dict[str, Any], field: str
) -> None:
    document = _document(tenant, supplier)
    _document(tenant, supplier, versions=1, doc_type="insurance", title="Insurance")
    before = _state(tenant)
    with tenant_scope(tenant), pytest.raises(DomainError) as refused:
        document_update(tenant=tenant, by=SYSTEM, document_id=document.pk, **changes)
    assert set(refused.value.fields) == {field}
    assert _state(tenant) == before


def test_delete_removes_every_version_and_its_files_once_committed(
    tenant: Tenant, supplier: Supplier, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = _document(tenant, supplier, versions=3)
    kept = _document(tenant, supplier, versions=1, doc_type="insurance", title="Insurance")
    files = _files(tenant)
    assert len(files) == 4 and all(default_storage.exists(name) for name in files)
    buyer = _member_actor(make_member, tenant, Role.BUYER)
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        owner = document_delete(tenant=tenant, by=buyer, document_id=document.pk)
    assert owner.pk == supplier.pk
    with tenant_scope(tenant):
        assert list(Document.objects.values_list("pk", flat=True)) == [kept.pk]
        event = AuditEvent.objects.get(action="document.delete")
    remaining = _files(tenant)
    assert len(remaining) == 1 and default_storage.exists(remaining[0])
    assert [name for name in files if default_storage.exists(name)] == remaining
    assert event.object_id == str(document.pk)
    assert event.before["title"] == "NDA" and [v["version"] for v in event.before["versions"]] == [1, 2, 3]


def test_other_tenants_and_missing_documents_are_alike_and_nothing_written(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier
) -> None:
    theirs = _document(other_tenant, make_supplier(other_tenant, "Xiamen Peakline"))
    before = _state(other_tenant)
    with tenant_scope(tenant):
        for document_id in (theirs.pk, uuid.uuid4(), "not-an-id"):
            with pytest.raises(NotFoundError):
                document_update(tenant=tenant, by=SYSTEM, document_id=document_id, title="Mine")
            with pytest.raises(NotFoundError):
                document_delete(tenant=tenant, by=SYSTEM, document_id=document_id)
    assert _state(other_tenant) == before


@pytest.mark.parametrize("role", [Role.AGENT, Role.FINANCE, Role.EXECUTIVE])
def test_agents_and_roles_without_the_evidence_scope_are_refused(
    tenant: Tenant, supplier: Supplier, make_member: Any, role: str
) -> None:
    document = _document(tenant, supplier)
    member = make_member(tenant, role)
    if role == Role.AGENT:  # even an agent the supplier is assigned to
        with tenant_scope(tenant):
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    by = Actor.for_membership(member)
    before = _state(tenant)
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            document_update(tenant=tenant, by=by, document_id=document.pk, title="Mine")
        with pytest.raises(ScopeError):
            document_delete(tenant=tenant, by=by, document_id=document.pk)
    assert _state(tenant) == before


# Pages


def test_tab_offers_edit_and_delete_to_evidence_writers_only(
    tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    document = _document(tenant, supplier)
    url = _url("supplier_documents", tenant, supplier_id=supplier.pk)
    edit = _url("document_edit", tenant, document_id=document.pk)
    delete = _url("document_delete", tenant, document_id=document.pk)
    writer = _client(make_member(tenant, Role.QUALITY)).get(url).content.decode()
    assert edit in writer and delete in writer
    reader = _client(make_member(tenant, Role.EXECUTIVE)).get(url).content.decode()
    assert edit not in reader and delete not in reader


def test_edit_through_the_page_and_a_clash_named(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    document = _document(tenant, supplier)
    _document(tenant, supplier, versions=1, doc_type="insurance", title="Insurance")
    client = _client(make_member(tenant, Role.BUYER))
    url = _url("document_edit", tenant, document_id=document.pk)
    form = client.get(url)
    assert form.status_code == 200 and 'value="NDA"' in form.content.decode()
    before = _state(tenant)
    clash = client.post(url, {"doc_type": "insurance", "title": "INSURANCE"})
    assert clash.status_code == 200 and "title" in clash.context["form"].errors
    assert _state(tenant) == before
    saved = client.post(url, {"doc_type": "quality_agreement", "title": "Quality agreement", "expires_on": ""})
    assert saved.status_code == 302
    assert saved["Location"] == _url("supplier_documents", tenant, supplier_id=supplier.pk)
    with tenant_scope(tenant):
        document.refresh_from_db()
    assert (document.doc_type, document.title) == ("quality_agreement", "Quality agreement")


def test_delete_asks_first_then_removes(
    tenant: Tenant, supplier: Supplier, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = _document(tenant, supplier, versions=2)
    client = _client(make_member(tenant, Role.QUALITY))
    url = _url("document_delete", tenant, document_id=document.pk)
    before = _state(tenant)
    confirm = client.get(url)
    body = confirm.content.decode()
    assert confirm.status_code == 200
    assert "nda-v1.pdf" in body and "nda-v2.pdf" in body and 'method="post"' in body
    assert _state(tenant) == before  # asking writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)
    assert done.status_code == 302
    assert done["Location"] == _url("supplier_documents", tenant, supplier_id=supplier.pk)
    assert _state(tenant)[:2] == ([], 0)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["document_edit", "document_delete"])
def test_pages_refuse_agents_and_other_roles_and_hide_other_tenants(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier, make_member: Any, name: str
) -> None:
    document = _document(tenant, supplier)
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    url = _url(name, tenant, document_id=document.pk)
    finance = make_member(tenant, Role.FINANCE)
    theirs = _client(make_member(other_tenant, Role.ADMIN))
    before = _state(tenant)
    for member in (agent, finance):
        client = _client(member)
        assert client.get(url).status_code == 403
        assert client.post(url, {"doc_type": "nda", "title": "Mine"}).status_code == 403
    for document_id in (document.pk, uuid.uuid4()):
        other_url = _url(name, other_tenant, document_id=document_id)
        assert theirs.get(other_url).status_code == 404
        assert theirs.post(other_url, {"doc_type": "nda", "title": "Mine"}).status_code == 404
    assert _state(tenant) == before


# API


def test_api_patch_and_delete(
    tenant: Tenant, supplier: Supplier, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    document = _document(tenant, supplier)
    client = api_client()
    patched = client.patch(f"{API}{document.pk}/", {"title": "Signed NDA", "expires_on": "2028-01-31"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["title"], patched.json()["expires_on"], len(patched.json()["versions"])) == (
        "Signed NDA",
        "2028-01-31",
        2,
    )
    before = _state(tenant)
    bad = client.patch(f"{API}{document.pk}/", {"title": ""}, format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"title"}
    assert _state(tenant) == before
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{API}{document.pk}/").status_code == 204
    assert _state(tenant)[:2] == ([], 0)
    assert client.delete(f"{API}{document.pk}/").status_code == 404


def test_api_other_tenants_ids_are_missing_and_read_keys_cannot_change(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier, api_client: Any
) -> None:
    document = _document(tenant, supplier)
    theirs_client = api_client(for_tenant=other_tenant)
    reader = api_client(("read",))
    before = _state(tenant)
    for method in ("patch", "delete"):
        theirs = getattr(theirs_client, method)(f"{API}{document.pk}/", {"title": "x"}, format="json")
        missing = getattr(theirs_client, method)(f"{API}{uuid.uuid4()}/", {"title": "x"}, format="json")
        assert theirs.status_code == missing.status_code == 404 and theirs.content == missing.content
        assert getattr(reader, method)(f"{API}{document.pk}/", {"title": "x"}, format="json").status_code == 403
    assert _state(tenant) == before
