"""Vendors of the spend: linking them to suppliers (the unmatched queue), and merging the records that are the
same company (reversible). Services and the selectors their pages need."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.errors import DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend import duplicates
from sourcing.spend.models import MatchMethod, SpendLine, Vendor
from sourcing.spend.services import importer
from suppliers.models import Supplier
from suppliers.names import name_key

VENDOR_FIELDS = ["supplier", "match_method", "merged_into"]


def vendor_get(*, vendor_id: Any) -> Vendor:
    pk = as_uuid(vendor_id)
    vendor = Vendor.objects.select_related("supplier", "merged_into").filter(pk=pk).first() if pk else None
    if vendor is None:
        raise NotFoundError()
    return vendor


def _supplier(supplier_id: Any) -> Supplier:
    pk = as_uuid(supplier_id)
    supplier = Supplier.objects.filter(pk=pk).first() if pk else None
    if supplier is None:
        raise DomainError(_("No such supplier."), fields={"supplier": [_("No such supplier.")]})
    return supplier


def _save(vendor: Vendor, *, tenant: Tenant, by: Actor, action: str, before: dict[str, Any]) -> Vendor:
    after = snapshot(vendor, VENDOR_FIELDS)
    if after == before:
        return vendor
    vendor.save(update_fields=["supplier", "match_method", "merged_into"])
    audit_record(tenant=tenant, by=by, action=action, target=vendor, before=before, after=after)
    return vendor


@transaction.atomic
def vendor_link(*, tenant: Tenant, by: Actor, vendor_id: Any, supplier_id: Any) -> Vendor:
    """Link a vendor of the spend to a supplier by hand."""
    by.require(Scope.SPEND_WRITE)
    vendor = vendor_get(vendor_id=vendor_id)
    supplier = _supplier(supplier_id)
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.supplier = supplier
    vendor.match_method = MatchMethod.MANUAL
    return _save(vendor, tenant=tenant, by=by, action="vendor.link", before=before)


@transaction.atomic
def vendor_unlink(*, tenant: Tenant, by: Actor, vendor_id: Any) -> Vendor:
    by.require(Scope.SPEND_WRITE)
    vendor = vendor_get(vendor_id=vendor_id)
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.supplier = None
    vendor.match_method = ""
    return _save(vendor, tenant=tenant, by=by, action="vendor.unlink", before=before)


@transaction.atomic
def vendor_create_supplier(*, tenant: Tenant, by: Actor, vendor_id: Any) -> Vendor:
    """Create a supplier from an unmatched vendor (its name, and its ERP id when no supplier has that id yet),
    and link the two."""
    from suppliers.services.master import supplier_upsert

    by.require(Scope.SPEND_WRITE)
    vendor = vendor_get(vendor_id=vendor_id)
    if vendor.supplier_id:
        raise DomainError(_("This vendor is already linked to a supplier."))
    data: dict[str, Any] = {"legal_name": vendor.name}
    if any("\u3400" <= ch <= "\u9fff" for ch in vendor.name):
        data["local_name"] = vendor.name
    if vendor.erp_id and not Supplier.objects.filter(external_id=vendor.erp_id).exists():
        data["external_id"] = vendor.erp_id
    supplier, _created = supplier_upsert(tenant=tenant, by=by, data=data)
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.supplier = supplier
    vendor.match_method = MatchMethod.CREATED
    return _save(vendor, tenant=tenant, by=by, action="vendor.link", before=before)


@transaction.atomic
def vendor_merge(*, tenant: Tenant, by: Actor, target_id: Any, duplicate_ids: list[Any]) -> Vendor:
    """Count the duplicates' spend as the target's: each duplicate points at the target (and so does anything
    that was merged into a duplicate). Nothing else changes, so ``vendor_unmerge`` undoes it exactly."""
    by.require(Scope.SPEND_WRITE)
    target = vendor_get(vendor_id=target_id)
    if target.merged_into_id:
        target = vendor_get(vendor_id=target.merged_into_id)
    wanted = {pk for pk in (as_uuid(d) for d in duplicate_ids) if pk is not None and pk != target.pk}
    dupes = list(Vendor.objects.filter(pk__in=wanted))
    if len(dupes) != len(wanted) or not dupes or len(wanted) != len({str(d) for d in duplicate_ids} - {str(target.pk)}):
        raise DomainError(
            _("Choose vendors of this organisation to merge."), fields={"vendors": [_("No such vendor.")]}
        )
    affected = [target.pk]
    for dupe in dupes:
        for follower in Vendor.objects.filter(merged_into=dupe):
            before = snapshot(follower, VENDOR_FIELDS)
            follower.merged_into = target
            _save(follower, tenant=tenant, by=by, action="vendor.merge", before=before)
            affected.append(follower.pk)
        before = snapshot(dupe, VENDOR_FIELDS)
        dupe.merged_into = target
        _save(dupe, tenant=tenant, by=by, action="vendor.merge", before=before)
        affected.append(dupe.pk)
    importer.reclassify_one_off(vendor_ids=affected)
    return target


@transaction.atomic
def vendor_unmerge(*, tenant: Tenant, by: Actor, vendor_id: Any) -> Vendor:
    """Undo a merge: the vendor's spend counts as its own again."""
    by.require(Scope.SPEND_WRITE)
    vendor = vendor_get(vendor_id=vendor_id)
    if not vendor.merged_into_id:
        raise DomainError(_("This vendor is not merged into another."))
    previous = vendor.merged_into_id
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.merged_into = None
    _save(vendor, tenant=tenant, by=by, action="vendor.unmerge", before=before)
    importer.reclassify_one_off(vendor_ids=[vendor.pk, previous])
    return vendor


