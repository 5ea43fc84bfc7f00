"""Partner pages for suppliers. Their templates carry only partner-safe fields."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.selectors.master import supplier_get_for_agent


@tenant_view(Scope.PORTAL)
def portal_supplier_detail(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = supplier_get_for_agent(user=request.user, supplier_id=supplier_id)
    return render(request, "portal/supplier_detail.html", {"supplier": supplier})
