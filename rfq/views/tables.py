"""Landed-cost set-up pages: the duty table, freight lane rates and the landed-cost settings. Everyone with
``rfq:read`` sees them; changing them needs ``rfq:configure`` (administrators and category managers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rfq.forms.tables import DutyRateForm, LandedCostSettingsForm, LaneRateForm
from rfq.selectors import tables as selectors
from rfq.services import tables as services
from rfq.services.access import access_duty_rate, access_lane_rate
from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view

PAGE_SIZE = 100


def _context(request: TenantRequest, tab: str, **context: Any) -> dict[str, Any]:
    return {"tab": tab, "can_edit": Scope.RFQ_CONFIGURE in request.membership.scopes, **context}


def _form_page(request: TenantRequest, *, kind: str, form: Any, save: Any, row: Any = None) -> HttpResponse | None:
    """The add and change pages of a rate table: ``save(values)`` runs the service; a refusal is shown on the
    form's fields, success goes back to the list with ``kind``'s message."""
    if request.method != "POST" or not form.is_valid():
        return None
    values = {name: (None if value == "" else value) for name, value in form.cleaned_data.items()}
    try:
        save(values)
    except DomainError as exc:
        if exc.status == 403:
            raise
        add_service_errors(form, exc)
        return None
    messages.success(request, TABLES[kind]["added" if row is None else "saved"])
    return redirect(f"{kind}_rate_list", tenant_slug=request.tenant.slug)


def _show_form(request: TenantRequest, kind: str, form: Any, row: Any) -> HttpResponse:
    tab = TABLES[kind]["tab"]
    return render(request, f"rfq/setup/{kind}_rate_form.html", _context(request, tab, form=form, row=row))


TABLES: dict[str, Any] = {
    "duty": {"tab": "duties", "added": gettext_lazy("Duty rate added."), "saved": gettext_lazy("Duty rate saved.")},
    "lane": {"tab": "lanes", "added": gettext_lazy("Lane rate added."), "saved": gettext_lazy("Lane rate saved.")},
}


# Duty rates


@tenant_view(Scope.RFQ_READ)
def duty_rate_list(request: TenantRequest) -> HttpResponse:
    hts = (request.GET.get("hts") or "").strip()[:14]
    page = list_page(request, selectors.duty_rate_list(hts=hts), default_size=PAGE_SIZE)
    return render(request, "rfq/setup/duty_rate_list.html", _context(request, "duties", page=page, hts=hts))


@tenant_view(Scope.RFQ_CONFIGURE)
def duty_rate_create(request: TenantRequest) -> HttpResponse:
    form = DutyRateForm(request.POST or None)
    done = _form_page(
        request,
        kind="duty",
        form=form,
        save=lambda values: services.duty_rate_create(tenant=request.tenant, by=request.actor, **values),
    )
    return done or _show_form(request, "duty", form, None)


@tenant_view(Scope.RFQ_CONFIGURE)
def duty_rate_edit(request: TenantRequest, duty_rate_id: str) -> HttpResponse:
    row = access_duty_rate(by=request.actor, id=duty_rate_id, need=Scope.RFQ_CONFIGURE)
    form = DutyRateForm(request.POST or None, initial=DutyRateForm.initial_for(row))
    done = _form_page(
        request,
        kind="duty",
        form=form,
        row=row,
        save=lambda values: services.duty_rate_update(
            tenant=request.tenant, by=request.actor, duty_rate_id=row.pk, **values
        ),
    )
    return done or _show_form(request, "duty", form, row)


@tenant_view(Scope.RFQ_CONFIGURE)
@require_POST
def duty_rate_delete(request: TenantRequest, duty_rate_id: str) -> HttpResponse:
    row = access_duty_rate(by=request.actor, id=duty_rate_id, need=Scope.RFQ_CONFIGURE)
    services.duty_rate_delete(tenant=request.tenant, by=request.actor, duty_rate_id=row.pk)
    messages.success(request, _("Duty rate deleted."))
    return redirect("duty_rate_list", tenant_slug=request.tenant.slug)


# Lane rates


@tenant_view(Scope.RFQ_READ)
def lane_rate_list(request: TenantRequest) -> HttpResponse:
    page = list_page(request, selectors.lane_rate_list(), default_size=PAGE_SIZE)
    return render(request, "rfq/setup/lane_rate_list.html", _context(request, "lanes", page=page))


@tenant_view(Scope.RFQ_CONFIGURE)
def lane_rate_create(request: TenantRequest) -> HttpResponse:
    form = LaneRateForm(request.POST or None)
    done = _form_page(
        request,
        kind="lane",
        form=form,
        save=lambda values: services.lane_rate_create(tenant=request.tenant, by=request.actor, **values),
    )
    return done or _show_form(request, "lane", form, None)


@tenant_view(Scope.RFQ_CONFIGURE)
def lane_rate_edit(request: TenantRequest, lane_rate_id: str) -> HttpResponse:
    row = access_lane_rate(by=request.actor, id=lane_rate_id, need=Scope.RFQ_CONFIGURE)
    form = LaneRateForm(request.POST or None, initial=LaneRateForm.initial_for(row))
    done = _form_page(
        request,
        kind="lane",
        form=form,
        row=row,
        save=lambda values: services.lane_rate_update(
            tenant=request.tenant, by=request.actor, lane_rate_id=row.pk, **values
        ),
    )
    return done or _show_form(request, "lane", form, row)


@tenant_view(Scope.RFQ_CONFIGURE)
@require_POST
def lane_rate_delete(request: TenantRequest, lane_rate_id: str) -> HttpResponse:
    row = access_lane_rate(by=request.actor, id=lane_rate_id, need=Scope.RFQ_CONFIGURE)
    services.lane_rate_delete(tenant=request.tenant, by=request.actor, lane_rate_id=row.pk)
    messages.success(request, _("Lane rate deleted."))
    return redirect("lane_rate_list", tenant_slug=request.tenant.slug)


# Settings


@tenant_view(Scope.RFQ_READ)
def landed_cost_settings(request: TenantRequest) -> HttpResponse:
    """Everyone who reads the tables sees the settings; changing them needs rfq:configure (the service checks)."""
    row = selectors.landed_cost_settings_find()
    form = LandedCostSettingsForm(request.POST or None, initial=LandedCostSettingsForm.initial_for(row))
    if request.method == "POST" and form.is_valid():
        try:
            services.landed_cost_settings_update(tenant=request.tenant, by=request.actor, **form.cleaned_data)
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Landed-cost settings saved."))
            return redirect("landed_cost_settings", tenant_slug=request.tenant.slug)
    return render(request, "rfq/setup/settings.html", _context(request, "settings", form=form))
