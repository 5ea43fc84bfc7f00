"""Partner pages for the evidence of an assigned supplier: its certificates and documents, with forms to add
them and downloads. Their templates carry only partner-safe fields; any other supplier is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.evidence import CertificationForm, DocumentUploadForm
from suppliers.selectors import evidence as selectors
from suppliers.services import certifications as cert_services
from suppliers.services import documents as doc_services
from suppliers.services.access import access_supplier
from suppliers.views.evidence import file_response, with_states


@tenant_view(Scope.PORTAL)
def portal_supplier_certifications(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.PORTAL, merged=True)
    sites = selectors.site_choices(supplier=supplier)
    form = CertificationForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
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
            return redirect("portal_supplier_certifications", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    today = timezone.localdate()
    certifications = with_states(list(selectors.certification_list(supplier=supplier, today=today)), today)
    return render(
        request,
        "portal/evidence/certifications.html",
        {"supplier": supplier, "certifications": certifications, "form": form},
    )


@tenant_view(Scope.PORTAL)
def portal_supplier_documents(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.PORTAL, merged=True)
    form = DocumentUploadForm(
        request.POST or None,
        request.FILES or None,
        documents=selectors.document_choices(supplier=supplier),
        with_note=False,
    )
    if request.method == "POST" and form.is_valid():
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
            return redirect("portal_supplier_documents", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return render(
        request,
        "portal/evidence/documents.html",
        {
            "supplier": supplier,
            "documents": list(selectors.document_list(supplier=supplier)),
            "form": form,
            "today": timezone.localdate(),
        },
    )


@tenant_view(Scope.PORTAL)
def portal_certification_download(request: TenantRequest, certification_id: str) -> HttpResponseBase:
    certification = cert_services.certification_download(
        tenant=request.tenant, by=request.actor, certification_id=certification_id
    )
    return file_response(certification)


@tenant_view(Scope.PORTAL)
def portal_document_download(request: TenantRequest, version_id: str) -> HttpResponseBase:
    version = doc_services.document_version_download(tenant=request.tenant, by=request.actor, version_id=version_id)
    return file_response(version)
