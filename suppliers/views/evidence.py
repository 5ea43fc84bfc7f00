"""Supplier evidence pages: the certifications and documents tabs of the profile, the certificate and document
forms, the confirmation before a document is removed, file downloads, and the list of expiring certificates with
its export."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.categories.requirements import CertificationType
from sourcing.errors import DomainError
from sourcing.exports import export_response
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.evidence import CertificationForm, DocumentEditForm, DocumentUploadForm, ExpiringFilterForm
from suppliers.models import Certification, CertificationState, StoredFile, Supplier
from suppliers.selectors import evidence as selectors
from suppliers.services import certifications as cert_services
from suppliers.services import documents as doc_services
from suppliers.services.access import access_certification, access_document, access_supplier
from suppliers.views.profile import profile_context

CERT_LABELS = dict(CertificationType.choices)


# The expiring list's sortable columns: key → the ORM ordering ascending (the id breaks ties).
EXPIRING_SORTS = {
    "supplier": ("supplier__legal_name",),
    "certificate": ("cert_type", "name"),
    "number": ("number",),
    "valid_until": ("valid_until",),
}


def _can_edit(request: TenantRequest) -> bool:
    return Scope.SUPPLIER_EVIDENCE in request.membership.scopes


def with_states(certifications: list[Certification], today: datetime.date) -> list[Certification]:
    """Each certificate with ``current_state`` and ``days_left`` on ``today`` (the viewer's date); one a later
    certificate has renewed (``is_renewed``, read on the same day) is "renewed", whatever its dates, and one
    that starts after ``today`` is "not yet valid"."""
    for certification in certifications:
        renewed = getattr(certification, "is_renewed", False)
        certification.current_state = "renewed" if renewed else certification.state(today)  # type: ignore[attr-defined]
        certification.days_left = (certification.valid_until - today).days  # type: ignore[attr-defined]
    return certifications


def file_response(record: StoredFile) -> HttpResponseBase:
    """A stored evidence file, always as a download (never rendered in the browser)."""
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=record.file_name, content_type=record.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Certifications


def _certifications_page(request: TenantRequest, supplier: Supplier, form: CertificationForm) -> HttpResponse:
    today = timezone.localdate()
    certifications = with_states(list(selectors.certification_list(supplier=supplier, today=today)), today)
    context = profile_context(
        request,
        supplier,
        "certifications",
        certifications=certifications,
        missing=[CERT_LABELS.get(t, t) for t in selectors.certifications_missing(supplier, today)],
        form=form,
        can_edit=_can_edit(request),
    )
    return render(request, "suppliers/evidence/certifications.html", context)


@tenant_view(Scope.SUPPLIER_READ)
def supplier_certifications(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    form = CertificationForm(sites=selectors.site_choices(supplier=supplier))
    return _certifications_page(request, supplier, form)


@tenant_view(Scope.SUPPLIER_EVIDENCE)
@require_POST
def certification_create(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_EVIDENCE, merged=True)
    form = CertificationForm(request.POST, request.FILES, sites=selectors.site_choices(supplier=supplier))
    if form.is_valid():
        try:
            certification = cert_services.certification_create(
                tenant=request.tenant, by=request.actor, supplier_id=supplier.pk, **form.service_arguments()
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certificate %(name)s added.") % {"name": certification})
            return redirect("supplier_certifications", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return _certifications_page(request, supplier, form)


@tenant_view(Scope.SUPPLIER_EVIDENCE)
def certification_edit(request: TenantRequest, certification_id: str) -> HttpResponse:
    certification = access_certification(by=request.actor, id=certification_id, need=Scope.SUPPLIER_EVIDENCE)
    supplier = certification.supplier
    form = CertificationForm(
        request.POST or None,
        request.FILES or None,
        initial=CertificationForm.initial_for(certification),
        sites=selectors.site_choices(supplier=supplier),
    )
    if request.method == "POST" and form.is_valid():
        try:
            cert_services.certification_update(
                tenant=request.tenant,
                by=request.actor,
                certification_id=certification.pk,
                **form.service_arguments(),
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certificate saved."))
            return redirect("supplier_certifications", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    context = profile_context(request, supplier, "certifications", form=form, certification=certification)
    return render(request, "suppliers/evidence/certification_form.html", context)


@tenant_view(Scope.SUPPLIER_EVIDENCE)
@require_POST
def certification_delete(request: TenantRequest, certification_id: str) -> HttpResponse:
    certification = access_certification(by=request.actor, id=certification_id, need=Scope.SUPPLIER_EVIDENCE)
    supplier = cert_services.certification_delete(
        tenant=request.tenant, by=request.actor, certification_id=certification.pk
    )
    messages.success(request, _("Certificate %(name)s deleted.") % {"name": certification})
    return redirect("supplier_certifications", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)


@tenant_view(Scope.SUPPLIER_READ)
def certification_download(request: TenantRequest, certification_id: str) -> HttpResponseBase:
    """Certificate files leave only through here: tenant-scoped, recorded, and always as a download."""
    certification = cert_services.certification_download(
        tenant=request.tenant, by=request.actor, certification_id=certification_id
    )
    return file_response(certification)


# Expiring certificates


def _expiring_filters(request: TenantRequest) -> tuple[ExpiringFilterForm, selectors.ExpiringFilters]:
    form = ExpiringFilterForm(request.GET or None, owners=selectors.owner_choices())
    return form, form.filters()


@tenant_view(Scope.SUPPLIER_READ)
def certificate_expiring(request: TenantRequest) -> HttpResponse:
    form, filters = _expiring_filters(request)
    today = timezone.localdate()
    sort = sorting(request, EXPIRING_SORTS, default="valid_until")
    page = list_page(request, sort.apply(selectors.certificate_expiring_list(filters=filters, today=today)))
    query = [(k, str(v)) for k, v in request.GET.items() if k != "page" and v]
    return render(
        request,
        "suppliers/evidence/expiring.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "sort": sort,
            "certifications": with_states(list(page.object_list), today),
            "export_query": urlencode(query),
            "today": today,
        },
    )


@tenant_view(Scope.SUPPLIER_READ)
def certificate_expiring_export(request: TenantRequest) -> HttpResponseBase:
    """The expiring list as filtered, every row, as CSV or (``?format=xlsx``) XLSX."""
    _form, filters = _expiring_filters(request)
    today = timezone.localdate()
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    certifications = with_states(list(selectors.certificate_expiring_list(filters=filters, today=today)), today)
    cert_services.certificate_export_record(
        tenant=request.tenant, by=request.actor, rows=len(certifications), filters=filters
    )
    header = [
        _("Supplier"),
        _("Tier"),
        _("Owner"),
        _("Type"),
        _("Name"),
        _("Number"),
        _("Issuer"),
        _("Site"),
        _("Valid from"),
        _("Valid until"),
        _("Days left"),
        _("State"),
    ]
    rows = (
        [
            c.supplier.display_name,
            c.supplier.get_tier_display(),
            c.supplier.owner.user.email if c.supplier.owner else "",
            c.get_cert_type_display(),
            c.name,
            c.number,
            c.issuer,
            c.site.name if c.site else "",
            c.valid_from,
            c.valid_until,
            c.days_left,  # type: ignore[attr-defined]
            str(CertificationState(c.current_state).label),  # type: ignore[attr-defined]
        ]
        for c in certifications
    )
    return export_response(fmt, f"certificates-expiring-{today.isoformat()}", header, rows)


# Documents


def _documents_page(request: TenantRequest, supplier: Supplier, form: DocumentUploadForm) -> HttpResponse:
    context = profile_context(
        request,
        supplier,
        "documents",
        documents=list(selectors.document_list(supplier=supplier)),
        form=form,
        can_edit=_can_edit(request),
        today=timezone.localdate(),
    )
    return render(request, "suppliers/evidence/documents.html", context)


@tenant_view(Scope.SUPPLIER_READ)
def supplier_documents(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    form = DocumentUploadForm(documents=selectors.document_choices(supplier=supplier))
    return _documents_page(request, supplier, form)


@tenant_view(Scope.SUPPLIER_EVIDENCE)
@require_POST
def document_upload(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_EVIDENCE, merged=True)
    form = DocumentUploadForm(request.POST, request.FILES, documents=selectors.document_choices(supplier=supplier))
    if form.is_valid():
        try:
            version = doc_services.document_upload(
                tenant=request.tenant, by=request.actor, supplier_id=supplier.pk, **form.service_arguments()
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(title)s version %(version)d uploaded.")
                % {"title": version.document.title, "version": version.version},
            )
            return redirect("supplier_documents", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return _documents_page(request, supplier, form)


@tenant_view(Scope.SUPPLIER_READ)
def document_version_download(request: TenantRequest, version_id: str) -> HttpResponseBase:
    version = doc_services.document_version_download(tenant=request.tenant, by=request.actor, version_id=version_id)
    return file_response(version)


@tenant_view(Scope.SUPPLIER_EVIDENCE)
def document_edit(request: TenantRequest, document_id: str) -> HttpResponse:
    document = access_document(by=request.actor, id=document_id, need=Scope.SUPPLIER_EVIDENCE)
    supplier = document.supplier
    form = DocumentEditForm(request.POST or None, initial=DocumentEditForm.initial_for(document))
    if request.method == "POST" and form.is_valid():
        try:
            doc_services.document_update(
                tenant=request.tenant, by=request.actor, document_id=document.pk, **form.service_arguments()
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Document saved."))
            return redirect("supplier_documents", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    context = profile_context(request, supplier, "documents", form=form, document=document)
    return render(request, "suppliers/evidence/document_form.html", context)


@tenant_view(Scope.SUPPLIER_EVIDENCE)
def document_delete(request: TenantRequest, document_id: str) -> HttpResponse:
    """GET asks for confirmation, naming every version that goes with the document; POST removes it."""
    document = access_document(by=request.actor, id=document_id, need=Scope.SUPPLIER_EVIDENCE)
    if request.method != "POST":
        versions = list(document.versions.order_by("-version"))
        context = profile_context(request, document.supplier, "documents", document=document, versions=versions)
        return render(request, "suppliers/evidence/document_delete.html", context)
    supplier = doc_services.document_delete(tenant=request.tenant, by=request.actor, document_id=document.pk)
    messages.success(request, _("Document %(title)s deleted with all its versions.") % {"title": document.title})
    return redirect("supplier_documents", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
