"""Price variance: the same item (SKU and unit) bought at different prices in the base currency, what paying
the lowest price would have saved, and the prices paid for one item. Callers are inside ``tenant_scope``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, QuerySet, Sum

from sourcing.spend.selectors.analysis import ZERO, SpendFilter, SupplierBook, SupplierRef, pct

_WIDE = DecimalField(max_digits=38, decimal_places=16)
_BASE_PRICE = ExpressionWrapper(
    F("unit_price") * F("fx_rate"), output_field=DecimalField(max_digits=30, decimal_places=16)
)


@dataclass
class PriceVariance:
    item_sku: str
    uom: str
    description: str
    lines: int
    suppliers: int
    quantity: Decimal
    spend: Decimal
    best_price: Decimal  # lowest unit price paid, in the base currency
    worst_price: Decimal
    saving: Decimal  # the spend, had every unit been bought at the best price paid

    @property
    def spread_pct(self) -> Decimal:
        return pct(self.worst_price - self.best_price, self.best_price)


def price_variance_query(spend_filter: SpendFilter) -> QuerySet[Any]:
    """The aggregate behind ``price_variance``: one row per SKU and unit bought at more than one price."""
    return (
        spend_filter.lines()
        .exclude(item_sku="")
        .filter(quantity__gt=0)
        .values("item_sku", "uom")
        .annotate(
            n=Count("id"),
            suppliers=Count("vendor_id", distinct=True),
            quantity_total=Sum("quantity"),
            spend=Sum("amount_base"),
            best=Min(_BASE_PRICE),
            worst=Max(_BASE_PRICE),
            description_sample=Max("description"),
        )
        .filter(worst__gt=F("best"))
        # spend less the cost of every unit at the best price paid: ordered and cut in the database
        .annotate(saving=ExpressionWrapper(F("spend") - F("best") * F("quantity_total"), output_field=_WIDE))
        .order_by("-saving", "item_sku")
    )


def price_variance(spend_filter: SpendFilter, *, limit: int | None = 200) -> list[PriceVariance]:
    """The same SKU bought at different unit prices, across suppliers or over time, largest saving first.
    Saving at the best price = spend - best unit price × quantity (all in the base currency)."""
    query = price_variance_query(spend_filter)
    return variance_rows(query[:limit] if limit else query)


def variance_rows(rows: Iterable[dict[str, Any]]) -> list[PriceVariance]:
    """``price_variance_query`` rows (all, or a page of them) as ``PriceVariance``."""
    result = []
    for r in rows:
        best = r["best"].quantize(Decimal("0.000001"))
        spend = r["spend"] or ZERO
        saving = max(ZERO, r["saving"]).quantize(Decimal("0.01"))
        result.append(
            PriceVariance(
                item_sku=r["item_sku"],
                uom=r["uom"],
                description=r["description_sample"] or "",
                lines=r["n"],
                suppliers=r["suppliers"],
                quantity=r["quantity_total"],
                spend=spend,
                best_price=best,
                worst_price=r["worst"].quantize(Decimal("0.000001")),
                saving=saving,
            )
        )
    return result


@dataclass(frozen=True)
class VarianceTotals:
    """Every SKU of the price variance (not one page): how many, their lines, spend and saving (base)."""

    skus: int
    lines: int
    spend: Decimal
    saving: Decimal


def price_variance_totals(spend_filter: SpendFilter) -> VarianceTotals:
    """The totals of ``price_variance_query``, in one aggregate query over it."""
    row = (
        price_variance_query(spend_filter)
        .order_by()
        .aggregate(skus=Count("item_sku"), lines=Sum("n"), spend_total=Sum("spend"), saving_total=Sum("saving"))
    )
    return VarianceTotals(
        skus=row["skus"] or 0,
        lines=row["lines"] or 0,
        spend=row["spend_total"] or ZERO,
        saving=max(ZERO, row["saving_total"] or ZERO).quantize(Decimal("0.01")),
    )


@dataclass
class SkuPrice:
    ref: SupplierRef
    lines: int
    quantity: Decimal
    spend: Decimal
    best: Decimal
    worst: Decimal

    @property
    def average(self) -> Decimal:
        return (self.spend / self.quantity).quantize(Decimal("0.000001")) if self.quantity else ZERO


def sku_prices(spend_filter: SpendFilter, *, item_sku: str, uom: str) -> list[SkuPrice]:
    """What each supplier charged for one SKU (base currency), cheapest average first."""
    book = SupplierBook.load()
    merged: dict[str, SkuPrice] = {}
    grouped = (
        spend_filter.lines(book)
        .filter(item_sku=item_sku, uom=uom, quantity__gt=0)
        .values("vendor_id")
        .annotate(n=Count("id"), q=Sum("quantity"), s=Sum("amount_base"), best=Min(_BASE_PRICE), worst=Max(_BASE_PRICE))
        .order_by()
    )
    for r in grouped:
        ref = book.ref(r["vendor_id"])
        if ref.key in merged:
            m = merged[ref.key]
            m.lines += r["n"]
            m.quantity += r["q"]
            m.spend += r["s"]
            m.best, m.worst = min(m.best, r["best"]), max(m.worst, r["worst"])
        else:
            merged[ref.key] = SkuPrice(ref, r["n"], r["q"], r["s"], r["best"], r["worst"])
    return sorted(merged.values(), key=lambda p: p.average)


def sku_price_totals(prices: list[SkuPrice]) -> SkuPrice | None:
    """Every supplier of one SKU together (``sku_prices``): lines, quantity and spend summed, the lowest and
    highest price paid, and the average price over all of them (spend / quantity). None when nothing was bought."""
    if not prices:
        return None
    return SkuPrice(
        ref=prices[0].ref,
        lines=sum(p.lines for p in prices),
        quantity=sum((p.quantity for p in prices), ZERO),
        spend=sum((p.spend for p in prices), ZERO),
        best=min(p.best for p in prices),
        worst=max(p.worst for p in prices),
    )
