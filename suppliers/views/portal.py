"""Partner pages for suppliers: an assigned supplier's profile, and proposing a new one. Their templates carry
only partner-safe fields: never internal or risk notes, bank details, spend, owners, or other agents' suppliers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.master import ProposalForm
from suppliers.models import Contact, Site
from suppliers.selectors.master import suppliers_assigned_to
from suppliers.services.access import access_supplier
from suppliers.services.master import PossibleDuplicate, supplier_propose


@tenant_view(Scope.PORTAL)
def portal_supplier_detail(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.PORTAL, merged=True)
    return render(
        request,
        "portal/supplier_detail.html",
        {
            "supplier": supplier,
            "sites": list(Site.objects.filter(supplier_id=supplier.pk)),
            "contacts": list(Contact.objects.filter(supplier_id=supplier.pk)),
        },
    )


def _partner_safe(candidates: list[Any], assigned: set[Any]) -> dict[str, Any]:
    """What an agent may be told about possible duplicates: the suppliers assigned to them, with why they
    matched; of any other, only that one may exist (no name, no reason, so the page reveals nothing of the
    supplier base one probe at a time)."""
    return {
        "mine": [c for c in candidates if c.supplier.pk in assigned],
        "others": any(c.supplier.pk not in assigned for c in candidates),
    }


@tenant_view(Scope.PORTAL)
def portal_supplier_propose(request: TenantRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None)
    candidates: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            supplier = supplier_propose(
                tenant=request.tenant,
                by=request.actor,
                fields=form.fields_for_service(),
                allow_duplicates=form.cleaned_data["allow_duplicates"],
            )
        except PossibleDuplicate as exc:
            assigned = set(suppliers_assigned_to(user=request.user).values_list("pk", flat=True))
            candidates = _partner_safe(exc.candidates, assigned)
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: %(name)s is proposed.") % {"name": supplier})
            return redirect("portal_supplier_detail", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return render(request, "portal/supplier_propose.html", {"form": form, "candidates": candidates})
