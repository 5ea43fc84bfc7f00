"""Risk pages: the profile tab (open and closed flags, raising a manual flag, closing one) and the list of
flags across suppliers. Flag notes are internal: no partner page shows them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.risk import CloseForm, RiskFilterForm, RiskFlagForm
from suppliers.models import Supplier
from suppliers.selectors import risk as selectors
from suppliers.selectors.onboarding import owner_choices
from suppliers.services import risk as services
from suppliers.services.access import access_risk_flag, access_supplier
from suppliers.views.onboarding import _form_errors, _refusal
from suppliers.views.profile import profile_context

# The flag list's sortable columns: key → the ORM ordering ascending (the id breaks ties).
FLAG_SORTS = {
    "supplier": ("supplier__legal_name",),
    "flag": ("title",),
    "kind": ("kind",),
    "raised": ("raised_at",),
}


def _tab(request: TenantRequest, supplier: Supplier, form: Any, status: int = 200) -> HttpResponse:
    open_flags, closed_flags = selectors.risk_flags_for_supplier(supplier)
    context = profile_context(
        request,
        supplier,
        "risk",
        open_list=open_flags,
        closed_list=closed_flags,
        form=form,
        close_form=CloseForm(),
    )
    return render(request, "suppliers/risk/supplier_risk.html", context, status=status)


@tenant_view(Scope.SUPPLIER_READ)
def supplier_risk(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    can_write = Scope.SUPPLIER_WRITE in request.membership.scopes
    return _tab(request, supplier, RiskFlagForm(owners=owner_choices()) if can_write else None)


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def supplier_risk_raise(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_WRITE, merged=True)
    form = RiskFlagForm(request.POST, owners=owner_choices())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.risk_flag_create(
                tenant=request.tenant,
                by=request.actor,
                supplier_id=supplier.pk,
                title=data["title"],
                severity=data["severity"],
                note=data["note"],
                owner_id=data["owner"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Flag raised."))
            return redirect("supplier_risk", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return _tab(request, supplier, form)


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def risk_flag_close(request: TenantRequest, risk_flag_id: str) -> HttpResponse:
    flag = access_risk_flag(by=request.actor, id=risk_flag_id, need=Scope.SUPPLIER_WRITE)
    try:
        services.risk_flag_close(
            tenant=request.tenant, by=request.actor, flag_id=flag.pk, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("Flag closed."))
    return redirect("supplier_risk", tenant_slug=request.tenant.slug, supplier_id=flag.supplier_id)


@tenant_view(Scope.SUPPLIER_READ)
def risk_flag_list(request: TenantRequest) -> HttpResponse:
    form = RiskFilterForm(request.GET or None, owners=owner_choices())
    filters = form.filters()
    sort = sorting(request, FLAG_SORTS, default="-raised")
    page = list_page(request, sort.apply(selectors.risk_flag_list(**filters)))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "flags": list(page.object_list),
        "filtered": any(v for k, v in filters.items() if k != "state") or filters["state"] != "open",
    }
    return render(request, "suppliers/risk/flag_list.html", context)