@transaction.atomic
def vendors_rematch(*, tenant: Tenant, by: Actor) -> int:
    """Link unmatched vendors to suppliers added since their import (same rules: ERP id, then name)."""
    by.require(Scope.SPEND_WRITE)
    book = importer.VendorBook()
    linked = 0
    for vendor in Vendor.objects.filter(supplier__isnull=True, merged_into__isnull=True):
        supplier_id, method = book.match(vendor.erp_id, vendor.name_key)
        if supplier_id is None:
            continue
        before = snapshot(vendor, VENDOR_FIELDS)
        vendor.supplier_id = supplier_id
        vendor.match_method = method
        _save(vendor, tenant=tenant, by=by, action="vendor.link", before=before)
        linked += 1
    return linked


# --- selectors ---------------------------------------------------------------------------------------------


@dataclass
class VendorRow:
    vendor: Vendor
    spend: Decimal
    lines: int
    suggestions: list[tuple[Supplier, int]]


def vendor_rows(*, unmatched_only: bool, search: str = "", limit: int | None = 100) -> list[VendorRow]:
    """Vendors by spend, largest first, with up to three supplier suggestions for each unmatched one."""
    vendors = Vendor.objects.select_related("supplier", "merged_into")
    if unmatched_only:
        vendors = vendors.filter(supplier__isnull=True, merged_into__isnull=True)
    if search:
        vendors = vendors.filter(name__icontains=search) | vendors.filter(erp_id__icontains=search)
    totals = {
        row["vendor_id"]: (row["spend"], row["n"])
        for row in SpendLine.objects.filter(vendor_id__in=vendors.values("id"))
        .values("vendor_id")
        .annotate(spend=Sum("amount_base"), n=Count("id"))
        .order_by()
    }
    chosen = sorted(vendors, key=lambda v: (-(totals.get(v.pk, (Decimal(0), 0))[0] or 0), v.name))
    chosen = chosen[:limit] if limit is not None else chosen
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
        spend, n = totals.get(vendor.pk, (Decimal(0), 0))
        rows.append(VendorRow(vendor, spend or Decimal(0), n, suggestions[:3]))
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
