"""Vendor pages: the vendor queue (unmatched, or all) with export, duplicate clusters, and linking, creating
a supplier, merging and unmerging."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.export_formats import Money
from sourcing.exports import export_response
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.spend.selectors import vendors as vendor_selectors
from sourcing.spend.selectors.analysis import SpendFilter
from sourcing.spend.services import vendors
from sourcing.spend.services.access import access_vendor
from sourcing.spend.views.analysis import export_format, spend_context
from sourcing.web import TenantRequest, tenant_view


@tenant_view(Scope.SPEND_READ)
def vendor_list(request: TenantRequest) -> HttpResponseBase:
    unmatched = request.GET.get("show") != "all"
    search = request.GET.get("q", "").strip()[:100]
    if export_format(request):
        rows = vendor_selectors.vendor_rows(unmatched_only=unmatched, search=search, limit=None)
        base = request.tenant.base_currency
        header = [_("Vendor"), _("ERP id"), _("Supplier"), _("Matched by"), _("Spend"), _("Currency"), _("Lines")]
        body = (
            [r.vendor.name, r.vendor.erp_id, r.vendor.supplier.display_name if r.vendor.supplier else "",
             r.vendor.get_match_method_display(), Money(r.spend, base), base, r.lines]
            for r in rows
        )  # fmt: skip
        return export_response(export_format(request), "vendors", header, body)
    return render(request, "spend/vendors.html", _vendor_page(request, unmatched=unmatched, search=search))


def _vendor_page(request: TenantRequest, *, unmatched: bool, search: str) -> dict[str, Any]:
    sort = sorting(request, {key: (key,) for key in vendor_selectors.VENDOR_SORTS}, default="-spend")
    listing = vendor_selectors.vendor_listing(
        unmatched_only=unmatched, search=search, sort=sort.key, descending=sort.descending
    )
    page = list_page(request, listing.vendors)
    return spend_context(
        request,
        SpendFilter(),
        rows=vendor_selectors.vendor_rows_of(list(page.object_list), listing),
        page=page,
        sort=sort,
        vendor_totals=listing.totals,
        unmatched=unmatched,
        search=search,
        merged=vendor_selectors.merged_vendors(),
    )


@tenant_view(Scope.SPEND_READ)
def vendor_duplicates(request: TenantRequest) -> HttpResponseBase:
    clusters = vendor_selectors.duplicate_clusters()
    return render(request, "spend/duplicates.html", spend_context(request, SpendFilter(), clusters=clusters))


def _back(request: TenantRequest, default: str) -> HttpResponseBase:
    target = request.POST.get("next", "")
    if target.startswith(f"/t/{request.tenant.slug}/spend/"):
        return redirect(target)
    return redirect(default, tenant_slug=request.tenant.slug)


def _run(request: TenantRequest, call: Any, success: str) -> None:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


@require_POST
@tenant_view(Scope.SPEND_WRITE)
def vendor_link(request: TenantRequest, vendor_id: str) -> HttpResponseBase:
    supplier_id = request.POST.get("supplier", "")

    def link() -> None:
        if request.POST.get("unlink"):
            vendors.vendor_unlink(tenant=request.tenant, by=request.actor, vendor_id=vendor_id)
        else:
            vendors.vendor_link(tenant=request.tenant, by=request.actor, vendor_id=vendor_id, supplier_id=supplier_id)

    access_vendor(by=request.actor, id=vendor_id, need=Scope.SPEND_WRITE)  # a missing or another tenant's vendor: 404
    _run(request, link, _("Saved."))
    return _back(request, "vendor_list")


@require_POST
@tenant_view(Scope.SPEND_WRITE)
def vendor_create_supplier(request: TenantRequest, vendor_id: str) -> HttpResponseBase:
    access_vendor(by=request.actor, id=vendor_id, need=Scope.SPEND_WRITE)
    _run(
        request,
        lambda: vendors.vendor_create_supplier(tenant=request.tenant, by=request.actor, vendor_id=vendor_id),
        _("The supplier was created and linked."),
    )
    return _back(request, "vendor_list")


@require_POST
@tenant_view(Scope.SPEND_WRITE)
def vendors_rematch(request: TenantRequest) -> HttpResponseBase:
    count = vendors.vendors_rematch(tenant=request.tenant, by=request.actor)
    messages.success(request, _("%(n)s vendors linked.") % {"n": count})
    return _back(request, "vendor_list")


@require_POST
@tenant_view(Scope.SPEND_WRITE)
def vendor_merge(request: TenantRequest) -> HttpResponseBase:
    target = request.POST.get("target", "")
    duplicates = [v for v in request.POST.getlist("vendors") if v != target]
    _run(
        request,
        lambda: vendors.vendor_merge(
            tenant=request.tenant, by=request.actor, target_id=target, duplicate_ids=duplicates
        ),
        _("Merged: their spend now counts as one supplier. The merge can be undone on the vendors page."),
    )
    return _back(request, "vendor_duplicates")


@require_POST
@tenant_view(Scope.SPEND_WRITE)
def vendor_unmerge(request: TenantRequest, vendor_id: str) -> HttpResponseBase:
    access_vendor(by=request.actor, id=vendor_id, need=Scope.SPEND_WRITE)
    _run(
        request,
        lambda: vendors.vendor_unmerge(tenant=request.tenant, by=request.actor, vendor_id=vendor_id),
        _("The merge was undone."),
    )
    return _back(request, "vendor_list")
