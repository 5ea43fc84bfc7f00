"""Vendors of the spend: linking them to suppliers (the unmatched queue), and merging the records that are the
same company (reversible). The reads of their pages are in ``selectors/vendors.py``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.errors import DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend.models import MatchMethod, Vendor
from sourcing.spend.services import importer
from sourcing.spend.services.access import access_vendor
from suppliers.models import Supplier
from suppliers.services.access import access_supplier

VENDOR_FIELDS = ["supplier", "match_method", "merged_into"]


def _supplier(supplier_id: Any, *, by: Actor) -> Supplier:
    try:
        return access_supplier(by=by, id=supplier_id, need=Scope.SPEND_WRITE, merged=True)
    except NotFoundError as exc:
        raise DomainError(_("No such supplier."), fields={"supplier": [_("No such supplier.")]}) from exc


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
    vendor = access_vendor(by=by, id=vendor_id, need=Scope.SPEND_WRITE)
    supplier = _supplier(supplier_id, by=by)
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.supplier = supplier
    vendor.match_method = MatchMethod.MANUAL
    return _save(vendor, tenant=tenant, by=by, action="vendor.link", before=before)


@transaction.atomic
def vendor_unlink(*, tenant: Tenant, by: Actor, vendor_id: Any) -> Vendor:
    by.require(Scope.SPEND_WRITE)
    vendor = access_vendor(by=by, id=vendor_id, need=Scope.SPEND_WRITE)
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.supplier = None
    vendor.match_method = ""
    return _save(vendor, tenant=tenant, by=by, action="vendor.unlink", before=before)


@transaction.atomic
def vendor_create_supplier(*, tenant: Tenant, by: Actor, vendor_id: Any) -> Vendor:
    """Create a supplier from an unmatched vendor (its name, and its ERP id when no supplier has that id yet),
    and link the two."""
    from suppliers.services.master import SupplierFields, supplier_upsert

    by.require(Scope.SPEND_WRITE)
    vendor = access_vendor(by=by, id=vendor_id, need=Scope.SPEND_WRITE)
    if vendor.supplier_id:
        raise DomainError(_("This vendor is already linked to a supplier."))
    data: dict[str, Any] = {"legal_name": vendor.name}
    if any("\u3400" <= ch <= "\u9fff" for ch in vendor.name):
        data["local_name"] = vendor.name
    if vendor.erp_id and not Supplier.objects.filter(external_id=vendor.erp_id).exists():
        data["external_id"] = vendor.erp_id
    supplier, _created = supplier_upsert(tenant=tenant, by=by, fields=SupplierFields.of(data))
    before = snapshot(vendor, VENDOR_FIELDS)
    vendor.supplier = supplier
    vendor.match_method = MatchMethod.CREATED
    return _save(vendor, tenant=tenant, by=by, action="vendor.link", before=before)


@transaction.atomic
def vendor_merge(*, tenant: Tenant, by: Actor, target_id: Any, duplicate_ids: list[Any]) -> Vendor:
    """Count the duplicates' spend as the target's: each duplicate points at the target (and so does anything
    that was merged into a duplicate). Nothing else changes, so ``vendor_unmerge`` undoes it exactly."""
    by.require(Scope.SPEND_WRITE)
    target = access_vendor(by=by, id=target_id, need=Scope.SPEND_WRITE)
    if target.merged_into_id:
        target = access_vendor(by=by, id=target.merged_into_id, need=Scope.SPEND_WRITE)
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
    vendor = access_vendor(by=by, id=vendor_id, need=Scope.SPEND_WRITE)
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
