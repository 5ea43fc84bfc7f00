"""Bank detail pages, for finance and admins only (``Scope.BANK_READ``): the profile tab, the change request,
the decision by a second person, and the list of changes waiting for one. The full account number is shown on
the bank tab alone; everywhere else it is masked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.bank import BankChangeForm, DecisionForm
from suppliers.models import BankStatus
from suppliers.selectors import bank as selectors
from suppliers.services import bank as services
from suppliers.services.access import access_bank_account, access_supplier
from suppliers.views.onboarding import _form_errors, _refusal
from suppliers.views.profile import profile_context

# The sortable columns: key → the ORM ordering ascending (the id breaks ties).
CHANGE_SORTS = {
    "supplier": ("supplier__legal_name",),
    "bank": ("bank_name",),
    "requested": ("requested_at",),
}


@tenant_view(Scope.BANK_READ)
def supplier_bank(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.BANK_READ, merged=True)
    accounts = selectors.bank_accounts_for_supplier(supplier)
    services.bank_details_view_record(tenant=request.tenant, by=request.actor, supplier=supplier)
    context = profile_context(
        request,
        supplier,
        "bank",
        active=next((a for a in accounts if a.status == BankStatus.ACTIVE), None),
        pending=next((a for a in accounts if a.status == BankStatus.PENDING), None),
        history=[a for a in accounts if a.status not in {BankStatus.ACTIVE, BankStatus.PENDING}],
        can_change=Scope.BANK_WRITE in request.membership.scopes,
        decision_form=DecisionForm(),
    )
    return render(request, "suppliers/bank/supplier_bank.html", context)


@tenant_view(Scope.BANK_WRITE)
def supplier_bank_request(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.BANK_WRITE, merged=True)
    form = BankChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_change_request(
                tenant=request.tenant, by=request.actor, supplier_id=supplier.pk, **form.cleaned_data
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Change requested. Another person must approve it before it takes effect."))
            return redirect("supplier_bank", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    context = profile_context(request, supplier, "bank", form=form)
    return render(request, "suppliers/bank/request_form.html", context)


@tenant_view(Scope.BANK_WRITE)
@require_POST
def bank_change_approve(request: TenantRequest, bank_account_id: str) -> HttpResponse:
    account = access_bank_account(by=request.actor, id=bank_account_id, need=Scope.BANK_WRITE)
    try:
        services.bank_change_approve(
            tenant=request.tenant, by=request.actor, bank_account_id=account.pk, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("Bank details approved; they are now the active ones."))
    return redirect("supplier_bank", tenant_slug=request.tenant.slug, supplier_id=account.supplier_id)


@tenant_view(Scope.BANK_WRITE)
@require_POST
def bank_change_reject(request: TenantRequest, bank_account_id: str) -> HttpResponse:
    account = access_bank_account(by=request.actor, id=bank_account_id, need=Scope.BANK_WRITE)
    try:
        services.bank_change_reject(
            tenant=request.tenant, by=request.actor, bank_account_id=account.pk, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("Change rejected; the active bank details stay as they were."))
    return redirect("supplier_bank", tenant_slug=request.tenant.slug, supplier_id=account.supplier_id)


@tenant_view(Scope.BANK_READ)
def bank_change_list(request: TenantRequest) -> HttpResponse:
    sort = sorting(request, CHANGE_SORTS, default="requested")
    page = list_page(request, sort.apply(selectors.bank_pending_list()))
    context = {"page": page, "sort": sort, "changes": list(page.object_list)}
    return render(request, "suppliers/bank/change_list.html", context)
