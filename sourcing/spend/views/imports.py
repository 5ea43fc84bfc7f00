"""Spend pages: imports (upload, progress, every error), and the analyses."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sourcing.errors import DomainError
from sourcing.exports import csv_response
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.spend.columns import CANONICAL_COLUMNS, COLUMN_LABELS, REQUIRED_COLUMNS
from sourcing.spend.forms.imports import UploadForm
from sourcing.spend.selectors import imports as selectors
from sourcing.spend.services import imports as services
from sourcing.spend.services.access import access_spend_import
from sourcing.spend.views.analysis import SPEND_TABS
from sourcing.web import TenantRequest, tenant_view

ERRORS_SHOWN = 500


# The import list's sortable columns: key → the ORM ordering ascending (the id breaks ties).
IMPORT_SORTS = {
    "when": ("created_at",),
    "file": ("file_name",),
    "status": ("status",),
    "rows": ("rows_total",),
    "created": ("lines_created",),
    "duplicates": ("lines_duplicate",),
    "errors": ("error_count",),
}


@tenant_view(Scope.SPEND_READ)
def spend_import_list(request: TenantRequest) -> HttpResponse:
    sort = sorting(request, IMPORT_SORTS, default="-when")
    page = list_page(request, sort.apply(selectors.spend_import_list()))
    return render(
        request,
        "spend/import_list.html",
        {
            "page": page,
            "sort": sort,
            "can_import": Scope.SPEND_IMPORT in request.membership.scopes,
            "spend_tabs": SPEND_TABS,
        },
    )


@tenant_view(Scope.SPEND_IMPORT)
def spend_import_upload(request: TenantRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping = form.cleaned_data["mapping"]
        try:
            spend_import = services.spend_import_submit(
                tenant=request.tenant,
                by=request.actor,
                upload=upload,
                file_name=upload.name,
                mapping_id=mapping.pk if mapping else None,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(request, _("%(file)s was received.") % {"file": spend_import.file_name})
            return redirect("spend_import_detail", tenant_slug=request.tenant.slug, import_id=spend_import.pk)
    columns = [(c, COLUMN_LABELS[c], c in REQUIRED_COLUMNS) for c in CANONICAL_COLUMNS]
    return render(request, "spend/import_upload.html", {"form": form, "columns": columns})


@tenant_view(Scope.SPEND_READ)
def spend_import_detail(request: TenantRequest, import_id: str) -> HttpResponse:
    spend_import = access_spend_import(by=request.actor, id=import_id, need=Scope.SPEND_READ)
    context = {
        "imp": spend_import,
        "progress": services.spend_import_progress(spend_import=spend_import),
        "rows_done": services.spend_import_rows_done(spend_import=spend_import),
        "errors": spend_import.errors[:ERRORS_SHOWN],
        "more_errors": max(0, spend_import.error_count - ERRORS_SHOWN),
    }
    if request.htmx and not spend_import.is_finished:
        return render(request, "spend/_import_progress.html", context)
    if request.htmx:
        # finished while the page was polling: reload the whole page to show the outcome
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "spend/import_detail.html", context)


@tenant_view(Scope.SPEND_READ)
def spend_import_errors(request: TenantRequest, import_id: str) -> StreamingHttpResponse:
    spend_import = access_spend_import(by=request.actor, id=import_id, need=Scope.SPEND_READ)
    rows = ([e["row"], e["column"], e["message"], e.get("value", "")] for e in spend_import.errors)
    return csv_response(f"errors-{spend_import.pk}.csv", [_("Row"), _("Column"), _("Problem"), _("Value")], rows)


@tenant_view(Scope.SPEND_READ)
def spend_import_template(request: TenantRequest) -> StreamingHttpResponse:
    """The canonical layout with one example line, for people preparing a file by hand."""
    example = [
        "2026-03-05",
        "INV-1001",
        "Ningbo Everbright Housewares Co., Ltd.",
        "V-100",
        "111",
        "POT-24",
        "Stainless steel pot 24cm",
        "100",
        "pcs",
        "12.50",
        "USD",
        "1250.00",
        "PO-77",
        "CC-KITCHEN",
    ]
    return csv_response("spend-template.csv", list(CANONICAL_COLUMNS), [example])
