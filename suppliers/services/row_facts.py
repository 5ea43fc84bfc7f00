"""Keep the list's row facts (``Supplier.open_flag_count``, ``certificate_ends``, ``category_ids``) true.

Every service that writes a risk flag, a certificate or a supplier's categories calls ``row_facts_refresh``
for the suppliers it touched, inside its own transaction. The refresh locks those suppliers' rows first and
then reads the sources, so of two transactions changing the same supplier the later one sees the earlier
one's rows and writes the right figures. The daily certification job refreshes the whole tenant as well
(``row_facts_refresh_all``), and ``tests/suppliers/test_row_facts.py`` checks every writer against it.
Whoever locks several suppliers locks them in id order, so two such writers cannot deadlock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count

from suppliers import row_facts
from suppliers.models import ROW_FACTS, Certification, RiskFlag, Supplier, SupplierCategory

FIELDS = list(ROW_FACTS)


def row_facts_for(supplier_ids: Iterable[Any]) -> dict[Any, tuple[int, list[row_facts.Span], list[str]]]:
    """The row facts of these suppliers as their sources say, in three queries."""
    ids = list(supplier_ids)
    flags = dict(
        RiskFlag.objects.filter(supplier_id__in=ids, is_open=True)
        .values_list("supplier_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("supplier_id", "n")
    )
    ends = row_facts.certificate_ends(
        Certification.objects.filter(supplier_id__in=ids)
        .order_by()
        .values_list("supplier_id", "cert_type", "name", "site_id", "valid_from", "valid_until")
    )
    categories: dict[Any, list[str]] = {}
    for supplier_id, category_id in SupplierCategory.objects.filter(supplier_id__in=ids).values_list(
        "supplier_id", "category_id"
    ):
        categories.setdefault(supplier_id, []).append(str(category_id))
    return {pk: (flags.get(pk, 0), ends.get(pk, []), sorted(categories.get(pk, []))) for pk in ids}


@transaction.atomic
def row_facts_refresh(supplier_ids: Iterable[Any]) -> int:
    """Recompute the row facts of these suppliers and write those that changed; returns how many changed.
    A step of the services that change the sources (they have checked the caller's rights)."""
    ids = sorted({pk for pk in supplier_ids if pk is not None}, key=str)
    if not ids:
        return 0
    suppliers = list(Supplier.objects.select_for_update().filter(pk__in=ids).only("id", *FIELDS).order_by("id"))
    return _write(suppliers, row_facts_for(ids))


def row_facts_refresh_all(batch: int = 2000) -> int:
    """Compare every supplier of the current tenant with its sources, a batch at a time without locks, and
    refresh (locked, as ``row_facts_refresh``) only those found stale; returns how many changed: none, unless
    something wrote the sources without its service."""
    changed = 0
    ids = list(Supplier.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        facts = row_facts_for(chunk)
        stored = Supplier.objects.filter(pk__in=chunk).values_list("id", *FIELDS)
        stale = [pk for pk, *values in stored if tuple(values) != facts[pk]]
        if stale:
            changed += row_facts_refresh(stale)
    return changed


def _write(suppliers: list[Supplier], facts: dict[Any, tuple[int, list[row_facts.Span], list[str]]]) -> int:
    stale = []
    for supplier in suppliers:
        fresh = facts[supplier.pk]
        if (supplier.open_flag_count, supplier.certificate_ends, supplier.category_ids) != fresh:
            supplier.open_flag_count, supplier.certificate_ends, supplier.category_ids = fresh
            stale.append(supplier)
    if stale:
        Supplier.objects.bulk_update(stale, FIELDS)
    return len(stale)
