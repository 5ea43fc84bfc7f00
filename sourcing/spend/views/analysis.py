"""Spend analysis pages: overview, cube, suppliers (Pareto), concentration, price variance, maverick spend,
and the lines behind any number. Each list can be exported as CSV or XLSX with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from sourcing.export_formats import Money, UnitPrice
from sourcing.export_job_views import export_job_start_response
from sourcing.exports import export_response
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.selectors import money_totals
from sourcing.spend.models import SpendClass
from sourcing.spend.selectors import analysis, maverick, variance
from sourcing.spend.selectors.analysis import DIMENSIONS, SpendFilter
from sourcing.web import TenantRequest, tenant_view

LINES_PER_PAGE = 50
# The price variance's sortable columns: one row per SKU and unit, which break ties.
VARIANCE_SORTS = {
    "sku": ("item_sku", "uom"),
    "suppliers": ("suppliers", "item_sku", "uom"),
    "quantity": ("quantity_total", "item_sku", "uom"),
    "spend": ("spend", "item_sku", "uom"),
    "saving": ("saving", "item_sku", "uom"),
}
# The lines' sortable columns. A line's id starts with its invoice day, so the date sorts by the primary key.
LINE_SORTS = {
    "invoice_date": ("id",),
    "invoice_number": ("invoice_number",),
    "vendor": ("vendor__name",),
    "quantity": ("quantity",),
    "amount_base": ("amount_base",),
}
SPEND_TABS = [
    ("spend_overview", gettext_lazy("Overview")),
    ("spend_cube", gettext_lazy("Cube")),
    ("spend_pareto", gettext_lazy("Suppliers")),
    ("spend_concentration", gettext_lazy("Concentration")),
    ("spend_price_variance", gettext_lazy("Price variance")),
    ("spend_maverick", gettext_lazy("Maverick")),
    ("spend_lines", pgettext_lazy("spend tab", "Lines")),
    ("vendor_list", gettext_lazy("Vendors")),
    ("vendor_duplicates", gettext_lazy("Duplicates")),
    ("spend_import_list", gettext_lazy("Imports")),
]


def spend_context(request: TenantRequest, spend_filter: SpendFilter, **extra: Any) -> dict[str, Any]:
    from sourcing.categories.selectors.categories import category_list

    return {
        "f": spend_filter,
        "currency": request.tenant.base_currency,
        "category_choices": [(str(node.category.pk), node.category, node.depth) for node in category_list()],
        "classification_choices": SpendClass.choices,
        "supplier_name": analysis.SupplierBook.load().name_of(spend_filter.supplier) if spend_filter.supplier else "",
        "can_write": Scope.SPEND_WRITE in request.membership.scopes,
        "export_query": urlencode(spend_filter.as_query()),
        "spend_tabs": SPEND_TABS,
        **extra,
    }


def export_format(request: TenantRequest) -> str:
    value = request.GET.get("format", "")
    return value if value in {"csv", "xlsx"} else ""


def lines_url(request: TenantRequest, spend_filter: SpendFilter, **override: Any) -> str:
    query = urlencode(spend_filter.as_query(**override))
    return f"{reverse('spend_lines', kwargs={'tenant_slug': request.tenant.slug})}?{query}"


@tenant_view(Scope.SPEND_READ)
def spend_overview(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    summary = analysis.overview(spend_filter)
    pareto = analysis.supplier_pareto(spend_filter)
    cube = analysis.spend_cube(spend_filter, rows="category", columns="classification")
    top_categories = sorted((r for r in cube.rows if r.depth == 0), key=lambda r: -cube.row_totals.get(r.key, 0))[:8]
    context = spend_context(
        request,
        spend_filter,
        summary=summary,
        top_suppliers=pareto.rows[:8],
        suppliers_for_80=pareto.suppliers_for_80,
        supplier_count=len(pareto.rows),
        top_categories=[(r, cube.row_totals.get(r.key, 0)) for r in top_categories],
        top_category_max=max((cube.row_totals.get(r.key, 0) for r in top_categories), default=0),
    )
    return render(request, "spend/overview.html", context)


@tenant_view(Scope.SPEND_READ)
def spend_cube(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    rows, columns, period = analysis.cube_axes(request.GET)
    cube = analysis.spend_cube(
        spend_filter, rows=rows, columns=columns, period=period, limit=0 if export_format(request) else 50
    )
    if export_format(request):
        base = request.tenant.base_currency
        header = [str(DIMENSIONS[rows]), *(c.label for c in cube.columns), _("Total"), _("Currency")]
        body = (
            [("  " * r.depth) + r.label, *(Money(c, base) for c in cells), Money(total, base), base]
            for r, cells, total in cube.table()
        )
        return export_response(export_format(request), "spend-cube", header, body)
    table = [
        (
            r,
            [
                (amount, lines_url(request, spend_filter, **{**r.filter, **c.filter}))
                for c, amount in zip(cube.columns, cells, strict=True)
            ],
            total,
            lines_url(request, spend_filter, **r.filter),
        )
        for r, cells, total in cube.table()
    ]
    top = max((amount for _r, cells, _t, _u in table for amount, _url in cells), default=0)
    context = spend_context(
        request,
        spend_filter,
        cube=cube,
        table=table,
        top=top,
        rows=rows,
        columns=columns,
        period=period,
        dimensions=list(DIMENSIONS.items()),
        periods=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
        cube_keep=[("rows", rows), ("columns", columns), ("period", period)],
    )
    return render(request, "spend/cube.html", context)


@tenant_view(Scope.SPEND_READ)
def spend_pareto(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    pareto = analysis.supplier_pareto(spend_filter)
    if export_format(request):
        base = request.tenant.base_currency
        header = [_("Supplier"), _("Linked to a supplier"), _("Spend"), _("Currency"), _("Share %"), _("Cumulative %")]
        body = ([r.ref.name, r.ref.matched, Money(r.amount, base), base, r.share, r.cumulative] for r in pareto.rows)
        return export_response(export_format(request), "suppliers-pareto", header, body)
    rows = [(r, lines_url(request, spend_filter, supplier=r.ref.key)) for r in pareto.rows[:200]]
    return render(request, "spend/pareto.html", spend_context(request, spend_filter, pareto=pareto, rows=rows))


@tenant_view(Scope.SPEND_READ)
def spend_concentration(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    rows = analysis.category_concentration(spend_filter)
    if export_format(request):
        base = request.tenant.base_currency
        header = [
            _("Category"),
            _("Spend"),
            _("Currency"),
            _("Suppliers"),
            _("Top supplier"),
            _("Top share %"),
            _("HHI"),
            _("Single source"),
        ]
        body = (
            [
                ("  " * r.header.depth) + r.header.label,
                Money(r.total, base),
                base,
                r.suppliers,
                r.top.name if r.top else "",
                r.top_share,
                r.hhi,
                r.single_source,
            ]
            for r in rows
        )
        return export_response(export_format(request), "concentration", header, body)
    table = [(r, lines_url(request, spend_filter, **r.header.filter)) for r in rows]
    return render(request, "spend/concentration.html", spend_context(request, spend_filter, rows=table))


@tenant_view(Scope.SPEND_READ)
def spend_price_variance(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    if export_format(request):
        rows = variance.price_variance(spend_filter, limit=None)
        base = request.tenant.base_currency
        header = [_("SKU"), _("Unit"), _("Description"), _("Lines"), _("Suppliers"), _("Quantity"), _("Spend"),
                  _("Best price"), _("Highest price"), _("Spread %"), _("Saving at the best price"),
                  _("Currency")]  # fmt: skip
        body = (
            [
                r.item_sku,
                r.uom,
                r.description,
                r.lines,
                r.suppliers,
                r.quantity,
                Money(r.spend, base),
                UnitPrice(r.best_price),
                UnitPrice(r.worst_price),
                r.spread_pct,
                Money(r.saving, base),
                base,
            ]
            for r in rows
        )
        return export_response(export_format(request), "price-variance", header, body)
    sort = sorting(request, VARIANCE_SORTS, default="-saving", tie_breaker="uom")
    totals = variance.price_variance_totals(spend_filter)  # counts the SKUs too: no count query
    page = list_page(request, sort.apply(variance.price_variance_query(spend_filter)), count=totals.skus)
    context = spend_context(
        request,
        spend_filter,
        rows=variance.variance_rows(page.object_list),
        page=page,
        sort=sort,
        totals=totals,
        saving=totals.saving,
    )
    return render(request, "spend/price_variance.html", context)


@tenant_view(Scope.SPEND_READ)
def spend_sku_prices(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    sku, uom = request.GET.get("sku", "")[:100], request.GET.get("uom", "")[:20]
    prices = variance.sku_prices(spend_filter, item_sku=sku, uom=uom)
    rows = [(p, lines_url(request, spend_filter, supplier=p.ref.key) + "&" + urlencode({"sku": sku})) for p in prices]
    totals = variance.sku_price_totals(prices)  # every supplier of the SKU is on the page: no query
    context = spend_context(request, spend_filter, sku=sku, uom=uom, rows=rows, totals=totals)
    return render(request, "spend/sku_prices.html", context)


@tenant_view(Scope.SPEND_READ)
def spend_maverick(request: TenantRequest) -> HttpResponseBase:
    spend_filter = SpendFilter.from_query(request.GET)
    by = "cost_center" if request.GET.get("by") == "cost_center" else "category"
    rows, overall = maverick.maverick_spend(spend_filter, by=by)
    if export_format(request):
        base = request.tenant.base_currency
        header = [_("Category") if by == "category" else _("Cost center"), _("Spend"), _("Without PO"),
                  _("Supplier not approved"), _("Maverick"), _("Maverick %"), _("Currency")]  # fmt: skip
        body = (
            [("  " * r.header.depth) + r.header.label, *(Money(v, base) for v in (r.total, r.no_po, r.unapproved,
             r.maverick)), r.share, base]
            for r in rows
        )  # fmt: skip
        return export_response(export_format(request), f"maverick-by-{by}", header, body)
    table = [(r, lines_url(request, spend_filter, **r.header.filter)) for r in rows]
    context = spend_context(request, spend_filter, rows=table, overall=overall, by=by, maverick_keep=[("by", by)])
    return render(request, "spend/maverick.html", context)


@tenant_view(Scope.SPEND_READ)
@require_POST
def spend_lines_export(request: TenantRequest) -> HttpResponseBase:
    """The lines as filtered, exported as a job: the job's page follows it and offers the file."""
    return export_job_start_response(request, kind="spend.lines")


@tenant_view(Scope.SPEND_READ)
def spend_lines(request: TenantRequest) -> HttpResponseBase:
    """The lines behind any number: filtered like the analyses, newest invoice first, a page at a time. Their
    export runs as a job (``spend.lines``, sourcing/spend/selectors/exports.py), however many there are."""
    spend_filter = SpendFilter.from_query(request.GET)
    lines = spend_filter.lines().select_related("vendor", "vendor__supplier", "category").order_by("-id")
    sku = request.GET.get("sku", "")[:100]
    if sku:
        lines = lines.filter(item_sku=sku)
    sort = sorting(request, LINE_SORTS, default="-invoice_date")
    totals = money_totals(lines, sums=["amount", "amount_base"])  # counts the lines too: no count query
    page = list_page(request, sort.apply(lines), default_size=LINES_PER_PAGE, count=sum(t.count for t in totals))
    context = spend_context(
        request,
        spend_filter,
        lines=list(page.object_list),
        page=page,
        sort=sort,
        sku=sku,
        list_totals=totals,
        base_total=sum((t.sums["amount_base"] for t in totals), analysis.ZERO),
    )
    return render(request, "spend/lines.html", context)
