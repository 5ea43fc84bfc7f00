"""Certification pages: the profile tab, the form, downloads, the expiring list with its export, and the
partner page."""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, Supplier
from tests.conftest import SYSTEM
from tests.suppliers.builders import PDF_BYTES, add_certificate, make_supplier

pytestmark = pytest.mark.usefixtures("viewers_day")  # dates counted in the viewer's day, as the pages count them


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def _counts(tenant: Tenant) -> tuple[int, int]:
    with tenant_scope(tenant):
        return Certification.objects.count(), AuditEvent.objects.count()


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content))


def _upload(name: str = "iso.pdf", body: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def supplier(tenant: Tenant) -> Supplier:
    return make_supplier(tenant, internal_notes="TARGET-PRICE-SECRET")


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# The profile tab


def test_tab_lists_certificates_with_their_states_and_offers_writers_the_forms(
    tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    add_certificate(tenant, supplier, valid_until=_days(200), number="VALID-1")
    add_certificate(tenant, supplier, cert_type="smeta", valid_until=_days(10), number="SOON-1")
    add_certificate(tenant, supplier, cert_type="fda_fei", valid_until=_days(-3), number="GONE-1")
    url = _url("supplier_certifications", tenant, supplier_id=supplier.pk)
    quality = _client(make_member(tenant, Role.QUALITY)).get(url)
    body = quality.content.decode()
    assert quality.status_code == 200
    assert all(n in body for n in ("VALID-1", "SOON-1", "GONE-1"))
    assert "Expiring in 10 days" in body and "Expired" in body and "Valid" in body
    assert _url("certification_create", tenant, supplier_id=supplier.pk) in body
    assert "/edit/" in body and "/delete/" in body
    executive = _client(make_member(tenant, Role.EXECUTIVE)).get(url).content.decode()
    assert "SOON-1" in executive
    assert _url("certification_create", tenant, supplier_id=supplier.pk) not in executive
    assert "/edit/" not in executive and "/delete/" not in executive


def test_tab_shows_the_required_certifications_missing(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    from tests.suppliers.builders import require_certifications

    require_certifications(tenant, supplier, "amfori_bsci")
    body = (
        _client(make_member(tenant, Role.BUYER))
        .get(_url("supplier_certifications", tenant, supplier_id=supplier.pk))
        .content.decode()
    )
    assert "amfori BSCI" in body and "not held in force" in body


@pytest.mark.parametrize("rows", [3, 6])
def test_tab_query_count_is_pinned(
    tenant: Tenant, supplier: Supplier, make_member: Any, rows: int, django_assert_num_queries: Any
) -> None:
    with tenant_scope(tenant):
        from suppliers.models import Site

        site = Site.objects.create(tenant=tenant, supplier=supplier, name="Plant 1")
    for n in range(rows):
        add_certificate(tenant, supplier, valid_until=_days(n * 20 - 10), site_id=site.pk)
    client = _client(make_member(tenant, Role.QUALITY))
    with django_assert_num_queries(18):
        response = client.get(_url("supplier_certifications", tenant, supplier_id=supplier.pk))
    assert response.status_code == 200


def test_another_tenants_supplier_tab_is_missing(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    theirs = make_supplier(other_tenant, "Xiamen Peakline")
    client = _client(make_member(tenant, Role.ADMIN))
    assert client.get(_url("supplier_certifications", tenant, supplier_id=theirs.pk)).status_code == 404
    assert client.get(_url("supplier_certifications", tenant, supplier_id=uuid.uuid4())).status_code == 404


# Adding, editing and deleting


def test_add_through_the_page(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    response = _client(make_member(tenant, Role.QUALITY)).post(
        _url("certification_create", tenant, supplier_id=supplier.pk),
        {
            "cert_type": "iso_9001",
            "number": "Q-9",
            "valid_from": "2025-01-01",
            "valid_until": "2028-01-01",
            "file": _upload(),
        },
    )
    assert response.status_code == 302
    with tenant_scope(tenant):
        certification = Certification.objects.get()
    assert (certification.number, certification.content_type) == ("Q-9", "application/pdf")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")}, "accepted"),
        ({"file": SimpleUploadedFile("x.pdf", b"", content_type="application/pdf")}, "The file is empty."),
        ({"valid_from": "2029-01-01"}, "cannot end before it starts"),
    ],
)
def test_a_bad_form_is_shown_again_with_the_field_named_and_nothing_written(
    tenant: Tenant, supplier: Supplier, make_member: Any, form: dict[str, Any], message: str
) -> None:
    client = _client(make_member(tenant, Role.QUALITY))
    before = _counts(tenant)
    response = client.post(
        _url("certification_create", tenant, supplier_id=supplier.pk),
        {"cert_type": "iso_9001", "valid_until": "2028-01-01", **form},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors  # on the form, by field
    assert _counts(tenant) == before


def test_an_agent_or_reader_cannot_post_to_the_internal_form(
    tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    executive = make_member(tenant, Role.EXECUTIVE)
    before = _counts(tenant)
    for member in (agent, executive):
        response = _client(member).post(
            _url("certification_create", tenant, supplier_id=supplier.pk),
            {"cert_type": "iso_9001", "valid_until": "2028-01-01"},
        )
        assert response.status_code == 403
    assert _counts(tenant) == before


def test_edit_and_delete_through_the_pages(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    certification = add_certificate(tenant, supplier)
    client = _client(make_member(tenant, Role.QUALITY))
    edit = _url("certification_edit", tenant, certification_id=certification.pk)
    assert 'value="2030-01-31"' in client.get(edit).content.decode()
    response = client.post(edit, {"cert_type": "iso_9001", "valid_until": "2031-05-01", "issuer": "BV"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert Certification.objects.get().issuer == "BV"
    delete = _url("certification_delete", tenant, certification_id=certification.pk)
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    with tenant_scope(tenant):
        assert not Certification.objects.exists()
        assert AuditEvent.objects.filter(action="certification.delete").count() == 1


def test_another_tenants_certificate_is_missing_on_every_page(
    tenant: Tenant, other_tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    certification = add_certificate(tenant, supplier)
    client = _client(make_member(other_tenant, Role.ADMIN))
    before = _counts(tenant)
    for name, method in (
        ("certification_edit", "get"),
        ("certification_edit", "post"),
        ("certification_delete", "post"),
        ("certification_download", "get"),
    ):
        theirs = getattr(client, method)(_url(name, other_tenant, certification_id=certification.pk))
        missing = getattr(client, method)(_url(name, other_tenant, certification_id=uuid.uuid4()))
        assert theirs.status_code == missing.status_code == 404
        assert _without_csrf(theirs.content) == _without_csrf(missing.content)
    assert _counts(tenant) == before


def test_download_sends_the_file_as_an_attachment_and_records_it(
    tenant: Tenant, supplier: Supplier, make_member: Any
) -> None:
    certification = add_certificate(tenant, supplier, file_name="ISO 9001.pdf")
    response = _client(make_member(tenant, Role.EXECUTIVE)).get(
        _url("certification_download", tenant, certification_id=certification.pk)
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    with tenant_scope(tenant):
        assert AuditEvent.objects.filter(action="certification.download").count() == 1
    no_file = add_certificate(tenant, supplier, with_file=False)
    missing = _client(make_member(tenant, Role.BUYER)).get(
        _url("certification_download", tenant, certification_id=no_file.pk)
    )
    assert missing.status_code == 404


# Expiring certificates


def _expiring_world(tenant: Tenant, make_member: Any, rows: int) -> dict[str, Any]:
    owner = make_member(tenant, Role.BUYER, email="owner@acme.test")
    strategic = make_supplier(tenant, '=HYPERLINK("http://x")', tier="strategic", owner=owner)
    core = make_supplier(tenant, "Core Co.", tier="core")
    for n in range(rows):  # each a certificate of its own (a later one of the same kind would renew it)
        add_certificate(
            tenant, strategic, cert_type="other", name=f"Test {n}", valid_until=_days(n + 1), number=f"SOON-{n}"
        )
        add_certificate(
            tenant, core, cert_type="smeta", name=f"Audit {n}", valid_until=_days(-n - 1), number=f"GONE-{n}"
        )
    add_certificate(tenant, core, valid_until=_days(90), number="LATER-1")
    return {"owner": owner, "strategic": strategic, "core": core}


def test_expiring_lists_what_ends_soon_and_what_has_ended(tenant: Tenant, make_member: Any) -> None:
    world = _expiring_world(tenant, make_member, 2)
    client = _client(make_member(tenant, Role.EXECUTIVE))
    url = _url("certificate_expiring", tenant)
    body = client.get(url).content.decode()
    assert "SOON-0" in body and "GONE-1" in body and "LATER-1" not in body
    assert "LATER-1" in client.get(url, {"within": 120}).content.decode()
    expired = client.get(url, {"state": "expired"}).content.decode()
    assert "GONE-0" in expired and "SOON-0" not in expired
    smeta = client.get(url, {"cert_type": "smeta"}).content.decode()
    assert "GONE-0" in smeta and "SOON-0" not in smeta
    strategic = client.get(url, {"tier": "strategic"}).content.decode()
    assert "SOON-0" in strategic and "GONE-0" not in strategic
    owned = client.get(url, {"owner": str(world["owner"].pk)}).content.decode()
    assert "SOON-1" in owned and "GONE-1" not in owned
    nobody = client.get(url, {"owner": "none"}).content.decode()
    assert "GONE-1" in nobody and "SOON-1" not in nobody


def test_expiring_pages_fifty_at_a_time(tenant: Tenant, make_member: Any) -> None:
    _expiring_world(tenant, make_member, 26)
    client = _client(make_member(tenant, Role.EXECUTIVE))
    first = client.get(_url("certificate_expiring", tenant))
    second = client.get(_url("certificate_expiring", tenant), {"page": 2})
    assert len(first.context["certifications"]) == 50
    assert len(second.context["certifications"]) == 2
    assert "1–50 of 52" in first.content.decode() and "51–52 of 52" in second.content.decode()


@pytest.mark.parametrize("rows", [3, 6])
def test_expiring_query_count_is_pinned(
    tenant: Tenant, make_member: Any, rows: int, django_assert_num_queries: Any
) -> None:
    _expiring_world(tenant, make_member, rows)
    client = _client(make_member(tenant, Role.EXECUTIVE))
    with django_assert_num_queries(16):
        response = client.get(_url("certificate_expiring", tenant))
    assert len(response.context["certifications"]) == rows * 2


def test_export_csv_escapes_formulas_and_is_recorded(tenant: Tenant, make_member: Any) -> None:
    _expiring_world(tenant, make_member, 2)
    response = _client(make_member(tenant, Role.EXECUTIVE)).get(
        _url("certificate_expiring_export", tenant), {"tier": "strategic", "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Supplier"
    assert len(rows) == 3
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][2] == "owner@acme.test"
    with tenant_scope(tenant):
        event = AuditEvent.objects.get(action="certification.export")
    assert event.after == {"rows": 2, "within_days": 30, "tier": "strategic"}


def test_export_xlsx_escapes_formulas(tenant: Tenant, make_member: Any) -> None:
    _expiring_world(tenant, make_member, 2)
    response = _client(make_member(tenant, Role.EXECUTIVE)).get(
        _url("certificate_expiring_export", tenant), {"format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 5
    guarded = [cell for cell in sheet["A"] if cell.value == '=HYPERLINK("http://x")']
    assert guarded and all(cell.data_type == "s" and cell.quotePrefix for cell in guarded)
    assert all(isinstance(row[10], int) for row in values[1:])  # days left stay numbers


def test_an_agent_cannot_reach_the_expiring_list(tenant: Tenant, make_member: Any) -> None:
    client = _client(make_member(tenant, Role.AGENT))
    assert client.get(_url("certificate_expiring", tenant)).status_code == 403
    assert client.get(_url("certificate_expiring_export", tenant)).status_code == 403


# The partner page


@pytest.fixture
def agents(tenant: Tenant, supplier: Supplier, make_member: Any) -> dict[str, Membership]:
    assigned = make_member(tenant, Role.AGENT, email="agent.li@bridge.test")
    unassigned = make_member(tenant, Role.AGENT, email="agent.chen@bridge.test")
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=assigned.pk, obj=supplier)
    return {"assigned": assigned, "unassigned": unassigned}


def test_the_assigned_agent_sees_partner_safe_fields_and_uploads(
    tenant: Tenant, supplier: Supplier, agents: dict[str, Membership], make_member: Any
) -> None:
    buyer = make_member(tenant, Role.BUYER, email="buyer.wang@acme.test")
    from sourcing.actors import Actor

    with tenant_scope(tenant):
        from suppliers.services.certifications import certification_create

        certification_create(
            tenant=tenant,
            by=Actor.for_membership(buyer),
            supplier_id=supplier.pk,
            cert_type="iso_9001",
            number="Q-PARTNER",
            valid_until=_days(12),
        )
        Certification.objects.update(reminders_sent=[30])
    client = _client(agents["assigned"])
    url = _url("portal_supplier_certifications", tenant, supplier_id=supplier.pk)
    body = client.get(url).content.decode()
    assert "Q-PARTNER" in body and "Expiring in 12 days" in body
    for secret in ("TARGET-PRICE-SECRET", "buyer.wang@acme.test", "reminders"):
        assert secret not in body
    response = client.post(url, {"cert_type": "amfori_bsci", "valid_until": "2028-01-01", "file": _upload("bsci.pdf")})
    assert response.status_code == 302
    with tenant_scope(tenant):
        added = Certification.objects.get(cert_type="amfori_bsci")
    assert added.uploaded_by_id == agents["assigned"].user_id
    download = client.get(_url("portal_certification_download", tenant, certification_id=added.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_a_bad_file_from_the_partner_page_is_named_and_nothing_written(
    tenant: Tenant, supplier: Supplier, agents: dict[str, Membership]
) -> None:
    before = _counts(tenant)
    response = _client(agents["assigned"]).post(
        _url("portal_supplier_certifications", tenant, supplier_id=supplier.pk),
        {"cert_type": "amfori_bsci", "valid_until": "2028-01-01", "file": _upload("x.pdf", b"hello")},
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert _counts(tenant) == before


def test_an_unassigned_agent_gets_404_everywhere_and_writes_nothing(
    tenant: Tenant, supplier: Supplier, agents: dict[str, Membership]
) -> None:
    certification = add_certificate(tenant, supplier)
    client = _client(agents["unassigned"])
    page = _url("portal_supplier_certifications", tenant, supplier_id=supplier.pk)
    before = _counts(tenant)
    assert client.get(page).status_code == 404
    assert client.post(page, {"cert_type": "smeta", "valid_until": "2028-01-01"}).status_code == 404
    download = _url("portal_certification_download", tenant, certification_id=certification.pk)
    assert client.get(download).status_code == 404
    assert _counts(tenant) == before


def test_internal_people_do_not_use_the_partner_page(tenant: Tenant, supplier: Supplier, make_member: Any) -> None:
    response = _client(make_member(tenant, Role.ADMIN)).get(
        _url("portal_supplier_certifications", tenant, supplier_id=supplier.pk)
    )
    assert response.status_code == 403
