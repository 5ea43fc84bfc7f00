"""Dependency flags from the spend: a supplier that alone supplied a category in the last twelve months of
spend gets a dependency risk flag (``suppliers.services.risk``), closed once a second supplier has spend there.
The spend reads and the supplier's flags meet here, in the app that reads both."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend.selectors.analysis import UNCATEGORISED, SpendFilter, category_concentration
from suppliers import system_text
from suppliers.models import RiskFlag, RiskKind, Severity, Supplier
from suppliers.services.risk import DEPENDENCY_PREFIX, risk_flag_raise, risk_flag_resolve

DEPENDENCY_WINDOW = datetime.timedelta(days=365)


def single_sourced_categories(today: datetime.date | None = None) -> dict[Any, list[dict[str, Any]]]:
    """Supplier id -> the categories (id, code, name) where it had all the spend of the last twelve months
    (``sourcing.spend.selectors.analysis.category_concentration``: vendors folded into their suppliers, categories
    rolled up the tree). Spend on vendors linked to no supplier is a supplier of its own, so a category
    shared with an unlinked vendor is not single-sourced."""
    today = today or timezone.localdate()
    rows = category_concentration(SpendFilter(date_from=today - DEPENDENCY_WINDOW, date_to=today))
    wanted = [r for r in rows if r.single_source and r.header.key != UNCATEGORISED and r.top and r.top.matched]
    categories = {
        str(c["id"]): c
        for c in Category.objects.filter(pk__in=[r.header.key for r in wanted]).values("id", "code", "name")
    }
    result: dict[Any, list[dict[str, Any]]] = {}
    for r in wanted:
        category = categories.get(r.header.key)
        if category is not None and r.top is not None:
            result.setdefault(r.top.supplier_id, []).append(category)
    return result


@transaction.atomic
def risk_dependency_refresh(*, tenant: Tenant, by: Actor) -> tuple[int, int]:
    """Raise a dependency flag for each category a supplier alone supplied in the last twelve months of spend
    (source ``dependency:<category code>``), and close those no longer single-sourced. Returns (raised or
    refreshed, closed)."""
    by.require(Scope.SUPPLIER_WRITE)
    wanted = single_sourced_categories()
    suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in=list(wanted), merged_into__isnull=True)}
    keep: set[tuple[Any, str]] = set()
    raised = 0
    for supplier_id, categories in wanted.items():
        supplier = suppliers.get(supplier_id)
        if supplier is None:
            continue
        for category in categories:
            source = f"{DEPENDENCY_PREFIX}{category['code']}"[:200]
            keep.add((supplier.pk, source))
            risk_flag_raise(
                tenant=tenant,
                by=by,
                supplier=supplier,
                kind=RiskKind.DEPENDENCY,
                source=source,
                title_code=system_text.SINGLE_SOURCE,
                title_params={"code": category["code"], "name": category["name"]},
                severity=Severity.MAJOR,
            )
            raised += 1
    closed = 0
    stale = RiskFlag.objects.filter(is_open=True, source__startswith=DEPENDENCY_PREFIX).select_related("supplier")
    for flag in stale:
        if (flag.supplier_id, flag.source) not in keep:
            closed += risk_flag_resolve(tenant=tenant, by=by, supplier=flag.supplier, source=flag.source)
    return raised, closed
