"""Spend set-up pages: FX rates, category rules, column mappings and spend settings."""

from __future__ import annotations

import io
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.exports import csv_writer
from sourcing.exports import escape_cell as csv_cell
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page
from sourcing.roles import Scope
from sourcing.spend.columns import CANONICAL_COLUMNS
from sourcing.spend.forms.setup import (
    CategoryRuleForm,
    ColumnMappingForm,
    FxFilterForm,
    FxImportForm,
    FxRateEditForm,
    FxRateForm,
    SpendSettingsForm,
    column_field_name,
)
from sourcing.spend.models import CategoryRule, ColumnMapping
from sourcing.spend.selectors import setup as selectors
from sourcing.spend.services import fx_rates
from sourcing.spend.services import setup as services
from sourcing.spend.services.access import access_category_rule, access_column_mapping, access_fx_rate
from sourcing.spend.setup_checks import RatesRejected
from sourcing.web import TenantRequest, tenant_view

FX_PAGE_SIZE = 100
# A rejected file lists at most this many problems on the page (the count above the table is exact).
ERRORS_SHOWN = 1000
# What a spreadsheet would read as the start of a formula (OWASP, "CSV Injection").


def _can(request: TenantRequest, scope: str) -> bool:
    return scope in request.membership.scopes


def _setup_context(request: TenantRequest, tab: str, **context: Any) -> dict[str, Any]:
    return {"tab": tab, "base_currency": request.tenant.base_currency, **context}


# FX rates


@tenant_view(Scope.SPEND_READ)
def fx_rate_list(request: TenantRequest) -> HttpResponse:
    summary = selectors.fx_currency_summary()
    for row in summary:
        row["latest_rate_text"] = selectors.decimal_text(row["latest_rate"])
    form = FxFilterForm(request.GET or None, currencies=[row["currency"] for row in summary])
    currency = form.cleaned_data["currency"] if form.is_valid() else ""
    page = list_page(request, selectors.fx_rate_list(currency=currency), default_size=FX_PAGE_SIZE)
    rates = list(page.object_list)
    latest = {row["currency"]: row["latest_date"] for row in summary}
    for rate in rates:
        rate.rate_text = selectors.decimal_text(rate.rate)  # type: ignore[attr-defined]
        rate.is_latest = latest.get(rate.currency) == rate.rate_date  # type: ignore[attr-defined]
    groups = [{"currency": key, "rates": list(rows)} for key, rows in groupby(rates, key=lambda r: r.currency)]
    context = _setup_context(
        request,
        "fx",
        summary=summary,
        form=form,
        currency=currency,
        page=page,
        groups=groups,
        can_edit=_can(request, Scope.FX_WRITE),
    )
    return render(request, "spend/setup/fx_rate_list.html", context)


