"""The partner portal's landing page: what this agent has been assigned in this tenant."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.selectors.master import suppliers_assigned_to


@tenant_view(Scope.PORTAL)
def portal_home(request: TenantRequest) -> HttpResponse:
    suppliers = list(suppliers_assigned_to(user=request.user))
    return render(request, "portal/home.html", {"suppliers": suppliers})
