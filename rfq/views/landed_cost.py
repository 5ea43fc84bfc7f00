"""The landed cost calculator: a quote line typed in, every component computed on the tenant's tables by the
same service as ``POST /api/v1/landed-cost/``. Writes nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from rfq.forms.landed_cost import LandedCostForm
from rfq.services.landed_cost import landed_cost_preview, preview_as_data
from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view


@tenant_view(Scope.RFQ_READ)
def landed_cost_calculator(request: TenantRequest) -> HttpResponse:
    form = LandedCostForm(request.POST or None)
    result: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            preview = landed_cost_preview(tenant=request.tenant, by=request.actor, values=form.values())
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_service_errors(form, exc)
        else:
            result = preview_as_data(preview)
    return render(request, "rfq/landed_cost.html", {"form": form, "result": result})