def _fx_list_url(request: TenantRequest, currency: str = "") -> str:
    url = reverse("fx_rate_list", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?currency={currency}" if currency else url


@tenant_view(Scope.FX_WRITE)
def fx_rate_create(request: TenantRequest) -> HttpResponse:
    form = FxRateForm(request.POST or None, base_currency=request.tenant.base_currency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rate, created = fx_rates.fx_rate_upsert(
                tenant=request.tenant,
                by=request.actor,
                currency=data["currency"],
                rate_date=data["rate_date"],
                rate=data["rate"],
                source=data["source"] or None,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rate added.") if created else _("The rate of that day was replaced."))
            return redirect(_fx_list_url(request, rate.currency))
    return render(request, "spend/setup/fx_rate_form.html", _setup_context(request, "fx", form=form, rate=None))


@tenant_view(Scope.FX_WRITE)
def fx_rate_edit(request: TenantRequest, fx_rate_id: str) -> HttpResponse:
    rate = access_fx_rate(by=request.actor, id=fx_rate_id, need=Scope.FX_WRITE)
    initial = {"rate": selectors.decimal_text(rate.rate), "source": rate.source}
    form = FxRateEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fx_rates.fx_rate_upsert(
                tenant=request.tenant,
                by=request.actor,
                currency=rate.currency,
                rate_date=rate.rate_date,
                rate=form.cleaned_data["rate"],
                source=form.cleaned_data["source"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rate saved."))
            return redirect(_fx_list_url(request, rate.currency))
    return render(request, "spend/setup/fx_rate_form.html", _setup_context(request, "fx", form=form, rate=rate))


@tenant_view(Scope.FX_WRITE)
@require_POST
def fx_rate_delete(request: TenantRequest, fx_rate_id: str) -> HttpResponse:
    rate = access_fx_rate(by=request.actor, id=fx_rate_id, need=Scope.FX_WRITE)
    fx_rates.fx_rate_delete(tenant=request.tenant, by=request.actor, fx_rate_id=rate.pk)
    messages.success(request, _("Rate deleted."))
    return redirect(_fx_list_url(request, rate.currency))


@tenant_view(Scope.FX_WRITE)
def fx_rate_import(request: TenantRequest) -> HttpResponse:
    form = FxImportForm(request.POST or None, request.FILES or None)
    rejected: RatesRejected | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = fx_rates.fx_rates_import_csv(
                tenant=request.tenant, by=request.actor, file=upload, file_name=upload.name or ""
            )
        except RatesRejected as exc:
            rejected = exc
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Rates imported: %(created)s added, %(updated)s changed, %(unchanged)s already up to date.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("fx_rate_list", tenant_slug=request.tenant.slug)
    context = _setup_context(
        request,
        "fx",
        form=form,
        rejected=rejected,
        errors=rejected.errors[:ERRORS_SHOWN] if rejected else [],
        more_errors=max(0, len(rejected.errors) - ERRORS_SHOWN) if rejected else 0,
    )
    return render(request, "spend/setup/fx_rate_import.html", context)


@tenant_view(Scope.SPEND_READ)
def fx_rate_export(request: TenantRequest) -> HttpResponse:
    """The rates as a CSV file in the layout the upload reads (UTF-8 with a byte-order mark, for Excel)."""
    currency = (request.GET.get("currency") or "").strip().upper()[:3]
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["currency", "rate_date", "rate", "source"])
    for rate in selectors.fx_rate_list(currency=currency):
        writer.writerow(
            [
                csv_cell(v)
                for v in (rate.currency, rate.rate_date.isoformat(), selectors.decimal_text(rate.rate), rate.source)
            ]
        )
    stamp = timezone.localdate().isoformat()
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fx-rates-{stamp}.csv"'
    return response


# Category rules


@tenant_view(Scope.SPEND_READ)
def category_rule_list(request: TenantRequest) -> HttpResponse:
    context = _setup_context(
        request, "rules", rules=list(selectors.category_rule_list()), can_edit=_can(request, Scope.SPEND_WRITE)
    )
    return render(request, "spend/setup/category_rule_list.html", context)


@tenant_view(Scope.SPEND_WRITE)
def category_rule_create(request: TenantRequest) -> HttpResponse:
    return _rule_page(request, None)


@tenant_view(Scope.SPEND_WRITE)
def category_rule_edit(request: TenantRequest, rule_id: str) -> HttpResponse:
    return _rule_page(request, access_category_rule(by=request.actor, id=rule_id, need=Scope.SPEND_WRITE))


def _rule_page(request: TenantRequest, rule: CategoryRule | None) -> HttpResponse:
    """The form of a new rule (``rule`` None) or of the one given, saved through the service."""
    initial = (
        None
        if rule is None
        else {"priority": rule.priority, "field": rule.field, "pattern": rule.pattern, "category": rule.category_id}
    )
    form = CategoryRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "priority": data["priority"],
            "field": data["field"],
            "pattern": data["pattern"],
            "category_id": data["category"].pk,
        }
        try:
            if rule is None:
                services.category_rule_create(tenant=request.tenant, by=request.actor, **values)
            else:
                services.category_rule_update(tenant=request.tenant, by=request.actor, rule_id=rule.pk, **values)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rule added.") if rule is None else _("Rule saved."))
            return redirect("category_rule_list", tenant_slug=request.tenant.slug)
    return render(
        request, "spend/setup/category_rule_form.html", _setup_context(request, "rules", form=form, rule=rule)
    )


@tenant_view(Scope.SPEND_WRITE)
@require_POST
def category_rule_delete(request: TenantRequest, rule_id: str) -> HttpResponse:
    services.category_rule_delete(tenant=request.tenant, by=request.actor, rule_id=rule_id)
    messages.success(request, _("Rule deleted."))
    return redirect("category_rule_list", tenant_slug=request.tenant.slug)


# Column mappings


@tenant_view(Scope.SPEND_READ)
def column_mapping_list(request: TenantRequest) -> HttpResponse:
    context = _setup_context(
        request,
        "mappings",
        mappings=list(selectors.column_mapping_list()),
        can_edit=_can(request, Scope.SPEND_WRITE),
    )
    return render(request, "spend/setup/column_mapping_list.html", context)


# The service names a column's errors "columns.<column>"; the form has one input per column.
_MAPPING_RENAMES = {f"columns.{c}": column_field_name(c) for c in CANONICAL_COLUMNS}


def _save_mapping(request: TenantRequest, form: ColumnMappingForm, mapping_id: Any = None) -> bool:
    data = form.cleaned_data
    values = {
        "name": data["name"],
        "columns": form.columns(),
        "date_format": data["date_format"],
        "decimal_comma": data["decimal_comma"],
    }
    try:
        if mapping_id is None:
            services.column_mapping_create(tenant=request.tenant, by=request.actor, **values)
        else:
            services.column_mapping_update(tenant=request.tenant, by=request.actor, mapping_id=mapping_id, **values)
    except DomainError as exc:
        add_service_errors(form, exc, renames=_MAPPING_RENAMES)
        return False
    return True


@tenant_view(Scope.SPEND_WRITE)
def column_mapping_create(request: TenantRequest) -> HttpResponse:
    return _mapping_page(request, None)


@tenant_view(Scope.SPEND_WRITE)
def column_mapping_edit(request: TenantRequest, mapping_id: str) -> HttpResponse:
    return _mapping_page(request, access_column_mapping(by=request.actor, id=mapping_id, need=Scope.SPEND_WRITE))


def _mapping_page(request: TenantRequest, mapping: ColumnMapping | None) -> HttpResponse:
    """The form of a new mapping (``mapping`` None) or of the one given, saved through the service."""
    initial = None if mapping is None else ColumnMappingForm.initial_for(mapping)
    form = ColumnMappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_mapping(request, form, mapping and mapping.pk):
        messages.success(request, _("Mapping added.") if mapping is None else _("Mapping saved."))
        return redirect("column_mapping_list", tenant_slug=request.tenant.slug)
    context = _setup_context(request, "mappings", form=form, mapping=mapping)
    return render(request, "spend/setup/column_mapping_form.html", context)


@tenant_view(Scope.SPEND_WRITE)
@require_POST
def column_mapping_delete(request: TenantRequest, mapping_id: str) -> HttpResponse:
    services.column_mapping_delete(tenant=request.tenant, by=request.actor, mapping_id=mapping_id)
    messages.success(request, _("Mapping deleted."))
    return redirect("column_mapping_list", tenant_slug=request.tenant.slug)


# Spend settings


@tenant_view(Scope.SPEND_READ)
def spend_settings(request: TenantRequest) -> HttpResponse:
    """Everyone who reads spend sees the settings; changing them needs spend:write (checked by the service)."""
    row = selectors.spend_settings_find()
    initial = {name: getattr(row, name) for name in services.SETTINGS_FIELDS}
    form = SpendSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.spend_settings_update(tenant=request.tenant, by=request.actor, **form.cleaned_data)
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Spend settings saved."))
            return redirect("spend_settings", tenant_slug=request.tenant.slug)
    context = _setup_context(request, "settings", form=form, can_edit=_can(request, Scope.SPEND_WRITE))
    return render(request, "spend/setup/spend_settings.html", context)
