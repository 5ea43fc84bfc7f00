"""Reads of the spend's vendors for their pages and the API: the vendor queue with spend and suggested
suppliers, clusters of probable duplicates, and the vendors merged into others. Callers are inside
``tenant_scope``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from sourcing.spend.models import SpendLine, Vendor
from suppliers import name_clusters as duplicates
from suppliers.models import Supplier
from suppliers.names import name_key


@dataclass
class VendorRow:
    vendor: Vendor
    spend: Decimal
    lines: int
    suggestions: list[tuple[Supplier, int]]


@dataclass(frozen=True)
class VendorTotals:
    """The whole filtered vendor list: how many vendors, their spend (in the base currency) and lines."""

    vendors: int
    spend: Decimal
    lines: int


# The vendor list's sort keys, each with the name and id as tie-breakers (the list is sorted here, by spend).
VENDOR_SORTS = ("spend", "lines", "name", "erp_id")


def vendor_rows(*, unmatched_only: bool, search: str = "", limit: int | None = 100) -> list[VendorRow]:
    """Vendors by spend, largest first, with up to three supplier suggestions for each unmatched one."""
    ordered, spend = _vendors_by(unmatched_only=unmatched_only, search=search, sort="spend", descending=True)
    return _rows(ordered[:limit] if limit is not None else ordered, spend)


@dataclass(frozen=True)
class VendorListing:
    """The filtered vendor list in the order asked for, their spend and lines by vendor id, and its totals."""

    vendors: list[Vendor]
    spend: dict[object, tuple[Decimal, int]]
    totals: VendorTotals


def vendor_listing(*, unmatched_only: bool, search: str, sort: str, descending: bool) -> VendorListing:
    """The vendor list sorted by ``sort`` (one of ``VENDOR_SORTS``), with the totals of every vendor in it,
    from the one aggregate the sort needs anyway. ``vendor_rows_of`` then makes rows of one page of it."""
    ordered, spend = _vendors_by(unmatched_only=unmatched_only, search=search, sort=sort, descending=descending)
    totals = VendorTotals(
        vendors=len(ordered),
        spend=sum((amount for amount, _n in spend.values()), Decimal(0)),
        lines=sum(n for _amount, n in spend.values()),
    )
    return VendorListing(ordered, spend, totals)


def vendor_rows_of(vendors: list[Vendor], listing: VendorListing) -> list[VendorRow]:
    """Rows of some vendors of ``listing`` (a page), suggestions looked up for them alone."""
    return _rows(vendors, listing.spend)


def _vendors_by(
    *, unmatched_only: bool, search: str, sort: str, descending: bool
) -> tuple[list[Vendor], dict[object, tuple[Decimal, int]]]:
    vendors = Vendor.objects.select_related("supplier", "merged_into")
    if unmatched_only:
        vendors = vendors.filter(supplier__isnull=True, merged_into__isnull=True)
    if search:
        vendors = vendors.filter(name__icontains=search) | vendors.filter(erp_id__icontains=search)
    spend: dict[object, tuple[Decimal, int]] = {
        row["vendor_id"]: (row["spend"] or Decimal(0), row["n"])
        for row in SpendLine.objects.filter(vendor_id__in=vendors.values("id"))
        .values("vendor_id")
        .annotate(spend=Sum("amount_base"), n=Count("id"))
        .order_by()
    }
    everything = sorted(vendors, key=lambda v: (v.name, str(v.pk)))  # the tie-breakers, then the column
    sort_key = {
        "spend": lambda v: spend.get(v.pk, (Decimal(0), 0))[0],
        "lines": lambda v: spend.get(v.pk, (Decimal(0), 0))[1],
        "name": lambda v: v.name.casefold(),
        "erp_id": lambda v: v.erp_id,
    }[sort]
    return sorted(everything, key=sort_key, reverse=descending), spend


def _rows(chosen: list[Vendor], spend: dict[object, tuple[Decimal, int]]) -> list[VendorRow]:
    suppliers: dict[str, Supplier] = {}
    keys: dict[str, str] = {}
    if any(v.supplier_id is None for v in chosen):
        for supplier in Supplier.objects.only("id", "legal_name", "local_name"):
            suppliers[str(supplier.pk)] = supplier
            keys[str(supplier.pk)] = name_key(supplier.legal_name) or supplier.legal_name.lower()
            if supplier.local_name:
                keys[f"{supplier.pk}:local"] = name_key(supplier.local_name)
    rows = []
    for vendor in chosen:
        suggestions: list[tuple[Supplier, int]] = []
        if vendor.supplier_id is None and keys:
            seen = set()
            for key_id, score in duplicates.best_matches(vendor.name_key, keys, limit=6):
                sid = key_id.split(":")[0]
                if sid not in seen:
                    seen.add(sid)
                    suggestions.append((suppliers[sid], score))
        amount, n = spend.get(vendor.pk, (Decimal(0), 0))
        rows.append(VendorRow(vendor, amount, n, suggestions[:3]))
    return rows


@dataclass
class DuplicateCluster:
    vendors: list[tuple[Vendor, Decimal]]  # largest spend first: the suggested record to keep
    score: int
    spend: Decimal


def duplicate_clusters() -> list[DuplicateCluster]:
    """Vendor records in the spend that are probably the same company, by name (English and Chinese, legal
    forms ignored). Records already merged, or linked to the same supplier, are not shown as duplicates."""
    vendors = {str(v.pk): v for v in Vendor.objects.filter(merged_into__isnull=True).select_related("supplier")}
    records = [duplicates.Record(pk, v.name_key, str(v.supplier_id or "")) for pk, v in vendors.items()]
    # a linked vendor is also known by its supplier's local name: 高阳柔触毛巾有限责任公司 finds Gaoyang Softtouch
    records += [
        duplicates.Record(pk, name_key(v.supplier.local_name), str(v.supplier_id))
        for pk, v in vendors.items()
        if v.supplier is not None and v.supplier.local_name
    ]
    found = duplicates.clusters(records)
    if not found:
        return []
    ids = [pk for c in found for pk in c.ids]
    spend = {
        str(row["vendor_id"]): row["s"] or Decimal(0)
        for row in SpendLine.objects.filter(vendor_id__in=ids)
        .values("vendor_id")
        .annotate(s=Sum("amount_base"))
        .order_by()
    }
    result = []
    for c in found:
        # the record to keep comes first: one linked to a supplier, then the larger spend
        members = sorted(
            ((vendors[pk], spend.get(pk, Decimal(0))) for pk in c.ids),
            key=lambda m: (m[0].supplier_id is None, -m[1]),
        )
        result.append(DuplicateCluster(members, c.score, sum((m[1] for m in members), Decimal(0))))
    return sorted(result, key=lambda c: -c.spend)


def merged_vendors() -> QuerySet[Vendor]:
    return Vendor.objects.filter(merged_into__isnull=False).select_related("merged_into").order_by("name")
