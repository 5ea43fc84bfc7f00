"""Spend analysis pages: who sees them, what they show, exports, the vendor actions, and query counts."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.spend.models import Vendor
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row

PAGES = [
    "spend_overview",
    "spend_cube",
    "spend_pareto",
    "spend_concentration",
    "spend_price_variance",
    "spend_sku_prices",
    "spend_maverick",
    "spend_lines",
    "vendor_list",
    "vendor_duplicates",
]


def _lines(tenant: Tenant, n: int, prefix: str = "L") -> None:
    lines = [
        row(
            invoice_number=f"{prefix}-{i}",
            supplier_erp_id=f"{prefix}-V{i % 4}",
            supplier_name=f"Vendor {prefix}{i % 4} Co., Ltd.",
            unit_price=str(10 + i),
            amount=str((10 + i) * 100),
            cost_center=f"CC-{i % 3}",
            po_number="" if i % 5 == 0 else f"PO-{i}",
        )
        for i in range(n)
    ]
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)


def _client(make_member: Any, tenant: Tenant, role: str) -> Client:
    client = Client()
    client.force_login(make_member(tenant, role).user)
    return client


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.BUYER, 200),
        (Role.FINANCE, 200),
        (Role.EXECUTIVE, 200),
        (Role.QUALITY, 403),
        (Role.AGENT, 403),
    ],
)
def test_who_may_read_the_analyses(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, page: str, role: str, status: int
) -> None:
    _lines(tenant, 3)
    response = _client(make_member, tenant, role).get(_url(page, tenant) + "?sku=POT-24&uom=pcs")
    assert response.status_code == status


def test_read_only_roles_see_no_vendor_actions(tenant: Tenant, spend_world: dict[str, Any], make_member: Any) -> None:
    _lines(tenant, 3)
    buyer = _client(make_member, tenant, Role.BUYER).get(_url("vendor_list", tenant)).content.decode()
    executive = _client(make_member, tenant, Role.EXECUTIVE).get(_url("vendor_list", tenant)).content.decode()
    assert "Create supplier" in buyer and "Match again" in buyer
    assert "Create supplier" not in executive and "Match again" not in executive


def test_the_cube_shows_amounts_with_links_to_their_lines(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 2)  # 10 × 100 + 11 × 100 = 2100, all in 2026-Q1, category 111
    client = _client(make_member, tenant, Role.BUYER)
    page = client.get(_url("spend_cube", tenant)).content.decode()
    assert "2026-Q1" in page and "2,100" in page
    pots = spend_world["pots"].pk
    link = f"{_url('spend_lines', tenant)}?date_from=2026-01-01&amp;date_to=2026-03-31&amp;category={pots}"
    assert link in page
    lines = client.get(link.replace("&amp;", "&")).content.decode()
    assert "L-0" in lines and "L-1" in lines


def test_exports_escape_formulas_in_csv_and_xlsx(tenant: Tenant, spend_world: dict[str, Any], make_member: Any) -> None:
    with tenant_scope(tenant):
        services.spend_lines_bulk(
            tenant=tenant, by=SYSTEM, lines=[row(supplier_name='=HYPERLINK("http://x")', supplier_erp_id="")]
        )
    client = _client(make_member, tenant, Role.FINANCE)
    # the lines themselves are exported as a job (tests/spend/test_line_export_jobs.py)
    vendors = client.get(_url("vendor_list", tenant) + "?show=all&format=csv")
    csv_text = b"".join(vendors.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    xlsx = client.get(_url("spend_pareto", tenant) + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = {c.value: c for c in sheet["A"]}
    guarded = cells['=HYPERLINK("http://x")']  # the text as written, a text cell with Excel's quote prefix
    assert guarded.data_type == "s" and guarded.quotePrefix


@pytest.mark.parametrize(
    "page",
    ["spend_cube", "spend_pareto", "spend_concentration", "spend_price_variance", "spend_maverick", "vendor_list"],
)
def test_every_analysis_exports(tenant: Tenant, spend_world: dict[str, Any], make_member: Any, page: str) -> None:
    _lines(tenant, 4)
    client = _client(make_member, tenant, Role.EXECUTIVE)
    csv_response = client.get(_url(page, tenant) + "?format=csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert len(b"".join(csv_response.streaming_content).splitlines()) >= 2
    xlsx = client.get(_url(page, tenant) + "?format=xlsx")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.max_row >= 2


def test_a_buyer_links_a_vendor_and_creates_a_supplier(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 2)
    client = _client(make_member, tenant, Role.BUYER)
    with tenant_scope(tenant):
        first, second = Vendor.objects.order_by("erp_id")
    response = client.post(_url("vendor_link", tenant, vendor_id=first.pk), {"supplier": spend_world["peakline"].pk})
    assert response.status_code == 302
    client.post(_url("vendor_create_supplier", tenant, vendor_id=second.pk))
    with tenant_scope(tenant):
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.supplier_id == spend_world["peakline"].pk and first.match_method == "manual"
        assert second.supplier.legal_name == "Vendor L1 Co., Ltd." and second.match_method == "created"
        assert AuditEvent.objects.filter(action="vendor.link").count() == 2


def test_a_vendor_cannot_be_linked_to_another_tenants_supplier(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    from suppliers.models import Supplier

    _lines(tenant, 1)
    with tenant_scope(other_tenant):
        theirs = Supplier.objects.create(tenant=other_tenant, legal_name="Globex Supplier")
    with tenant_scope(tenant):
        vendor = Vendor.objects.get()
    client = _client(make_member, tenant, Role.ADMIN)
    client.post(_url("vendor_link", tenant, vendor_id=vendor.pk), {"supplier": theirs.pk})
    with tenant_scope(tenant):
        vendor.refresh_from_db()
        assert vendor.supplier_id is None
        assert not AuditEvent.objects.filter(action="vendor.link").exists()


def test_merging_from_the_duplicates_page_and_undoing_it(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    lines = [
        row(invoice_number="a", supplier_name="Yiwu Sunrise Trading Co., Ltd.", supplier_erp_id="V-300"),
        row(invoice_number="b", supplier_name="YIWU SUNRISE TRADING COMPANY LIMITED", supplier_erp_id=""),
    ]
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
        keep, alias = Vendor.objects.order_by("-erp_id")
    client = _client(make_member, tenant, Role.CATEGORY_MANAGER)
    page = client.get(_url("vendor_duplicates", tenant)).content.decode()
    assert "Merge into the one to keep" in page
    client.post(_url("vendor_merge", tenant), {"target": keep.pk, "vendors": [keep.pk, alias.pk]})
    with tenant_scope(tenant):
        alias.refresh_from_db()
        assert alias.merged_into_id == keep.pk
    assert "No probable duplicates" in client.get(_url("vendor_duplicates", tenant)).content.decode()
    client.post(_url("vendor_unmerge", tenant, vendor_id=alias.pk))
    with tenant_scope(tenant):
        alias.refresh_from_db()
        assert alias.merged_into_id is None


def test_an_executive_cannot_merge(tenant: Tenant, spend_world: dict[str, Any], make_member: Any) -> None:
    _lines(tenant, 2)
    with tenant_scope(tenant):
        a, b = Vendor.objects.all()
    response = _client(make_member, tenant, Role.EXECUTIVE).post(
        _url("vendor_merge", tenant), {"target": a.pk, "vendors": [b.pk]}
    )
    assert response.status_code == 403
    with tenant_scope(tenant):
        assert not Vendor.objects.filter(merged_into__isnull=False).exists()


def test_the_lines_page_counts_pages_sorts_and_totals_every_filtered_line(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 30)  # amounts 1,000 … 3,900 USD
    client = _client(make_member, tenant, Role.BUYER)
    url = _url("spend_lines", tenant)
    seen: list[str] = []
    for number in (1, 2):
        response = client.get(url, {"sort": "-amount_base", "page_size": "25", "page": str(number)})
        body = response.content.decode()
        seen += re.findall(r">(L-\d+)<", body)
        assert "USD\u00a073,500.00" in body  # 30 lines: (10 + … + 39) × 100, the whole list on every page
        assert "30 rows" in body
    assert "1–25 of 30" in client.get(url, {"page_size": "25"}).content.decode()
    assert seen == [f"L-{i}" for i in range(29, -1, -1)]  # largest first, each line once
    ascending = client.get(url, {"sort": "amount_base", "page_size": "25"}).content.decode()
    assert re.findall(r">(L-\d+)<", ascending)[:2] == ["L-0", "L-1"]
    assert 'aria-sort="ascending"' in ascending
    filtered = client.get(url, {"cost_center": "CC-0"}).content.decode()  # i = 0, 3, …, 27
    assert f"USD\u00a0{sum((10 + i) * 100 for i in range(0, 30, 3)):,.2f}" in filtered and "10 rows" in filtered


def test_the_lines_page_totals_each_currency_and_the_base(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 2)  # 1,000 + 1,100 USD
    with tenant_scope(tenant):
        services.spend_lines_bulk(
            tenant=tenant,
            by=SYSTEM,
            lines=[row(invoice_number="E-1", currency="EUR", unit_price="5", quantity="100", amount="500")],
        )
    body = _client(make_member, tenant, Role.BUYER).get(_url("spend_lines", tenant)).content.decode()
    assert "Total in USD" in body and "USD\u00a02,100.00" in body
    assert "Total in EUR" in body and "EUR\u00a0500.00" in body


@pytest.mark.parametrize("query", [{"sort": "unit_price"}, {"sort": "-description"}, {"page_size": "10"}])
def test_the_lines_page_reports_a_bad_sort_or_page_size(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, query: dict[str, str]
) -> None:
    _lines(tenant, 1)
    response = _client(make_member, tenant, Role.BUYER).get(_url("spend_lines", tenant), query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be sorted by" in body or "is not a page size" in body
    assert ">L-0<" in body


def test_another_tenants_vendor_is_a_missing_vendor(
    tenant: Tenant, other_tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 1)
    with tenant_scope(tenant):
        vendor = Vendor.objects.get()
    client = _client(make_member, other_tenant, Role.ADMIN)
    theirs = client.post(_url("vendor_unmerge", other_tenant, vendor_id=vendor.pk))
    missing = client.post(_url("vendor_unmerge", other_tenant, vendor_id=uuid.uuid4()))
    assert theirs.status_code == missing.status_code == 404
    assert "Vendor L0" not in client.get(_url("vendor_list", other_tenant) + "?show=all").content.decode()


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        ("spend_overview", 24),
        ("spend_cube", 17),
        ("spend_pareto", 16),
        ("spend_concentration", 17),
        ("spend_price_variance", 16),  # the page of SKUs and their totals (which count them)
        ("spend_maverick", 16),
        ("spend_lines", 16),  # the rows and their totals (which count them)
        ("vendor_list", 18),
        ("vendor_duplicates", 15),
    ],
)
def test_analysis_page_query_counts_are_constant(
    tenant: Tenant,
    spend_world: dict[str, Any],
    make_member: Any,
    django_assert_num_queries: Any,
    page: str,
    queries: int,
) -> None:
    client = _client(make_member, tenant, Role.BUYER)
    _lines(tenant, 4, "A")
    client.get(_url(page, tenant))
    with django_assert_num_queries(queries):
        assert client.get(_url(page, tenant)).status_code == 200
    _lines(tenant, 8, "B")
    with django_assert_num_queries(queries):
        assert client.get(_url(page, tenant)).status_code == 200


@pytest.mark.parametrize(
    ("page", "lit"),
    [
        ("spend_cube", "Spend"),
        ("spend_overview", "Spend"),
        ("category_rule_list", "Spend set-up"),
        ("baseline_list", "Findings"),
        ("finding_list", "Findings"),
        ("category_kraljic", "Categories"),
    ],
)
def test_the_sidebar_lights_the_section_of_the_page(tenant: Tenant, make_member: Any, page: str, lit: str) -> None:
    response = _client(make_member, tenant, Role.ADMIN).get(_url(page, tenant))
    assert [item["label"] for item in response.context["nav"] if item["active"]] == [lit]


@pytest.mark.parametrize("dimension", ["category", "supplier", "period", "cost_center", "classification"])
def test_the_cube_by_the_same_dimension_twice(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, dimension: str
) -> None:
    _lines(tenant, 3)
    client = _client(make_member, tenant, Role.BUYER)
    response = client.get(_url("spend_cube", tenant) + f"?rows={dimension}&columns={dimension}")
    assert response.status_code == 200


def test_a_quality_engineer_sees_the_kraljic_matrix_without_spend(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    from sourcing.categories.models import Category

    _lines(tenant, 2)  # 2,100 USD in category 111
    with tenant_scope(tenant):
        Category.objects.filter(code="111").update(profit_impact=4, supply_risk=4)
    quality = _client(make_member, tenant, Role.QUALITY).get(_url("category_kraljic", tenant)).content.decode()
    buyer = _client(make_member, tenant, Role.BUYER).get(_url("category_kraljic", tenant)).content.decode()
    assert "2,100" in buyer
    assert "2,100" not in quality and "2100" not in quality and "Stainless steel pots" in quality


def test_a_merge_with_a_malformed_target_is_refused_politely(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 2)
    with tenant_scope(tenant):
        vendor = Vendor.objects.first()
    client = _client(make_member, tenant, Role.BUYER)
    for target in ("", "not-a-uuid"):
        response = client.post(_url("vendor_merge", tenant), {"target": target, "vendors": [vendor.pk, "x"]})
        assert response.status_code in {302, 404}


def test_amounts_keep_their_thousands_separators_in_chinese(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 2)  # 2,100 USD
    member = make_member(tenant, Role.BUYER)
    member.user.language = "zh-hans"
    member.user.save(update_fields=["language"])
    client = Client()
    client.force_login(member.user)
    page = client.get(_url("spend_cube", tenant)).content.decode()
    assert "2,100" in page and "支出立方体" in page


def test_the_vendor_list_sorts_pages_and_totals_every_vendor(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 8, "A")  # vendors A0 … A3, two lines each: (10 + i) × 100 for i in 0 … 7
    client = _client(make_member, tenant, Role.BUYER)
    url = _url("vendor_list", tenant)
    by_name = client.get(url, {"show": "all", "sort": "-name"}).content.decode()
    names = re.findall(r"Vendor (A\d) Co\., Ltd\.</td>", by_name)
    assert names == ["A3", "A2", "A1", "A0"]
    assert "10,800.00" in by_name and "4 vendors" in by_name and "1–4 of 4" in by_name
    largest = client.get(url, {"show": "all", "sort": "-spend", "page_size": "25"}).content.decode()
    assert re.findall(r"Vendor (A\d) Co\., Ltd\.</td>", largest) == ["A3", "A2", "A1", "A0"]  # 2,400 … 1,800
    smallest = client.get(url, {"show": "all", "sort": "spend"}).content.decode()
    assert re.findall(r"Vendor (A\d) Co\., Ltd\.</td>", smallest) == ["A0", "A1", "A2", "A3"]
    assert "cannot be sorted by" in client.get(url, {"sort": "supplier__iban"}).content.decode()


def test_price_variance_pages_sorts_and_totals_every_sku(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    # 30 SKUs, each bought 10 at 10.00 and 10 at (11 + i): saving (1 + i) × 10, spend 100 + (11 + i) × 10
    lines = []
    for i in range(30):
        for n, price in enumerate(("10", str(11 + i))):
            amount = str(int(price) * 10)
            sku = f"SKU-{i:02d}"
            lines.append(row(invoice_number=f"{sku}-{n}", item_sku=sku, quantity="10", unit_price=price, amount=amount))
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)
    client = _client(make_member, tenant, Role.BUYER)
    url = _url("spend_price_variance", tenant)
    saving, spend = sum((1 + i) * 10 for i in range(30)), sum(100 + (11 + i) * 10 for i in range(30))
    first = client.get(url, {"page_size": "25"}).content.decode()
    second = client.get(url, {"page_size": "25", "page": "2"}).content.decode()
    for body in (first, second):
        assert f"{saving:,.2f}" in body and f"{spend:,.2f}" in body and "30 SKUs" in body
    assert "1–25 of 30" in first and "26–30 of 30" in second
    seen = re.findall(r"<code>(SKU-\d+)</code>", first) + re.findall(r"<code>(SKU-\d+)</code>", second)
    assert seen == [f"SKU-{i:02d}" for i in range(29, -1, -1)]  # largest saving first, each once
    by_sku = client.get(url, {"sort": "sku", "page_size": "25"}).content.decode()
    assert re.findall(r"<code>(SKU-\d+)</code>", by_sku)[:3] == ["SKU-00", "SKU-01", "SKU-02"]


def test_a_skus_prices_end_with_every_supplier_together(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _lines(tenant, 4)  # POT-24 from four vendors: 100 pcs at 10, 11, 12 and 13
    body = (
        _client(make_member, tenant, Role.BUYER)
        .get(_url("spend_sku_prices", tenant), {"sku": "POT-24", "uom": "pcs"})
        .content.decode()
    )
    footer = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert re.findall(r'<td class="num">(?:<strong>)?([^<]+)<', footer) == [
        "4", "400", "4,600.00", "10.00", "11.50", "13.00"
    ]  # fmt: skip


def test_the_lines_tab_and_the_lines_column_read_differently_in_chinese(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    member = make_member(tenant, Role.CATEGORY_MANAGER)
    member.user.language = "zh-hans"
    member.user.save(update_fields=["language"])
    client = Client()
    client.force_login(member.user)
    page = client.get(_url("vendor_list", tenant), {"show": "all"}).content.decode()
    tab = re.search(rf'<a[^>]*href="{re.escape(_url("spend_lines", tenant))}"[^>]*>([^<]*)</a>', page)
    assert tab is not None and tab.group(1).strip() == "明细"  # the invoice lines, not a count
    with translation.override("zh-hans"):
        assert gettext("Lines") == "明细行数"  # a column that counts lines keeps its own word
