"""Each analysis against numbers worked out by hand from five lines.

    line  date        vendor (ERP id)              category  SKU     qty  price  amount  PO     cost center
    a     2026-01-10  Ningbo Everbright (V-100)    111       POT-24  100  10     1000    PO-1   CC-A
    b     2026-02-10  Yiwu Sunrise (V-300)         111       POT-24  100  12     1200    -      CC-A
    c     2026-04-10  Ningbo Everbright (V-100)    111       POT-24   50  11      550    PO-3   CC-B
    d     2026-04-20  Yiwu Sunrise (no ERP id)     510       -          1  800     800    PO-4   CC-B
    e     2026-05-01  Xiamen Peakline (no ERP id)  510       -          1  200     200    PO-5   CC-B

Everbright is a supplier by ERP id, Peakline by name; both Sunrise records are unmatched and are the same
company under two names. Category 111 sits under 110 under 100 (production material); 510 is on its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sourcing.models import AuditEvent, Tenant
from sourcing.spend.models import SpendLine, Vendor
from sourcing.spend.selectors import analysis, maverick, variance
from sourcing.spend.selectors import vendors as vendor_selectors
from sourcing.spend.selectors.analysis import SpendFilter
from sourcing.spend.services import imports as services
from sourcing.spend.services import vendors
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row

D = Decimal


@pytest.fixture
def five_lines(tenant: Tenant, spend_world: dict[str, Any]) -> dict[str, Any]:
    everbright = ("Ningbo Everbright Housewares Co., Ltd.", "V-100")
    sunrise = ("Yiwu Sunrise Trading Co., Ltd.", "V-300")
    sunrise_alias = ("Yiwu Sunrise Trading Company Limited", "")
    peakline = ("XIAMEN PEAKLINE TRADING CO LTD", "")
    table = [
        ("a", "2026-01-10", everbright, "111", "POT-24", "100", "10", "1000", "PO-1", "CC-A"),
        ("b", "2026-02-10", sunrise, "111", "POT-24", "100", "12", "1200", "", "CC-A"),
        ("c", "2026-04-10", everbright, "111", "POT-24", "50", "11", "550", "PO-3", "CC-B"),
        ("d", "2026-04-20", sunrise_alias, "510", "", "1", "800", "800", "PO-4", "CC-B"),
        ("e", "2026-05-01", peakline, "510", "", "1", "200", "200", "PO-5", "CC-B"),
    ]
    lines = [
        row(
            invoice_number=number,
            invoice_date=day,
            supplier_name=vendor[0],
            supplier_erp_id=vendor[1],
            category_code=code,
            item_sku=sku,
            quantity=quantity,
            unit_price=price,
            amount=amount,
            po_number=po,
            cost_center=center,
        )
        for number, day, vendor, code, sku, quantity, price, amount, po, center in table
    ]
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
        records = {v.erp_id or "no-id": v for v in Vendor.objects.filter(name__startswith="Yiwu")}
    return {**spend_world, "sunrise": records["V-300"], "sunrise_alias": records["no-id"]}


def test_the_cube_rolls_categories_up_the_tree_by_quarter(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        cube = analysis.spend_cube(SpendFilter(), rows="category", columns="period", period="quarter")
    pots, cookware, kitchen, freight = (str(five_lines[k].pk) for k in ("pots", "cookware", "kitchen", "freight"))
    assert [c.label for c in cube.columns] == ["2026-Q1", "2026-Q2"]
    q1, q2 = (c.key for c in cube.columns)
    assert cube.cell(pots, q1) == D("2200.00") and cube.cell(pots, q2) == D("550.00")
    assert cube.row_totals[pots] == cube.row_totals[cookware] == cube.row_totals[kitchen] == D("2750.00")
    assert cube.cell(freight, q2) == D("1000.00") and cube.cell(freight, q1) == 0
    assert cube.column_totals == {q1: D("2200.00"), q2: D("1550.00")}
    assert cube.total == D("3750.00") and cube.lines == 5
    # rows in tree order with depth, each with the filter to drill down into its lines
    assert [(r.label, r.depth) for r in cube.rows] == [
        ("100 Kitchenware", 0),
        ("110 Cookware", 1),
        ("111 Stainless steel pots", 2),
        ("510 Freight", 0),
    ]
    assert cube.rows[0].filter == {"category": kitchen}
    assert cube.columns[0].filter == {"date_from": "2026-01-01", "date_to": "2026-03-31"}


def test_a_cube_cell_drills_down_to_exactly_its_lines(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        cube = analysis.spend_cube(SpendFilter(), rows="category", columns="period")
        kitchen = next(r for r in cube.rows if r.depth == 0 and r.label.startswith("100"))
        q1 = cube.columns[0]
        drill = SpendFilter.from_query({**kitchen.filter, **q1.filter})
        numbers = sorted(drill.lines().values_list("invoice_number", flat=True))
    assert numbers == ["a", "b"]


def test_the_cube_by_supplier_and_cost_center(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        cube = analysis.spend_cube(SpendFilter(), rows="supplier", columns="cost_center")
    everbright = str(five_lines["everbright"].pk)
    assert cube.rows[0].key == everbright and cube.rows[0].label == "Ningbo Everbright Housewares"
    assert cube.cell(everbright, "CC-A") == D("1000.00") and cube.cell(everbright, "CC-B") == D("550.00")
    assert [r.label for r in cube.rows] == [
        "Ningbo Everbright Housewares",
        "Yiwu Sunrise Trading Co., Ltd.",
        "Yiwu Sunrise Trading Company Limited",
        "Xiamen Peakline Trading Co., Ltd.",
    ]


def test_pareto_before_and_after_merging_the_duplicate_vendor(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        pareto = analysis.supplier_pareto(SpendFilter())
    assert [(r.amount, r.cumulative) for r in pareto.rows] == [
        (D("1550.00"), D("41.3")),
        (D("1200.00"), D("73.3")),
        (D("800.00"), D("94.7")),
        (D("200.00"), D("100.0")),
    ]
    assert pareto.suppliers_for_80 == 3
    with tenant_scope(tenant):
        vendors.vendor_merge(
            tenant=tenant, by=SYSTEM, target_id=five_lines["sunrise"].pk, duplicate_ids=[five_lines["sunrise_alias"].pk]
        )
        pareto = analysis.supplier_pareto(SpendFilter())
    assert [(r.ref.name, r.amount) for r in pareto.rows] == [
        ("Yiwu Sunrise Trading Co., Ltd.", D("2000.00")),
        ("Ningbo Everbright Housewares", D("1550.00")),
        ("Xiamen Peakline Trading Co., Ltd.", D("200.00")),
    ]
    assert pareto.suppliers_for_80 == 2


def test_concentration_and_fragmentation_per_category(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        rows = {r.header.key: r for r in analysis.category_concentration(SpendFilter())}
    pots = rows[str(five_lines["pots"].pk)]
    # shares 1550/2750 = 56.36 % and 1200/2750 = 43.64 %: 56.3636² + 43.6364² = 5080.99
    assert (pots.total, pots.suppliers, pots.top_share, pots.hhi) == (D("2750.00"), 2, D("56.4"), 5081)
    assert pots.top.name == "Ningbo Everbright Housewares" and pots.level == "high"
    freight = rows[str(five_lines["freight"].pk)]
    assert (freight.suppliers, freight.top_share, freight.hhi) == (2, D("80.0"), 6800)  # 80² + 20²
    assert rows[str(five_lines["kitchen"].pk)].hhi == pots.hhi  # rolled up from the only category below it


def test_a_single_source_category_is_flagged(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        rows = {
            r.header.key: r for r in analysis.category_concentration(SpendFilter(date_from=analysis.date(2026, 4, 1)))
        }
    pots = rows[str(five_lines["pots"].pk)]
    assert pots.single_source and pots.hhi == 10000 and pots.top_share == D("100.0")


@pytest.mark.parametrize(("amounts", "expected"), [([D(1)], 10000), ([D(1), D(1)], 5000), ([D(1)] * 4, 2500), ([], 0)])
def test_hhi_of_equal_shares(amounts: list[Decimal], expected: int) -> None:
    assert analysis.hhi(amounts) == expected


def test_price_variance_and_the_saving_at_the_best_price(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        [pot] = variance.price_variance(SpendFilter())
        prices = variance.sku_prices(SpendFilter(), item_sku="POT-24", uom="pcs")
    assert (pot.item_sku, pot.lines, pot.suppliers, pot.quantity) == ("POT-24", 3, 2, D("250"))
    assert (pot.best_price, pot.worst_price, pot.spread_pct) == (D("10"), D("12"), D("20.0"))
    assert pot.spend == D("2750.00")
    assert pot.saving == D("250.00")  # 2750 - 10 × 250
    assert [(p.ref.name, p.average, p.quantity) for p in prices] == [
        ("Ningbo Everbright Housewares", D("10.333333"), D("150")),  # 1550 / 150
        ("Yiwu Sunrise Trading Co., Ltd.", D("12"), D("100")),
    ]


def test_price_variance_compares_prices_in_the_base_currency(tenant: Tenant, spend_world: dict[str, Any]) -> None:
    lines = [
        row(invoice_number="u", unit_price="10", quantity="10", amount="100"),
        # 72.46 CNY × 0.138 = 10.00 USD: the same price, so no variance
        row(invoice_number="c", currency="CNY", unit_price="72.463768", quantity="10", amount="724.64"),
    ]
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
        rows = variance.price_variance(SpendFilter())
    assert len(rows) == 1 and rows[0].spread_pct == D("0.0")  # a rounding difference of a millionth


def test_maverick_spend_by_category_and_cost_center(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        by_category, overall = maverick.maverick_spend(SpendFilter(), by="category")
        by_center, _ = maverick.maverick_spend(SpendFilter(), by="cost_center")
    rows = {r.header.key: r for r in by_category}
    pots = rows[str(five_lines["pots"].pk)]
    assert (pots.total, pots.no_po, pots.unapproved, pots.maverick, pots.share) == (
        D("2750.00"), D("1200.00"), D("1200.00"), D("1200.00"), D("43.6"),
    )  # fmt: skip
    freight = rows[str(five_lines["freight"].pk)]
    assert (freight.no_po, freight.unapproved, freight.maverick, freight.share) == (
        0,
        D("800.00"),
        D("800.00"),
        D("80.0"),
    )
    assert (overall.total, overall.maverick) == (D("3750.00"), D("2000.00"))
    assert {r.header.key: (r.total, r.maverick) for r in by_center} == {
        "CC-A": (D("2200.00"), D("1200.00")),
        "CC-B": (D("1550.00"), D("800.00")),
    }


def test_linking_a_vendor_to_a_supplier_makes_its_spend_approved(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        vendors.vendor_link(
            tenant=tenant, by=SYSTEM, vendor_id=five_lines["sunrise_alias"].pk, supplier_id=five_lines["peakline"].pk
        )
        _, overall = maverick.maverick_spend(SpendFilter())
        event = AuditEvent.objects.get(action="vendor.link")
    assert overall.maverick == D("1200.00")  # only line b now
    assert event.after["match_method"] == "manual"


def test_duplicate_vendors_cluster_and_merge_reversibly(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    sunrise, alias = five_lines["sunrise"], five_lines["sunrise_alias"]
    with tenant_scope(tenant):
        [cluster] = vendor_selectors.duplicate_clusters()
        assert [v.pk for v, _spend in cluster.vendors] == [sunrise.pk, alias.pk]  # larger spend first
        assert cluster.score == 100 and cluster.spend == D("2000.00")
        vendors.vendor_merge(tenant=tenant, by=SYSTEM, target_id=sunrise.pk, duplicate_ids=[alias.pk])
        assert vendor_selectors.duplicate_clusters() == []
        # the merged records count as one: two invoices in a year are no longer one-off purchases
        classes = dict(
            SpendLine.objects.filter(invoice_number__in=["b", "d"]).values_list("invoice_number", "classification")
        )
        assert classes == {"b": "direct", "d": "indirect"}
        vendors.vendor_unmerge(tenant=tenant, by=SYSTEM, vendor_id=alias.pk)
        classes = dict(
            SpendLine.objects.filter(invoice_number__in=["b", "d"]).values_list("invoice_number", "classification")
        )
        assert classes == {"b": "one_off", "d": "one_off"}
        assert [c.score for c in vendor_selectors.duplicate_clusters()] == [100]
        actions = list(AuditEvent.objects.filter(action__startswith="vendor.").values_list("action", flat=True))
    assert sorted(actions) == ["vendor.merge", "vendor.unmerge"]


def test_merging_needs_vendors_of_this_tenant(tenant: Tenant, other_tenant: Tenant, five_lines: dict[str, Any]) -> None:
    from sourcing.errors import DomainError, NotFoundError

    # another tenant's vendors are missing vendors to globex
    with tenant_scope(other_tenant), pytest.raises(NotFoundError):
        vendors.vendor_merge(
            tenant=other_tenant,
            by=SYSTEM,
            target_id=five_lines["sunrise"].pk,
            duplicate_ids=[five_lines["sunrise_alias"].pk],
        )
    with tenant_scope(tenant), pytest.raises(DomainError):
        vendors.vendor_merge(
            tenant=tenant,
            by=SYSTEM,
            target_id=five_lines["sunrise"].pk,
            duplicate_ids=["00000000-0000-0000-0000-000000000000"],
        )


def test_the_unmatched_queue_suggests_suppliers(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    from suppliers.models import Supplier

    with tenant_scope(tenant):
        Supplier.objects.create(tenant=tenant, legal_name="Yiwu Sunrise Trade Co., Ltd.")
        queue = vendor_selectors.vendor_rows(unmatched_only=True)
    assert [(r.vendor.name, r.spend) for r in queue] == [
        ("Yiwu Sunrise Trading Co., Ltd.", D("1200.00")),
        ("Yiwu Sunrise Trading Company Limited", D("800.00")),
    ]
    assert queue[0].suggestions[0][0].legal_name == "Yiwu Sunrise Trade Co., Ltd."


def test_creating_a_supplier_from_a_vendor_links_it(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        vendor = vendors.vendor_create_supplier(tenant=tenant, by=SYSTEM, vendor_id=five_lines["sunrise"].pk)
    assert vendor.supplier.legal_name == "Yiwu Sunrise Trading Co., Ltd."
    assert vendor.supplier.external_id == "V-300" and vendor.match_method == "created"


def test_overview(tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(tenant):
        summary = analysis.overview(SpendFilter())
    assert (summary.total, summary.lines, summary.suppliers, summary.unmatched_vendors) == (D("3750.00"), 5, 4, 2)
    by_class = {c: amount for c, _label, amount, _pct in summary.by_class}
    # a, c: Everbright buys twice; b, d, e: each vendor's only invoice in a year
    assert by_class == {"direct": D("1550.00"), "indirect": D("0"), "one_off": D("2200.00")}


def test_analyses_see_only_their_tenant(tenant: Tenant, other_tenant: Tenant, five_lines: dict[str, Any]) -> None:
    with tenant_scope(other_tenant):
        assert analysis.spend_cube(SpendFilter()).total == 0
        assert analysis.supplier_pareto(SpendFilter()).rows == []
        assert variance.price_variance(SpendFilter()) == []
        assert vendor_selectors.duplicate_clusters() == []


def test_a_chinese_name_finds_its_english_twin_through_the_supplier(
    tenant: Tenant, spend_world: dict[str, Any]
) -> None:
    from suppliers.models import Supplier

    with tenant_scope(tenant):
        services.spend_lines_bulk(
            tenant=tenant,
            by=SYSTEM,
            lines=[row(), row(invoice_number="z", supplier_name="宁波永辉家居用品有限责任公司", supplier_erp_id="")],
        )
        # the supplier's Chinese name is recorded after the import, so the Chinese vendor stayed unmatched
        Supplier.objects.filter(pk=spend_world["everbright"].pk).update(local_name="宁波永辉家居用品有限公司")
        [cluster] = vendor_selectors.duplicate_clusters()
    assert sorted(v.name for v, _s in cluster.vendors) == [
        "Ningbo Everbright Housewares Co., Ltd.",
        "宁波永辉家居用品有限责任公司",
    ]


def test_flagging_a_category_as_production_material_makes_its_spend_direct(
    tenant: Tenant, five_lines: dict[str, Any]
) -> None:
    from sourcing.categories.services.categories import category_update

    with tenant_scope(tenant):
        category_update(tenant=tenant, by=SYSTEM, category_id=five_lines["kitchen"].pk, is_production_material=False)
        assert dict(SpendLine.objects.values_list("invoice_number", "classification")) == {
            "a": "indirect", "b": "one_off", "c": "indirect", "d": "one_off", "e": "one_off",
        }  # fmt: skip
        category_update(tenant=tenant, by=SYSTEM, category_id=five_lines["cookware"].pk, is_production_material=True)
        assert SpendLine.objects.get(invoice_number="a").classification == "direct"  # 111 sits under 110


def test_merging_a_linked_vendor_into_an_unlinked_one_keeps_its_supplier(
    tenant: Tenant, five_lines: dict[str, Any]
) -> None:
    everbright = five_lines["everbright"]
    with tenant_scope(tenant):
        linked = Vendor.objects.get(erp_id="V-100")
        # the alias of Sunrise is unlinked; merging Everbright's record into it must not unlink Everbright's spend
        vendors.vendor_merge(
            tenant=tenant, by=SYSTEM, target_id=five_lines["sunrise_alias"].pk, duplicate_ids=[linked.pk]
        )
        pareto = {r.ref.key: r for r in analysis.supplier_pareto(SpendFilter()).rows}
        _rows, overall = maverick.maverick_spend(SpendFilter())
    assert pareto[str(everbright.pk)].amount == D("2350.00")  # 1000 + 550 + the alias's own 800
    assert pareto[str(everbright.pk)].ref.matched
    assert overall.maverick == D("2000.00")  # unchanged: approval is per record
