"""The demo tells one story: a supplier's categories are the categories its spend is booked on (for every
supplier with spend), after the whole seed has run: categories, spend, and the supplier base around them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sourcing.categories.demo.categories import seed_categories
from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.spend.demo.lines import seed_spend, supplier_category_codes
from sourcing.spend.models import SpendLine, Vendor
from sourcing.tenancy import tenant_scope
from suppliers.demo.base import seed_suppliers
from suppliers.models import Supplier, SupplierCategory
from tests.conftest import SYSTEM


def _spend_categories() -> dict[Any, set[str]]:
    """Supplier id -> the codes of the categories of the spend lines of the vendors linked to it (a merged
    vendor counting for the supplier of the vendor it was merged into, when it has none of its own)."""
    vendors = {v["id"]: v for v in Vendor.objects.values("id", "supplier_id", "merged_into_id")}

    def supplier_of(vendor_id: Any) -> Any:
        vendor = vendors[vendor_id]
        if vendor["supplier_id"] is None and vendor["merged_into_id"]:
            return vendors[vendor["merged_into_id"]]["supplier_id"]
        return vendor["supplier_id"]

    result: dict[Any, set[str]] = defaultdict(set)
    pairs = SpendLine.objects.filter(category__isnull=False).values_list("vendor_id", "category__code").distinct()
    for vendor_id, code in pairs:
        supplier_id = supplier_of(vendor_id)
        if supplier_id is not None:
            result[supplier_id].add(code)
    return result


def test_a_demo_supplier_supplies_what_its_spend_says_it_sells(tenant: Tenant, make_member: Any) -> None:
    for role in (Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER, Role.QUALITY, Role.FINANCE, Role.AGENT):
        make_member(tenant, role)
    seed_categories(tenant=tenant, by=SYSTEM)
    assert seed_spend(tenant=tenant, by=SYSTEM) > 0
    # the base around them (smaller than the demo's 150, the same steps): categories for those without spend
    assert seed_suppliers(tenant=tenant, by=SYSTEM, count=40) > 0
    with tenant_scope(tenant):
        spend = _spend_categories()
        listed: dict[Any, set[str]] = defaultdict(set)
        for supplier_id, code in SupplierCategory.objects.values_list("supplier_id", "category__code"):
            listed[supplier_id].add(code)
        names = dict(Supplier.objects.values_list("id", "legal_name"))
        erp_ids = dict(Supplier.objects.values_list("id", "external_id"))
    assert len(spend) >= 20  # most of the demo's vendors are suppliers with spend
    disagreeing = {names[s]: (sorted(codes), sorted(listed[s])) for s, codes in spend.items() if codes != listed[s]}
    assert disagreeing == {}
    for supplier_id, codes in spend.items():  # and the seed's own table says the same
        assert sorted(codes) == sorted(supplier_category_codes()[erp_ids[supplier_id]])
