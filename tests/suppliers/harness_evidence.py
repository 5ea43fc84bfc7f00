"""Certifications and documents in the isolation harness (see tests/test_isolation.py)."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Site, Supplier
from suppliers.services.certifications import certification_create
from suppliers.services.documents import document_upload
from tests.conftest import SYSTEM

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

POST_ONLY: set[str] = {"certification_create", "certification_delete", "document_upload", "document_delete"}
# document_edit is asked with GET (its form); document_delete answers GET with a confirmation, so the harness
# sends it the POST that removes.
# Forms that post a site or document id (the certificate form's site, the upload form's document).
BODY_ID_ROUTES: set[str] = {
    "certification_create",
    "certification_edit",
    "document_upload",
    "portal_supplier_certifications",
    "portal_supplier_documents",
}
API_PK_OBJECT: dict[str, str] = {"certification": "certification_id", "document": "document_id"}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    certificate = {"cert_type": "iso_9001", "valid_until": "2030-06-30", "site": objects.get("evidence_site_id", "")}
    upload = {
        "document": objects.get("document_id", ""),
        "file": SimpleUploadedFile("v2.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    forms: dict[str, dict[str, Any]] = {
        "certification_create": certificate,
        "certification_edit": certificate,
        "portal_supplier_certifications": certificate,
        "certification_delete": {},
        "document_delete": {},
        "document_upload": upload,
        "portal_supplier_documents": upload,
    }
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A site, a certificate with its file and a document with one version, all under ``supplier``."""
    with tenant_scope(tenant):
        site = Site.objects.create(tenant=tenant, supplier=supplier, name=f"{tenant.name} evidence plant")
        certification = certification_create(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            cert_type="iso_9001",
            number=f"{tenant.slug.upper()}-Q-1",
            valid_until=datetime.date(2030, 1, 31),
            site_id=site.pk,
            file=io.BytesIO(PDF_BYTES),
            file_name="iso9001.pdf",
        )
        version = document_upload(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            doc_type="business_license",
            title="Business licence",
            file=io.BytesIO(PDF_BYTES),
            file_name="licence.pdf",
        )
    return {
        "evidence_site_id": str(site.pk),
        "certification_id": str(certification.pk),
        "document_id": str(version.document_id),
        "version_id": str(version.pk),
    }


# Builders the evidence tests share.


def pdf(name: str = "certificate.pdf", body: bytes = PDF_BYTES) -> io.BytesIO:
    """A small PDF as an open file, named like an upload."""
    handle = io.BytesIO(body)
    handle.name = name
    return handle


def make_supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **extra: Any) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, **extra)


def require_certifications(tenant: Tenant, supplier: Supplier, *cert_types: str, code: str = "111") -> Any:
    """A category of ``tenant`` that requires ``cert_types``, linked to ``supplier``."""
    from sourcing.categories.models import Category
    from suppliers.models import SupplierCategory

    with tenant_scope(tenant):
        category = Category.objects.create(
            tenant=tenant, code=code, name=f"Category {code}", required_certifications=list(cert_types)
        )
        SupplierCategory.objects.create(tenant=tenant, supplier=supplier, category=category)
    return category


def add_certificate(
    tenant: Tenant,
    supplier: Supplier,
    *,
    cert_type: str = "iso_9001",
    valid_until: datetime.date | None = None,
    with_file: bool = True,
    **extra: Any,
) -> Any:
    with tenant_scope(tenant):
        return certification_create(
            tenant=tenant,
            by=SYSTEM,
            supplier_id=supplier.pk,
            cert_type=cert_type,
            valid_until=valid_until or datetime.date(2030, 1, 31),
            file=pdf() if with_file else None,
            **extra,
        )
