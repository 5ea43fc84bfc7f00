"""The partner API for sourcing agents: assigned suppliers with sites and contacts, proposals, certificates,
documents and audits. Every route: the happy path, another tenant's id and an unassigned agent answered like a
missing id, exactly the partner fields and no internal value anywhere, query counts pinned at N and 2N rows,
and idempotent POSTs."""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.services import agent_assign, agent_unassign
from sourcing.tenancy import tenant_scope
from suppliers.models import (
    AuditItem,
    BankAccount,
    Certification,
    Document,
    DocumentVersion,
    FactoryAudit,
    RiskFlag,
    Supplier,
)
from suppliers.services.certifications import certification_create
from suppliers.services.documents import document_upload
from suppliers.services.master import supplier_create
from suppliers.services.sites_contacts import contact_save, site_save
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM
from tests.suppliers.builders import PDF_BYTES, make_template, plan

API = "/api/partner/v1"
# Every internal value the world's supplier carries: none may appear anywhere in a partner answer.
SECRETS = [
    "INTERNAL-NOTE-SECRET",
    "RISK-NOTE-SECRET",
    "6222020200112233",  # bank account number
    "BANK-SECRET",
    "owner.secret@acme.test",  # the supplier's owner
    "RISK-FLAG-SECRET",
    "STATUS-REASON-SECRET",
    "ERP-ID-SECRET",
    "VERSION-NOTE-SECRET",
]

SUPPLIER_KEYS = {
    "id",
    "display_name",
    "legal_name",
    "local_name",
    "supplier_type",
    "status",
    "credit_code",
    "country",
    "province",
    "city",
    "website",
    "sites",
    "contacts",
}
SITE_KEYS = {"id", "name", "kind", "country", "province", "city", "address", "processes"}
CONTACT_KEYS = {"id", "name", "title", "email", "phone", "wechat"}
CERTIFICATION_KEYS = {
    "id",
    "supplier",
    "site",
    "site_name",
    "cert_type",
    "name",
    "number",
    "issuer",
    "valid_from",
    "valid_until",
    "state",
    "renewed",
    "file_name",
}
DOCUMENT_KEYS = {"id", "supplier", "doc_type", "title", "expires_on", "created_at", "versions"}
VERSION_KEYS = {"id", "version", "file_name", "size", "uploaded_at"}
AUDIT_KEYS = {
    "id",
    "supplier",
    "supplier_name",
    "site",
    "site_name",
    "audit_type",
    "status",
    "planned_on",
    "performed_on",
    "score",
    "pass_score",
    "summary",
}
AUDIT_DETAIL_KEYS = AUDIT_KEYS | {"items", "evidence", "findings", "returned_note", "returned_at"}
ITEM_KEYS = {"id", "section", "position", "text", "weight", "is_critical", "answer", "comment"}
EVIDENCE_KEYS = {"id", "item", "caption", "file_name", "size", "uploaded_at"}
FINDING_KEYS = {"id", "item", "severity", "description", "action", "due_on"}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _token(tenant: Tenant, agent: Membership, name: str = "Laptop") -> APIClient:
    with tenant_scope(tenant):
        _t, raw = partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {raw}")
    return client


def _pdf(name: str = "certificate.pdf") -> io.BytesIO:
    handle = io.BytesIO(PDF_BYTES)
    handle.name = name
    return handle


def _supplier(tenant: Tenant, name: str, owner: Membership | None = None) -> Supplier:
    """A supplier carrying every kind of internal value, with a site, a contact, bank details and a risk flag."""
    with tenant_scope(tenant):
        supplier = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(
                legal_name=name,
                internal_notes="INTERNAL-NOTE-SECRET",
                risk_notes="RISK-NOTE-SECRET",
                external_id=f"ERP-ID-SECRET-{uuid.uuid4().hex[:6]}",
                owner_id=owner.pk if owner else None,
            ),
            allow_duplicates=True,
        )
        Supplier.objects.filter(pk=supplier.pk).update(status_reason="STATUS-REASON-SECRET")
        site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Plant 2", province="Zhejiang")
        contact_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Li Wei", wechat="liwei88")
        BankAccount.objects.create(
            tenant=tenant,
            supplier=supplier,
            account_name="X",
            bank_name="BANK-SECRET",
            account_number="6222020200112233",
        )
        RiskFlag.objects.create(tenant=tenant, supplier=supplier, kind="other", title="t", note="RISK-FLAG-SECRET")
    return supplier


