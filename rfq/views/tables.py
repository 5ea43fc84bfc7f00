"""Landed-cost set-up pages: the duty table, freight lane rates and the landed-cost settings. Everyone with
``rfq:read`` sees them; changing them needs ``rfq:configure`` (administrators and category managers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rfq.forms.tables import DutyRateForm, LandedCostSettingsForm, LaneRateForm
from rfq.selectors import tables as selectors
from rfq.services import tables as services
from rfq.services.access import access_duty_rate, access_lane_rate
from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view

PAGE_SIZE = 100


def _context(request: TenantRequest, tab: str, **context: Any) -> dict[str, Any]:
    return {"tab": tab, "can_edit": Scope.RFQ_CONFIGURE in request.membership.scopes, **context}


# Duty rates


@tenant_view(Scope.RFQ_READ)
def duty_rate_list(request: TenantRequest) -> HttpResponse:
    hts = (request.GET.get("hts") or "").strip()[:14]
    page = Paginator(selectors.duty_rate_list(hts=hts), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rfq/setup/duty_rate_list.html", _context(request, "duties", page=page, hts=hts))


def _save_duty(request: TenantRequest, form: DutyRateForm, row_id: Any = None) -> bool:
    values = dict(form.cleaned_data)
    try:
        if row_id is None:
            services.duty_rate_create(tenant=request.tenant, by=request.actor, **values)
        else:
            services.duty_rate_update(tenant=request.tenant, by=request.actor, duty_rate_id=row_id, **values)
    except DomainError as exc:
        if exc.status == 403:
            raise
        add_service_errors(form, exc)
        return False
    return True


@tenant_view(Scope.RFQ_CONFIGURE)
def duty_rate_create(request: TenantRequest) -> HttpResponse:
    form = DutyRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_duty(request, form):
        messages.success(request, _("Duty rate added."))
        return redirect("duty_rate_list", tenant_slug=request.tenant.slug)
    return render(request, "rfq/setup/duty_rate_form.html", _context(request, "duties", form=form, row=None))


@tenant_view(Scope.RFQ_CONFIGURE)
def duty_rate_edit(request: TenantRequest, duty_rate_id: str) -> HttpResponse:
    row = access_duty_rate(by=request.actor, id=duty_rate_id, need=Scope.RFQ_CONFIGURE)
    form = DutyRateForm(request.POST or None, initial=DutyRateForm.initial_for(row))
    if request.method == "POST" and form.is_valid() and _save_duty(request, form, row.pk):
        messages.success(request, _("Duty rate saved."))
        return redirect("duty_rate_list", tenant_slug=request.tenant.slug)
    return render(request, "rfq/setup/duty_rate_form.html", _context(request, "duties", form=form, row=row))


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
    page = Paginator(selectors.lane_rate_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rfq/setup/lane_rate_list.html", _context(request, "lanes", page=page))


def _save_lane(request: TenantRequest, form: LaneRateForm, row_id: Any = None) -> bool:
    values = {name: (None if value == "" else value) for name, value in form.cleaned_data.items()}
    try:
        if row_id is None:
            services.lane_rate_create(tenant=request.tenant, by=request.actor, **values)
        else:
            services.lane_rate_update(tenant=request.tenant, by=request.actor, lane_rate_id=row_id, **values)
    except DomainError as exc:
        if exc.status == 403:
            raise
        add_service_errors(form, exc)
        return False
    return True


@tenant_view(Scope.RFQ_CONFIGURE)
def lane_rate_create(request: TenantRequest) -> HttpResponse:
    form = LaneRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_lane(request, form):
        messages.success(request, _("Lane rate added."))
        return redirect("lane_rate_list", tenant_slug=request.tenant.slug)
    return render(request, "rfq/setup/lane_rate_form.html", _context(request, "lanes", form=form, row=None))


@tenant_view(Scope.RFQ_CONFIGURE)
def lane_rate_edit(request: TenantRequest, lane_rate_id: str) -> HttpResponse:
    row = access_lane_rate(by=request.actor, id=lane_rate_id, need=Scope.RFQ_CONFIGURE)
    form = LaneRateForm(request.POST or None, initial=LaneRateForm.initial_for(row))
    if request.method == "POST" and form.is_valid() and _save_lane(request, form, row.pk):
        messages.success(request, _("Lane rate saved."))
        return redirect("lane_rate_list", tenant_slug=request.tenant.slug)
    return render(request, "rfq/setup/lane_rate_form.html", _context(request, "lanes", form=form, row=row))


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
