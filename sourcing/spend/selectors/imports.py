"""Reads of the spend baseline, shared by pages, the API and exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from sourcing.spend.models import SpendImport, SpendLine


def category_spend_totals() -> dict[Any, Decimal]:
    """Spend in the base currency booked directly on each category (not rolled up the tree), by category id."""
    rows = SpendLine.objects.values("category_id").annotate(total=Sum("amount_base")).order_by()
    return {row["category_id"]: row["total"] for row in rows if row["category_id"] is not None}


def spend_import_list() -> QuerySet[SpendImport]:
    return SpendImport.objects.select_related("mapping", "duplicate_of").order_by("-created_at")
