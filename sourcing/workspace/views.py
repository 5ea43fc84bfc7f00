"""Cross-app pages of the tenant: the role dashboards, the agencies page with agents' supplier assignments, and
the Kraljic matrix of the categories sized by their spend."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing import selectors, services
from sourcing.categories import charts
from sourcing.categories.selectors import categories as category_selectors
from sourcing.errors import DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.roles import Role, Scope
from sourcing.spend.selectors.imports import category_spend_totals
from sourcing.web import TenantRequest, tenant_view
from sourcing.workspace import selectors as workspace_selectors
from suppliers.selectors import master as supplier_selectors
from suppliers.services.access import access_supplier


@tenant_view(Scope.DASHBOARD_READ)
def dashboard(request: TenantRequest) -> HttpResponse:
    context = workspace_selectors.dashboard_for(membership=request.membership)
    return render(request, "sourcing/dashboard.html", context)


@tenant_view(Scope.AGENCY_READ)
def agency_list(request: TenantRequest) -> HttpResponse:
    agencies = list(selectors.agency_list())
    agents = list(selectors.member_list(role=Role.AGENT))
    assignments = supplier_selectors.assignments_for_agents(user_ids=[m.user_id for m in agents])
    can_assign = Scope.SUPPLIER_ASSIGN in request.membership.scopes
    choices = supplier_selectors.supplier_choices() if can_assign else []
    for agent in agents:
        assigned = assignments.get(agent.user_id, [])
        agent.assigned_suppliers = assigned  # type: ignore[attr-defined]
        assigned_ids = {s.pk for s in assigned}
        agent.assignable_suppliers = [s for s in choices if s.pk not in assigned_ids]  # type: ignore[attr-defined]
    return render(
        request,
        "sourcing/agency_list.html",
        {
            "agencies": agencies,
            "agents": agents,
            "can_edit": Scope.AGENCY_WRITE in request.membership.scopes,
            "can_assign": can_assign,
        },
    )


@tenant_view(Scope.SUPPLIER_ASSIGN)
@require_POST
def agent_assignment(request: TenantRequest) -> HttpResponse:
    """Assign (or with ``remove=1`` unassign) a supplier to an agent."""
    supplier = access_supplier(
        by=request.actor, id=_uuid_or_404(request.POST.get("supplier")), need=Scope.SUPPLIER_ASSIGN, merged=True
    )
    removing = request.POST.get("remove") == "1"
    service = services.agent_unassign if removing else services.agent_assign
    try:
        service(
            tenant=request.tenant,
            by=request.actor,
            agent_membership_id=_uuid_or_404(request.POST.get("agent")),
            obj=supplier,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assignment removed.") if removing else _("Assignment saved."))
    return redirect("agency_list", tenant_slug=request.tenant.slug)


def _uuid_or_404(value: str | None) -> str:
    pk = as_uuid(value)
    if pk is None:
        raise NotFoundError()
    return str(pk)


@tenant_view(Scope.CATEGORY_READ)
def category_kraljic(request: TenantRequest) -> HttpResponse:
    """The category tree's Kraljic matrix; each bubble is sized by the spend under it, for those who may read spend."""
    show_spend = Scope.SPEND_READ in request.membership.scopes
    spend = category_spend_totals() if show_spend else None
    matrix = category_selectors.kraljic_matrix(spend=spend)
    drawn = [
        (bubble, bubble.key, charts.bubble_colour(bubble.key.position))
        for bubble in charts.bubbles([(p, p.profit_impact, p.supply_risk, p.spend) for p in matrix.points])
    ]
    quadrants = matrix.quadrants
    frame = charts.Frame()
    return render(
        request,
        "categories/category_kraljic.html",
        {
            "matrix": matrix,
            "show_spend": show_spend,
            "bubbles": drawn,
            "frame": frame,
            "areas": [(area, quadrants[area.position].label) for area in frame.quadrants],
            # reading order of the grid: top row (high impact) first, low risk on the left
            "grid": [
                [quadrants["leverage"], quadrants["strategic"]],
                [quadrants["non_critical"], quadrants["bottleneck"]],
            ],
        },
    )
