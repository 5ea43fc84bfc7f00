"""The partner portal's landing page: what this agent has been assigned in this tenant."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sourcing.roles import Scope
from sourcing.web import tenant_view
from suppliers.selectors import supplier_list_for_agent


@tenant_view(Scope.PORTAL)
def portal_home(request: HttpRequest) -> HttpResponse:
    suppliers = list(supplier_list_for_agent(user=request.user))  # type: ignore[arg-type]
    return render(request, "portal/home.html", {"suppliers": suppliers})