@dataclass
class World:
    tenant: Tenant
    other: Tenant
    agent: Membership
    unassigned: Membership
    other_agent: Membership  # the same person in globex
    supplier: Supplier
    other_supplier: Supplier  # globex's, assigned to the globex membership
    certification: Certification
    document: Document
    audit: FactoryAudit
    other_audit: FactoryAudit


def _evidence(tenant: Tenant, supplier: Supplier) -> tuple[Certification, Document]:
    with tenant_scope(tenant):
        certification = certification_create(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            cert_type="iso_9001",
            valid_until=datetime.date(2030, 1, 31),
            file=_pdf(),
            file_name="iso.pdf",
        )
        version = document_upload(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            doc_type="business_license",
            title="Business licence",
            file=_pdf("licence.pdf"),
            file_name="licence.pdf",
            note="VERSION-NOTE-SECRET",
        )
    return certification, version.document


@pytest.fixture
def world(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> World:
    owner = make_member(tenant, Role.BUYER, email="owner.secret@acme.test")
    agent = make_member(tenant, Role.AGENT, email="li@bridge.test")
    unassigned = make_member(tenant, Role.AGENT, email="chen@bridge.test")
    other_agent = make_member(other_tenant, Role.AGENT, email="li@bridge.test")
    supplier = _supplier(tenant, "Ningbo Everbright Housewares Co., Ltd.", owner)
    other_supplier = _supplier(other_tenant, "Xiamen Peakline Outdoor Co., Ltd.")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    with tenant_scope(other_tenant):
        agent_assign(tenant=other_tenant, by=SYSTEM, agent_membership_id=other_agent.pk, obj=other_supplier)
    certification, document = _evidence(tenant, supplier)
    _evidence(other_tenant, other_supplier)
    audit = plan(tenant, supplier, make_template(tenant), agent)
    other_audit = plan(other_tenant, other_supplier, make_template(other_tenant), other_agent)
    return World(
        tenant,
        other_tenant,
        agent,
        unassigned,
        other_agent,
        supplier,
        other_supplier,
        certification,
        document,
        audit,
        other_audit,
    )


def _no_secrets(response: Any) -> None:
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, secret


def _events(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return AuditEvent.objects.count()


def _same_404(client: APIClient, theirs: str, missing: str, method: str = "get", **kwargs: Any) -> None:
    a = getattr(client, method)(theirs, **kwargs)
    b = getattr(client, method)(missing, **kwargs)
    assert a.status_code == b.status_code == 404, (a.content, b.content)
    assert a.content == b.content


# Suppliers


def test_suppliers_lists_the_assigned_ones_with_sites_and_contacts_and_nothing_internal(world: World) -> None:
    response = _token(world.tenant, world.agent).get(f"{API}/suppliers/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(world.supplier.pk)
    assert set(row) == SUPPLIER_KEYS
    assert [set(s) for s in row["sites"]] == [SITE_KEYS] and row["sites"][0]["name"] == "Plant 2"
    assert [set(c) for c in row["contacts"]] == [CONTACT_KEYS] and row["contacts"][0]["wechat"] == "liwei88"
    _no_secrets(response)


def test_supplier_detail(world: World) -> None:
    response = _token(world.tenant, world.agent).get(f"{API}/suppliers/{world.supplier.pk}/")
    assert response.status_code == 200
    assert set(response.json()) == SUPPLIER_KEYS
    _no_secrets(response)


def test_supplier_of_another_tenant_or_unassigned_is_missing(world: World) -> None:
    # the same person's globex token, asking for acme's supplier
    _same_404(
        _token(world.other, world.other_agent),
        f"{API}/suppliers/{world.supplier.pk}/",
        f"{API}/suppliers/{uuid.uuid4()}/",
    )
    unassigned = _token(world.tenant, world.unassigned)
    _same_404(unassigned, f"{API}/suppliers/{world.supplier.pk}/", f"{API}/suppliers/{uuid.uuid4()}/")
    assert unassigned.get(f"{API}/suppliers/").json()["results"] == []
    assert unassigned.get(f"{API}/suppliers/not-an-id/").status_code == 404


def test_an_unassigned_supplier_is_gone_from_the_agent(world: World) -> None:
    client = _token(world.tenant, world.agent)
    with tenant_scope(world.tenant):
        agent_unassign(tenant=world.tenant, by=SYSTEM, agent_membership_id=world.agent.pk, obj=world.supplier)
    assert client.get(f"{API}/suppliers/{world.supplier.pk}/").status_code == 404
    assert client.get(f"{API}/audits/{world.audit.pk}/").status_code == 404
    assert client.get(f"{API}/certifications/").json()["results"] == []


def _assign_more(world: World, start: int, stop: int) -> None:
    with tenant_scope(world.tenant):
        for i in range(start, stop):
            supplier = Supplier.objects.create(tenant=world.tenant, legal_name=f"Supplier {i:03d}")
            site_save(tenant=world.tenant, by=SYSTEM, supplier_id=supplier.pk, name=f"Plant {i}")
            contact_save(
                tenant=world.tenant,
                by=SYSTEM,
                supplier_id=supplier.pk,
                name=f"Contact {i}",
                phone=f"+86 574 {i:04d}",
            )
            agent_assign(tenant=world.tenant, by=SYSTEM, agent_membership_id=world.agent.pk, obj=supplier)


def _pinned(client: APIClient, path: str, grow: Any, n: int, queries: int, assert_num_queries: Any) -> None:
    """The list runs ``queries`` queries at N rows and at 2N rows."""
    grow(0, n)
    assert client.get(path).status_code == 200  # the token's first use records its last-used time
    with assert_num_queries(queries):
        first = client.get(path).json()["results"]
    grow(n, 2 * n)
    with assert_num_queries(queries):
        second = client.get(path).json()["results"]
    assert len(second) == len(first) + n


# Each scope is a savepoint with its RLS settings (4 queries around what runs in it): the token by its prefix,
# then the agent's membership in the token's tenant, then the request: the page (and any prefetches).
AUTH_QUERIES = 5 + 5
# the agent's granted supplier ids, read first; the page; its sites, its contacts
SUPPLIER_LIST_QUERIES = AUTH_QUERIES + 1 + 4 + 3


def test_supplier_list_query_count_is_constant(world: World, django_assert_num_queries: Any) -> None:
    client = _token(world.tenant, world.agent)
    _pinned(
        client,
        f"{API}/suppliers/",
        lambda a, b: _assign_more(world, a, b),
        4,
        SUPPLIER_LIST_QUERIES,
        django_assert_num_queries,
    )


# Proposals


def test_an_agent_proposes_a_supplier_that_is_then_assigned_to_them(world: World) -> None:
    client = _token(world.tenant, world.agent)
    response = client.post(
        f"{API}/supplier-proposals/",
        {"legal_name": "Yiwu Sunrise Crafts Co., Ltd.", "city": "Yiwu", "supplier_type": "manufacturer"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == SUPPLIER_KEYS and body["status"] == "prospect"
    assert client.get(f"{API}/suppliers/{body['id']}/").status_code == 200
    with tenant_scope(world.tenant):
        supplier = Supplier.objects.get(pk=body["id"])
        assert supplier.proposed_by_id == world.agent.pk
        assert AuditEvent.objects.filter(action="supplier.propose", object_id=body["id"]).exists()


def test_a_proposal_refuses_fields_an_agent_may_not_set(world: World) -> None:
    client = _token(world.tenant, world.agent)
    before = _events(world.tenant)
    response = client.post(
        f"{API}/supplier-proposals/",
        {"legal_name": "Yiwu Sunrise Crafts Co., Ltd.", "internal_notes": "x", "owner_id": str(world.agent.pk)},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"internal_notes", "owner_id"}
    assert _events(world.tenant) == before


def test_a_possible_duplicate_of_an_unassigned_supplier_names_nothing(world: World) -> None:
    client = _token(world.tenant, world.unassigned)
    before = _events(world.tenant)
    body = {"legal_name": "NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED"}
    response = client.post(f"{API}/supplier-proposals/", body, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert error["details"] == {"candidates": [], "other_match": True}
    assert str(world.supplier.pk) not in response.content.decode()
    assert "Everbright" not in response.content.decode()
    assert _events(world.tenant) == before
    # a flag that is not a JSON boolean is refused, not taken for yes
    unclear = client.post(f"{API}/supplier-proposals/", {**body, "allow_duplicates": "false"}, format="json")
    assert unclear.status_code == 400 and set(unclear.json()["error"]["fields"]) == {"allow_duplicates"}
    assert _events(world.tenant) == before
    # confirmed, it is proposed all the same
    confirmed = client.post(f"{API}/supplier-proposals/", {**body, "allow_duplicates": True}, format="json")
    assert confirmed.status_code == 201


def test_the_rate_is_per_agent_whichever_token(world: World, settings: Any, monkeypatch: Any) -> None:
    from sourcing.api.throttling import PartnerRateThrottle

    monkeypatch.setattr(PartnerRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    first, second = _token(world.tenant, world.agent, "A"), _token(world.tenant, world.agent, "B")
    other = _token(world.tenant, world.unassigned, "C")
    assert [first.get(f"{API}/suppliers/").status_code for _ in range(2)] == [200, 200]
    assert second.get(f"{API}/suppliers/").status_code == 429  # a second token of the same agent buys nothing
    assert other.get(f"{API}/suppliers/").status_code == 200  # another agent has their own count


def test_a_possible_duplicate_of_an_assigned_supplier_names_it(world: World) -> None:
    response = _token(world.tenant, world.agent).post(
        f"{API}/supplier-proposals/", {"legal_name": "NINGBO EVERBRIGHT HOUSEWARES COMPANY LIMITED"}, format="json"
    )
    assert response.status_code == 409
    details = response.json()["error"]["details"]
    assert [c["id"] for c in details["candidates"]] == [str(world.supplier.pk)]
    assert set(details["candidates"][0]) == {"id", "legal_name", "local_name", "reasons"}
    assert details["other_match"] is False
    _no_secrets(response)


def test_a_proposal_is_idempotent(world: World) -> None:
    client = _token(world.tenant, world.agent)
    body = {"legal_name": "Yiwu Sunrise Crafts Co., Ltd."}
    first = client.post(f"{API}/supplier-proposals/", body, format="json", HTTP_IDEMPOTENCY_KEY="prop-1")
    again = client.post(f"{API}/supplier-proposals/", body, format="json", HTTP_IDEMPOTENCY_KEY="prop-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    other_body = client.post(
        f"{API}/supplier-proposals/", {"legal_name": "Other Co."}, format="json", HTTP_IDEMPOTENCY_KEY="prop-1"
    )
    assert other_body.status_code == 422
    # another agent's same key is theirs alone: it runs, and replays nothing of this agent's
    theirs = _token(world.tenant, world.unassigned).post(
        f"{API}/supplier-proposals/", {**body, "allow_duplicates": True}, format="json", HTTP_IDEMPOTENCY_KEY="prop-1"
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    with tenant_scope(world.tenant):
        assert Supplier.objects.filter(legal_name="Yiwu Sunrise Crafts Co., Ltd.").count() == 2


# Certifications


def test_certifications_list_and_detail(world: World) -> None:
    client = _token(world.tenant, world.agent)
    response = client.get(f"{API}/certifications/", {"supplier": str(world.supplier.pk)})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert set(row) == CERTIFICATION_KEYS and row["id"] == str(world.certification.pk) and row["state"] == "valid"
    assert client.get(f"{API}/certifications/", {"supplier": str(uuid.uuid4())}).json()["results"] == []
    detail = client.get(f"{API}/certifications/{world.certification.pk}/")
    assert detail.status_code == 200 and set(detail.json()) == CERTIFICATION_KEYS
    _no_secrets(response)
    _no_secrets(detail)


def test_certification_of_another_tenant_or_unassigned_is_missing(world: World) -> None:
    theirs, missing = f"{API}/certifications/{world.certification.pk}/", f"{API}/certifications/{uuid.uuid4()}/"
    _same_404(_token(world.other, world.other_agent), theirs, missing)
    unassigned = _token(world.tenant, world.unassigned)
    _same_404(unassigned, theirs, missing)
    assert unassigned.get(f"{API}/certifications/").json()["results"] == []


def test_an_agent_uploads_a_certificate(world: World) -> None:
    client = _token(world.tenant, world.agent)
    response = client.post(
        f"{API}/certifications/",
        {"supplier": str(world.supplier.pk), "cert_type": "amfori_bsci", "valid_until": "2029-12-31", "file": _pdf()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert set(response.json()) == CERTIFICATION_KEYS and response.json()["file_name"] == "certificate.pdf"
    with tenant_scope(world.tenant):
        created = Certification.objects.get(pk=response.json()["id"])
        assert created.uploaded_by_id == world.agent.user_id


def test_a_certificate_file_is_checked_by_its_content(world: World) -> None:
    client = _token(world.tenant, world.agent)
    before = _events(world.tenant)
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf at all")
    fake.name = "certificate.pdf"
    response = client.post(
        f"{API}/certifications/",
        {"supplier": str(world.supplier.pk), "cert_type": "amfori_bsci", "valid_until": "2029-12-31", "file": fake},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]
    assert _events(world.tenant) == before


def test_a_certificate_for_an_unassigned_or_foreign_supplier_is_missing(world: World) -> None:
    client = _token(world.tenant, world.unassigned)
    before = (_events(world.tenant), _events(world.other))

    def post(supplier_id: Any) -> Any:
        return client.post(
            f"{API}/certifications/",
            {"supplier": str(supplier_id), "cert_type": "amfori_bsci", "valid_until": "2029-12-31", "file": _pdf()},
            format="multipart",
        )

    responses = [post(world.supplier.pk), post(world.other_supplier.pk), post(uuid.uuid4())]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert (_events(world.tenant), _events(world.other)) == before


def _certificates(world: World, start: int, stop: int) -> None:
    with tenant_scope(world.tenant):
        for i in range(start, stop):
            certification_create(
                tenant=world.tenant,
                by=SYSTEM,
                supplier_id=world.supplier.pk,
                cert_type="other",
                name=f"Certificate {i}",
                valid_until=datetime.date(2030, 1, 31),
            )


CERTIFICATION_LIST_QUERIES = AUTH_QUERIES + 1 + 4 + 1  # the granted ids; the page, with each certificate's site


def test_certification_list_query_count_is_constant(world: World, django_assert_num_queries: Any) -> None:
    client = _token(world.tenant, world.agent)
    grow = lambda a, b: _certificates(world, a, b)  # noqa: E731
    _pinned(client, f"{API}/certifications/", grow, 4, CERTIFICATION_LIST_QUERIES, django_assert_num_queries)


def test_a_certificate_post_is_idempotent(world: World) -> None:
    client = _token(world.tenant, world.agent)

    def post() -> Any:
        return client.post(
            f"{API}/certifications/",
            {
                "supplier": str(world.supplier.pk),
                "cert_type": "amfori_bsci",
                "valid_until": "2029-12-31",
                "file": _pdf(),
            },
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="cert-1",
        )

    first, again = post(), post()
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    with tenant_scope(world.tenant):
        assert Certification.objects.filter(cert_type="amfori_bsci").count() == 1


# Documents


def test_documents_list_and_detail_without_version_notes(world: World) -> None:
    client = _token(world.tenant, world.agent)
    response = client.get(f"{API}/documents/", {"supplier": str(world.supplier.pk)})
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert set(row) == DOCUMENT_KEYS and [set(v) for v in row["versions"]] == [VERSION_KEYS]
    detail = client.get(f"{API}/documents/{world.document.pk}/")
    assert detail.status_code == 200 and set(detail.json()) == DOCUMENT_KEYS
    _no_secrets(response)
    _no_secrets(detail)


def test_document_of_another_tenant_or_unassigned_is_missing(world: World) -> None:
    theirs, missing = f"{API}/documents/{world.document.pk}/", f"{API}/documents/{uuid.uuid4()}/"
    _same_404(_token(world.other, world.other_agent), theirs, missing)
    unassigned = _token(world.tenant, world.unassigned)
    _same_404(unassigned, theirs, missing)
    before = _events(world.tenant)
    _same_404(
        unassigned,
        f"{theirs}versions/",
        f"{missing}versions/",
        method="post",
        data={"file": _pdf()},
        format="multipart",
    )
    assert _events(world.tenant) == before


def test_an_agent_uploads_a_document_and_a_new_version(world: World) -> None:
    client = _token(world.tenant, world.agent)
    created = client.post(
        f"{API}/documents/",
        {"supplier": str(world.supplier.pk), "doc_type": "other", "title": "Factory layout", "file": _pdf("a.pdf")},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    assert set(created.json()) == DOCUMENT_KEYS and [v["version"] for v in created.json()["versions"]] == [1]
    document_id = created.json()["id"]
    version = client.post(
        f"{API}/documents/{document_id}/versions/",
        {"file": _pdf("b.pdf"), "expires_on": "2031-01-01"},
        format="multipart",
    )
    assert version.status_code == 201, version.content
    assert [v["version"] for v in version.json()["versions"]] == [2, 1]
    assert version.json()["expires_on"] == "2031-01-01"
    missing_file = client.post(f"{API}/documents/{document_id}/versions/", {}, format="multipart")
    assert missing_file.status_code == 400 and "file" in missing_file.json()["error"]["fields"]
    with tenant_scope(world.tenant):
        assert DocumentVersion.objects.filter(document_id=document_id).count() == 2


def _documents(world: World, start: int, stop: int) -> None:
    with tenant_scope(world.tenant):
        for i in range(start, stop):
            document_upload(
                tenant=world.tenant,
                by=SYSTEM,
                supplier_id=world.supplier.pk,
                doc_type="other",
                title=f"Document {i}",
                file=_pdf(),
                file_name="d.pdf",
            )


DOCUMENT_LIST_QUERIES = AUTH_QUERIES + 1 + 4 + 2  # the granted ids; the page, its versions


def test_document_list_query_count_is_constant(world: World, django_assert_num_queries: Any) -> None:
    client = _token(world.tenant, world.agent)
    grow = lambda a, b: _documents(world, a, b)  # noqa: E731
    _pinned(client, f"{API}/documents/", grow, 4, DOCUMENT_LIST_QUERIES, django_assert_num_queries)


# Audits


def test_audits_list_and_detail_with_the_checklist_and_nothing_internal(world: World) -> None:
    client = _token(world.tenant, world.agent)
    listing = client.get(f"{API}/audits/")
    assert listing.status_code == 200
    (row,) = listing.json()["results"]
    assert set(row) == AUDIT_KEYS and row["id"] == str(world.audit.pk)
    detail = client.get(f"{API}/audits/{world.audit.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert set(body) == AUDIT_DETAIL_KEYS
    assert len(body["items"]) == 4 and all(set(i) == ITEM_KEYS for i in body["items"])
    assert [i["position"] for i in body["items"]] == [1, 2, 3, 4]
    for response in (listing, detail):
        _no_secrets(response)
        assert "li@bridge.test" not in response.content.decode()  # no auditor


def test_audit_of_another_tenant_unassigned_or_of_another_agent_is_missing(world: World, make_member: Any) -> None:
    theirs, missing = f"{API}/audits/{world.audit.pk}/", f"{API}/audits/{uuid.uuid4()}/"
    _same_404(_token(world.other, world.other_agent), theirs, missing)
    # an agent assigned to the supplier but not to this audit
    with tenant_scope(world.tenant):
        agent_assign(tenant=world.tenant, by=SYSTEM, agent_membership_id=world.unassigned.pk, obj=world.supplier)
    colleague = _token(world.tenant, world.unassigned)
    _same_404(colleague, theirs, missing)
    assert colleague.get(f"{API}/audits/").json()["results"] == []
    before = _events(world.tenant)
    for action, kwargs in (
        ("answers", {"data": {"answers": []}, "format": "json"}),
        ("evidence", {"data": {"file": _pdf()}, "format": "multipart"}),
        ("submit", {"data": {}, "format": "json"}),
    ):
        if action == "evidence":
            kwargs = {"data": {"file": _pdf()}, "format": "multipart"}
        _same_404(colleague, f"{theirs}{action}/", f"{missing}{action}/", method="post", **kwargs)
    assert _events(world.tenant) == before


def _items(world: World) -> list[str]:
    with tenant_scope(world.tenant):
        return [
            str(pk)
            for pk in AuditItem.objects.filter(audit=world.audit).order_by("position").values_list("pk", flat=True)
        ]


def test_answers_are_saved_in_a_batch(world: World) -> None:
    items = _items(world)
    client = _token(world.tenant, world.agent)
    response = client.post(
        f"{API}/audits/{world.audit.pk}/answers/",
        {
            "answers": [
                {"item": items[0], "answer": "compliant", "comment": "Manual seen"},
                {"item": items[1], "answer": "non_compliant"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    answered = {i["id"]: (i["answer"], i["comment"]) for i in response.json()["items"]}
    assert answered[items[0]] == ("compliant", "Manual seen")
    assert answered[items[1]] == ("non_compliant", "")
    assert response.json()["status"] == "in_progress"


def test_a_bad_batch_names_each_problem_and_writes_nothing(world: World) -> None:
    items = _items(world)
    client = _token(world.tenant, world.agent)
    before = _events(world.tenant)
    with tenant_scope(world.other):
        foreign_item = str(AuditItem.objects.filter(audit=world.other_audit).values_list("pk", flat=True).first())
    response = client.post(
        f"{API}/audits/{world.audit.pk}/answers/",
        {
            "answers": [
                {"item": items[0], "answer": "compliant"},
                {"item": items[1], "answer": "maybe"},
                {"item": "nope", "answer": "compliant"},
                {"item": items[2], "answer": "compliant", "colour": "red"},
                {"item": items[0], "answer": "not_applicable"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "answers[1].answer",
        "answers[2].item",
        "answers[3].colour",
        "answers[4].item",
    }
    # an item of another audit (here another tenant's) is named by its place in the batch
    foreign = client.post(
        f"{API}/audits/{world.audit.pk}/answers/",
        {"answers": [{"item": items[0], "answer": "compliant"}, {"item": foreign_item, "answer": "compliant"}]},
        format="json",
    )
    assert foreign.status_code == 400 and set(foreign.json()["error"]["fields"]) == {"answers[1].item"}
    with tenant_scope(world.tenant):
        assert not AuditItem.objects.filter(audit=world.audit).exclude(answer="").exists()
    assert _events(world.tenant) == before


def test_evidence_is_uploaded_to_an_item(world: World) -> None:
    items = _items(world)
    client = _token(world.tenant, world.agent)
    response = client.post(
        f"{API}/audits/{world.audit.pk}/evidence/",
        {"file": _pdf("photo.pdf"), "item": items[0], "caption": "Calibration log"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert set(response.json()) == EVIDENCE_KEYS and response.json()["item"] == items[0]
    detail = client.get(f"{API}/audits/{world.audit.pk}/").json()
    assert [e["caption"] for e in detail["evidence"]] == ["Calibration log"]
    fake = io.BytesIO(b"just text")
    fake.name = "photo.jpg"
    refused = client.post(f"{API}/audits/{world.audit.pk}/evidence/", {"file": fake}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()["error"]["fields"]


def test_submit_needs_every_answer_then_waits_for_review(world: World, make_member: Any) -> None:
    items = _items(world)
    client = _token(world.tenant, world.agent)
    early = client.post(f"{API}/audits/{world.audit.pk}/submit/", {"summary": "Done"}, format="json")
    assert early.status_code == 400 and "answers" in early.json()["error"]["fields"]
    client.post(
        f"{API}/audits/{world.audit.pk}/answers/",
        {"answers": [{"item": i, "answer": "compliant"} for i in items]},
        format="json",
    )
    submitted = client.post(f"{API}/audits/{world.audit.pk}/submit/", {"summary": "Done"}, format="json")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["status"], body["summary"], body["returned_note"]) == ("submitted", "Done", None)
    closed = client.post(
        f"{API}/audits/{world.audit.pk}/answers/",
        {"answers": [{"item": items[0], "answer": "non_compliant"}]},
        format="json",
    )
    assert closed.status_code == 400 and closed.json()["error"]["code"] == "audit_closed"
    # quality returns it with a note: the agent reads the note (not who wrote it) and may answer again
    from suppliers.services.audit_review import audit_review_return

    quality = make_member(world.tenant, Role.QUALITY, email="reviewer.secret@acme.test")
    with tenant_scope(world.tenant):
        audit_review_return(
            tenant=world.tenant, by=Actor.for_membership(quality), audit_id=world.audit.pk, note="Add photos"
        )
    returned = client.get(f"{API}/audits/{world.audit.pk}/")
    assert (returned.json()["status"], returned.json()["returned_note"]) == ("in_progress", "Add photos")
    assert returned.json()["returned_at"] is not None
    assert "reviewer.secret@acme.test" not in returned.content.decode()
    again = client.post(
        f"{API}/audits/{world.audit.pk}/answers/",
        {"answers": [{"item": items[0], "answer": "non_compliant"}]},
        format="json",
    )
    assert again.status_code == 200


def test_answers_are_idempotent(world: World) -> None:
    items = _items(world)
    client = _token(world.tenant, world.agent)
    body = {"answers": [{"item": items[0], "answer": "compliant"}]}
    first = client.post(f"{API}/audits/{world.audit.pk}/answers/", body, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    again = client.post(f"{API}/audits/{world.audit.pk}/answers/", body, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    with tenant_scope(world.tenant):
        assert AuditEvent.objects.filter(action="audit.answer").count() == 1


def _audits(world: World, start: int, stop: int) -> None:
    template = make_template(world.tenant, name=f"Template {start}")
    for _ in range(start, stop):
        plan(world.tenant, world.supplier, template, world.agent)


AUDIT_LIST_QUERIES = AUTH_QUERIES + 1 + 4 + 1  # the granted ids; the page, with each audit's supplier and site


def test_audit_list_query_count_is_constant(world: World, django_assert_num_queries: Any) -> None:
    client = _token(world.tenant, world.agent)
    grow = lambda a, b: _audits(world, a, b)  # noqa: E731
    _pinned(client, f"{API}/audits/", grow, 4, AUDIT_LIST_QUERIES, django_assert_num_queries)


# Credentials and schema


@pytest.mark.parametrize(
    "path", ["suppliers/", "certifications/", "documents/", "audits/", "supplier-proposals/"], ids=str
)
def test_an_erp_key_is_refused_on_every_partner_route(world: World, make_api_key: Any, path: str) -> None:
    _key, raw = make_api_key(world.tenant, ("read", "write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    method = "post" if path == "supplier-proposals/" else "get"
    before = _events(world.tenant)
    response = getattr(client, method)(f"{API}/{path}", {"legal_name": "X"}, format="json")
    assert response.status_code == 401 and response.json()["error"]["status"] == 401
    assert _events(world.tenant) == before


def test_a_partner_token_is_refused_on_the_erp_api(world: World) -> None:
    client = _token(world.tenant, world.agent)
    for path in ("/api/v1/suppliers/", f"/api/v1/suppliers/{world.supplier.pk}/", "/api/v1/audits/"):
        assert client.get(path).status_code == 401


def test_each_api_has_its_own_schema(db: Any) -> None:
    client = APIClient()
    partner = client.get(f"{API}/schema/", {"format": "json"})
    erp = client.get("/api/v1/schema/", {"format": "json"})
    assert partner.status_code == erp.status_code == 200
    partner_paths, erp_paths = set(partner.json()["paths"]), set(erp.json()["paths"])
    assert partner_paths and all(p.startswith("/api/partner/v1/") for p in partner_paths)
    assert erp_paths and all(p.startswith("/api/v1/") for p in erp_paths)
    assert set(partner.json()["components"]["securitySchemes"]) == {"PartnerTokenAuth"}
    assert set(erp.json()["components"]["securitySchemes"]) == {"ApiKeyAuth"}
    assert f"{API}/audits/{{id}}/answers/" in partner_paths
    # the partner schema documents no internal field
    text = partner.content.decode()
    for name in ("internal_notes", "risk_notes", "account_number", "owner_email", "external_id", "status_reason"):
        assert name not in text
    assert client.get(f"{API}/docs/").status_code == 200
    assert client.get(f"{API}/nope/").json()["error"]["code"] == "not_found"
