"""Supplier pages under /t/<tenant_slug>/suppliers/ and partner pages under /t/<tenant_slug>/portal/.
One section per subdomain."""

from django.urls import URLPattern, path

from suppliers.views import evidence as evidence_views
from suppliers.views import portal, portal_evidence

page_patterns: list[URLPattern] = []

portal_patterns: list[URLPattern] = [
    path("suppliers/<uuid:supplier_id>/", portal.portal_supplier_detail, name="portal_supplier_detail"),
]

# Certifications and documents
page_patterns += [
    path(
        "<uuid:supplier_id>/certifications/",
        evidence_views.supplier_certifications,
        name="supplier_certifications",
    ),
    path(
        "<uuid:supplier_id>/certifications/add/",
        evidence_views.certification_create,
        name="certification_create",
    ),
    path(
        "certifications/<uuid:certification_id>/edit/",
        evidence_views.certification_edit,
        name="certification_edit",
    ),
    path(
        "certifications/<uuid:certification_id>/delete/",
        evidence_views.certification_delete,
        name="certification_delete",
    ),
    path(
        "certifications/<uuid:certification_id>/file/",
        evidence_views.certification_download,
        name="certification_download",
    ),
    path("certificates/expiring/", evidence_views.certificate_expiring, name="certificate_expiring"),
    path(
        "certificates/expiring/export/",
        evidence_views.certificate_expiring_export,
        name="certificate_expiring_export",
    ),
    path("<uuid:supplier_id>/documents/", evidence_views.supplier_documents, name="supplier_documents"),
    path("<uuid:supplier_id>/documents/upload/", evidence_views.document_upload, name="document_upload"),
    path(
        "documents/versions/<uuid:version_id>/file/",
        evidence_views.document_version_download,
        name="document_version_download",
    ),
]
portal_patterns += [
    path(
        "suppliers/<uuid:supplier_id>/certifications/",
        portal_evidence.portal_supplier_certifications,
        name="portal_supplier_certifications",
    ),
    path(
        "suppliers/<uuid:supplier_id>/documents/",
        portal_evidence.portal_supplier_documents,
        name="portal_supplier_documents",
    ),
    path(
        "certifications/<uuid:certification_id>/file/",
        portal_evidence.portal_certification_download,
        name="portal_certification_download",
    ),
    path(
        "documents/versions/<uuid:version_id>/file/",
        portal_evidence.portal_document_download,
        name="portal_document_download",
    ),
]
