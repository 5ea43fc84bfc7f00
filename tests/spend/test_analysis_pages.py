"""Spend analysis pages: who sees them, what they show, exports, the vendor actions, and query counts."""

from __future__ import annotations

import io
import uuid
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

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
    names = [c.value for c in sheet["A"]]
    assert '\'=HYPERLINK("http://x")' in names


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


def test_the_lines_page_pages_by_keyset(tenant: Tenant, spend_world: dict[str, Any], make_member: Any) -> None:
    from sourcing.spend.views import analysis as analysis_views

    _lines(tenant, 5)
    client = _client(make_member, tenant, Role.BUYER)
    original = analysis_views.LINES_PER_PAGE
    analysis_views.LINES_PER_PAGE = 2
    try:
        seen = []
        url = _url("spend_lines", tenant)
        for _page in range(3):
            response = client.get(url)
            seen += [n for n in ("L-0", "L-1", "L-2", "L-3", "L-4") if f">{n}<" in response.content.decode()]
            nxt = response.context["next_query"]
            if not nxt:
                break
            url = f"{_url('spend_lines', tenant)}?{nxt}"
    finally:
        analysis_views.LINES_PER_PAGE = original
    assert sorted(seen) == ["L-0", "L-1", "L-2", "L-3", "L-4"]


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
        ("spend_price_variance", 15),
        ("spend_maverick", 16),
        ("spend_lines", 15),
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
