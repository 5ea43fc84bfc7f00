"""Reads of the spend set-up (settings, FX rates, category rules, column mappings), shared by pages and the
API. Callers are inside ``tenant_scope``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery

from sourcing.categories.models import Category
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate, SpendSettings
from sourcing.tenancy import current_tenant


def spend_settings_find() -> SpendSettings:
    """The tenant's settings row, or an unsaved one with the defaults when none was saved yet (no write)."""
    return SpendSettings.objects.first() or SpendSettings(tenant=current_tenant())


# FX rates


def fx_rate_list(
    *,
    currency: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[FxRate]:
    """Rates by currency, latest first."""
    qs = FxRate.objects.order_by("currency", "-rate_date")
    if currency:
        qs = qs.filter(currency=currency.strip().upper())
    if date_from:
        qs = qs.filter(rate_date__gte=date_from)
    if date_to:
        qs = qs.filter(rate_date__lte=date_to)
    return qs


def fx_currency_summary() -> list[dict[str, Any]]:
    """One row per currency with rates: its latest rate and date, and how many rates are stored."""
    latest = FxRate.objects.filter(currency=OuterRef("currency")).order_by("-rate_date")
    return list(
        FxRate.objects.order_by()
        .values("currency")
        .annotate(
            latest_date=Max("rate_date"),
            count=Count("id"),
            latest_rate=Subquery(latest.values("rate")[:1]),
        )
        .order_by("currency")
    )


def fx_rate_in_force(*, currency: str, on: datetime.date) -> FxRate | None:
    """The rate that converts ``currency`` on ``on``: the latest rate on or before that date, if it is at most
    ``fx_max_age_days`` old. The base currency converts at 1 (an unsaved rate). None when no rate is in force.

    Pages and the API use this one at a time; the importer looks rates up in bulk with the same rule.
    """
    tenant = current_tenant()
    currency = (currency or "").strip().upper()
    if currency == tenant.base_currency:
        return FxRate(tenant=tenant, currency=currency, rate_date=on, rate=Decimal(1), source="base currency")
    max_age = spend_settings_find().fx_max_age_days
    return (
        FxRate.objects.filter(
            currency=currency, rate_date__lte=on, rate_date__gte=on - datetime.timedelta(days=max_age)
        )
        .order_by("-rate_date")
        .first()
    )


# Category rules


def category_rule_list() -> QuerySet[CategoryRule]:
    """Rules in the order they are tried."""
    return CategoryRule.objects.select_related("category").order_by("priority", "created_at", "id")


def category_choices() -> QuerySet[Category]:
    """The categories a rule may point at: this tenant's, by code."""
    return Category.objects.order_by("code")


# Column mappings


def column_mapping_list() -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.order_by("name")


def decimal_text(value: Decimal) -> str:
    """A decimal as people write it: no exponent, no trailing zeros (7.1000000000 → 7.1, 1E+2 → 100)."""
    return format(value.normalize(), "f")
