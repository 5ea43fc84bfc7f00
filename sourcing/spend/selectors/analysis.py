"""Spend analysis: the reads behind the spend pages, their exports and the API.

Each analysis is one aggregate query over the spend lines (grouped by the raw columns: category, vendor,
period...) followed by cheap work on its few result rows in Python: vendors are folded into suppliers, and
categories are rolled up the tree. Everything is in the tenant's base currency.

Suppliers: a vendor linked to a supplier counts as that supplier; a vendor merged into another counts as the
vendor it was merged into (and that vendor's supplier); an unlinked vendor counts as itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sourcing.categories import tree
from sourcing.categories.models import Category
from sourcing.ids import as_uuid
from sourcing.spend.models import SpendClass, SpendLine, Vendor
from suppliers.names import display_name

ZERO = Decimal(0)
HUNDRED = Decimal(100)
UNCATEGORISED = "uncategorised"

PERIODS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
DIMENSIONS = {
    "category": gettext_lazy("Category"),
    "supplier": gettext_lazy("Supplier"),
    "period": gettext_lazy("Period"),
    "cost_center": gettext_lazy("Cost center"),
    "classification": gettext_lazy("Classification"),
}


# --- filters -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendFilter:
    """What every analysis can be narrowed to. Unknown or foreign ids simply match nothing."""

    date_from: date | None = None
    date_to: date | None = None
    category: str = ""  # a category id (its subtree), or "uncategorised"
    supplier: str = ""  # a supplier key (see SupplierBook)
    cost_center: str = ""
    classification: str = ""

    @classmethod
    def from_query(cls, query: Any) -> SpendFilter:
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(str(query.get(name) or ""))
            except ValueError:
                return None

        classification = str(query.get("classification") or "")
        return cls(
            date_from=day("date_from"),
            date_to=day("date_to"),
            category=str(query.get("category") or "")[:40],
            supplier=str(query.get("supplier") or "")[:40],
            cost_center=str(query.get("cost_center") or "")[:100],
            classification=classification if classification in SpendClass.values else "",
        )

    def as_query(self, **override: Any) -> dict[str, str]:
        """The filter as query parameters (for links to drill down from a cell)."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "category": self.category,
            "supplier": self.supplier,
            "cost_center": self.cost_center,
            "classification": self.classification,
        }
        values.update({k: str(v) for k, v in override.items()})
        return {k: v for k, v in values.items() if v}

    def lines(self, book: SupplierBook | None = None) -> QuerySet[SpendLine]:
        lines = SpendLine.objects.all()
        if self.date_from:
            lines = lines.filter(invoice_date__gte=self.date_from)
        if self.date_to:
            lines = lines.filter(invoice_date__lte=self.date_to)
        if self.category == UNCATEGORISED:
            lines = lines.filter(category__isnull=True)
        elif self.category:
            pk = as_uuid(self.category)
            parents = category_parents()
            lines = (
                lines.filter(category_id__in=tree.subtree(pk, tree.children_of(parents)))
                if pk in parents
                else lines.none()
            )
        if self.supplier:
            book = book or SupplierBook.load()
            lines = lines.filter(vendor_id__in=book.vendors_of(self.supplier))
        if self.cost_center:
            lines = lines.filter(cost_center=self.cost_center)
        if self.classification:
            lines = lines.filter(classification=self.classification)
        return lines


def category_parents() -> dict[Any, Any]:
    return dict(Category.objects.order_by().values_list("id", "parent_id"))


# --- suppliers ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRef:
    key: str  # the supplier's id, or the vendor's for a vendor linked to no supplier
    name: str
    supplier_id: Any = None

    @property
    def matched(self) -> bool:
        return self.supplier_id is not None


class SupplierBook:
    """Every vendor, and the supplier it counts as (one query)."""

    def __init__(self, by_vendor: dict[Any, SupplierRef]) -> None:
        self.by_vendor = by_vendor
        self._vendors: dict[str, list[Any]] = defaultdict(list)
        for vendor_id, ref in by_vendor.items():
            self._vendors[ref.key].append(vendor_id)

    @classmethod
    def load(cls) -> SupplierBook:
        rows = {
            v["id"]: v
            for v in Vendor.objects.values(
                "id", "name", "merged_into_id", "supplier_id", "supplier__legal_name", "supplier__local_name"
            )
        }
        # A merged group counts as the supplier of the record kept, or, if that one is linked to none, of the
        # first linked record merged into it: a merge never turns a linked supplier's spend into unlinked spend.
        linked_member: dict[Any, dict[str, Any]] = {}
        for row in sorted(rows.values(), key=lambda r: str(r["id"])):
            if row["merged_into_id"] and row["supplier_id"]:
                linked_member.setdefault(row["merged_into_id"], row)
        by_vendor: dict[Any, SupplierRef] = {}
        for vendor_id, row in rows.items():
            canonical = rows.get(row["merged_into_id"], row) if row["merged_into_id"] else row
            linked = canonical if canonical["supplier_id"] else linked_member.get(canonical["id"])
            if linked is not None:
                name = display_name(linked["supplier__legal_name"], linked["supplier__local_name"])
                ref = SupplierRef(str(linked["supplier_id"]), name, linked["supplier_id"])
            else:
                ref = SupplierRef(str(canonical["id"]), canonical["name"])
            by_vendor[vendor_id] = ref
        return cls(by_vendor)

    def ref(self, vendor_id: Any) -> SupplierRef:
        return self.by_vendor.get(vendor_id) or SupplierRef(str(vendor_id), _("(unknown vendor)"))

    def vendors_of(self, key: str) -> list[Any]:
        return self._vendors.get(key, [])

    def name_of(self, key: str) -> str:
        vendors = self._vendors.get(key)
        return self.by_vendor[vendors[0]].name if vendors else key


# --- the spend cube -----------------------------------------------------------------------------------------


@dataclass
class Header:
    key: str
    label: str
    depth: int = 0
    filter: dict[str, str] = field(default_factory=dict)  # the SpendFilter override this header stands for


@dataclass
class Cube:
    rows: list[Header]
    columns: list[Header]
    cells: dict[tuple[str, str], Decimal]
    row_totals: dict[str, Decimal]
    column_totals: dict[str, Decimal]
    total: Decimal
    lines: int
    currency: str = ""

    def cell(self, row: str, column: str) -> Decimal:
        return self.cells.get((row, column), ZERO)

    def table(self) -> list[tuple[Header, list[Decimal], Decimal]]:
        return [
            (r, [self.cell(r.key, c.key) for c in self.columns], self.row_totals.get(r.key, ZERO)) for r in self.rows
        ]


def cube_axes(query: Any) -> tuple[str, str, str]:
    """(rows, columns, period) asked for in a query string; anything unknown falls back to the defaults."""

    def pick(name: str, allowed: Any, default: str) -> str:
        value = str(query.get(name) or "")
        return value if value in allowed else default

    return (
        pick("rows", DIMENSIONS, "category"),
        pick("columns", DIMENSIONS, "period"),
        pick("period", PERIODS, "quarter"),
    )


def _raw_dimension(name: str, period: str) -> tuple[str, Any]:
    if name == "category":
        return "category_id", None
    if name == "supplier":
        return "vendor_id", None
    if name == "period":
        return "period", PERIODS.get(period, TruncQuarter)("invoice_date")
    if name == "cost_center":
        return "cost_center", None
    return "classification", None


def _period_label(value: date, period: str) -> str:
    if period == "month":
        return value.strftime("%Y-%m")
    if period == "year":
        return str(value.year)
    return f"{value.year}-Q{(value.month - 1) // 3 + 1}"


def _period_filter(value: date, period: str) -> dict[str, str]:
    if period == "month":
        end = date(value.year + (value.month == 12), value.month % 12 + 1, 1)
    elif period == "year":
        end = date(value.year + 1, 1, 1)
    else:
        month = value.month + 3
        end = date(value.year + (month > 12), (month - 1) % 12 + 1, 1)
    return {"date_from": value.isoformat(), "date_to": date.fromordinal(end.toordinal() - 1).isoformat()}


class Folder:
    """Turns a raw group value of one dimension into the header(s) it counts towards."""

    def __init__(self, name: str, period: str, book: SupplierBook) -> None:
        self.name = name
        self.period = period
        self.book = book
        self.headers: dict[str, Header] = {}
        if name == "category":
            categories = {c["id"]: c for c in Category.objects.order_by().values("id", "code", "name", "parent_id")}
            self.parents = {pk: c["parent_id"] for pk, c in categories.items()}
            for pk, depth in tree.ordered(self.parents, lambda k: categories[k]["code"]):
                c = categories[pk]
                key = str(pk)
                self.headers[key] = Header(key, f"{c['code']} {c['name']}", depth, {"category": key})
            self.headers[UNCATEGORISED] = Header(UNCATEGORISED, _("Uncategorised"), 0, {"category": UNCATEGORISED})

    def keys(self, raw: Any) -> list[str]:
        if self.name == "category":
            if raw is None:
                return [UNCATEGORISED]
            return [str(raw), *(str(a) for a in tree.ancestors(raw, self.parents))]
        if self.name == "supplier":
            ref = self.book.ref(raw)
            if ref.key not in self.headers:
                self.headers[ref.key] = Header(ref.key, ref.name, 0, {"supplier": ref.key})
            return [ref.key]
        if self.name == "period":
            day = raw.date() if hasattr(raw, "date") else raw
            key = day.isoformat()
            if key not in self.headers:
                self.headers[key] = Header(key, _period_label(day, self.period), 0, _period_filter(day, self.period))
            return [key]
        key = str(raw or "")
        if key not in self.headers:
            label = key or _("(none)")
            if self.name == "classification":
                label = str(SpendClass(key).label) if key in SpendClass.values else label
            override = {self.name: key} if key else {}
            self.headers[key] = Header(key, label, 0, override)
        return [key]

    def ordered(self, totals: dict[str, Decimal], limit: int | None) -> list[Header]:
        if self.name == "category":
            return [h for h in self.headers.values() if totals.get(h.key)]
        if self.name == "period":
            return sorted((h for h in self.headers.values() if h.key in totals), key=lambda h: h.key)
        ranked = sorted((h for h in self.headers.values() if h.key in totals), key=lambda h: -totals[h.key])
        return ranked[:limit] if limit else ranked


def spend_cube(
    spend_filter: SpendFilter,
    *,
    rows: str = "category",
    columns: str = "period",
    period: str = "quarter",
    limit: int = 50,
) -> Cube:
    """Spend by two dimensions (category rolled up the tree, supplier, period, cost center, classification).
    A row or column total is the spend it covers, so a category's total includes its subcategories."""
    book = SupplierBook.load()
    row_field, row_expr = _raw_dimension(rows, period)
    col_field, col_expr = _raw_dimension(columns, period)
    lines = spend_filter.lines(book)
    annotations = {name: expr for name, expr in ((row_field, row_expr), (col_field, col_expr)) if expr is not None}
    if annotations:
        lines = lines.annotate(**annotations)
    fields = [row_field] if row_field == col_field else [row_field, col_field]
    grouped = lines.values(*fields).annotate(total=Sum("amount_base"), n=Count("id")).order_by()
    row_folder = Folder(rows, period, book)
    col_folder = row_folder if columns == rows else Folder(columns, period, book)
    cells: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    row_totals: dict[str, Decimal] = defaultdict(Decimal)
    col_totals: dict[str, Decimal] = defaultdict(Decimal)
    total = ZERO
    count = 0
    for group in grouped:
        amount = group["total"] or ZERO
        total += amount
        count += group["n"]
        row_keys = row_folder.keys(group[row_field])
        col_keys = col_folder.keys(group[col_field])
        for r in row_keys:
            row_totals[r] += amount
            for c in col_keys:
                cells[(r, c)] += amount
        for c in col_keys:
            col_totals[c] += amount
    return Cube(
        rows=row_folder.ordered(row_totals, limit),
        columns=col_folder.ordered(col_totals, 12),
        cells=dict(cells),
        row_totals=dict(row_totals),
        column_totals=dict(col_totals),
        total=total,
        lines=count,
    )


# --- suppliers: Pareto, fragmentation and concentration ----------------------------------------------------------


@dataclass
class ParetoRow:
    ref: SupplierRef
    amount: Decimal
    share: Decimal  # % of the total
    cumulative: Decimal  # % of the total, this supplier and every larger one


@dataclass
class Pareto:
    rows: list[ParetoRow]
    total: Decimal
    suppliers_for_80: int


def supplier_pareto(spend_filter: SpendFilter) -> Pareto:
    """Suppliers from the largest spend down, with their cumulative share: how few carry most of the spend."""
    book = SupplierBook.load()
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    refs: dict[str, SupplierRef] = {}
    for row in spend_filter.lines(book).values("vendor_id").annotate(total=Sum("amount_base")).order_by():
        ref = book.ref(row["vendor_id"])
        refs[ref.key] = ref
        amounts[ref.key] += row["total"] or ZERO
    total = sum(amounts.values(), ZERO)
    rows: list[ParetoRow] = []
    running = ZERO
    for key in sorted(amounts, key=lambda k: (-amounts[k], refs[k].name)):
        running += amounts[key]
        rows.append(ParetoRow(refs[key], amounts[key], pct(amounts[key], total), pct(running, total)))
    for_80 = next((i + 1 for i, r in enumerate(rows) if r.cumulative >= 80), len(rows))
    return Pareto(rows, total, for_80)


def pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(Decimal("0.1")) if whole else ZERO


@dataclass
class CategoryConcentration:
    header: Header
    total: Decimal
    suppliers: int
    top: SupplierRef | None
    top_share: Decimal  # %
    hhi: int  # Herfindahl-Hirschman index, 0-10,000
    shares: list[tuple[SupplierRef, Decimal, Decimal]]  # (supplier, amount, %), largest first

    @property
    def single_source(self) -> bool:
        return self.suppliers == 1

    @property
    def level(self) -> str:
        """The U.S. merger guidelines' bands (2023): below 1,000 unconcentrated, above 1,800 highly."""
        if self.hhi > 1800:
            return "high"
        return "moderate" if self.hhi >= 1000 else "low"


def hhi(amounts: Iterable[Decimal]) -> int:
    """Herfindahl-Hirschman index: the sum of squared market shares in percent (10,000 = one supplier)."""
    values = [a for a in amounts if a > 0]
    total = sum(values, ZERO)
    if not total:
        return 0
    return int(sum(((a * HUNDRED / total) ** 2 for a in values), ZERO).to_integral_value())


def category_concentration(spend_filter: SpendFilter) -> list[CategoryConcentration]:
    """Per category (its subtree included): spend, how many suppliers share it (fragmentation), the top
    supplier's share, and the HHI. Categories without spend are left out."""
    book = SupplierBook.load()
    folder = Folder("category", "quarter", book)
    per_category: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    refs: dict[str, SupplierRef] = {}
    grouped = spend_filter.lines(book).values("category_id", "vendor_id").annotate(total=Sum("amount_base")).order_by()
    for row in grouped:
        ref = book.ref(row["vendor_id"])
        refs[ref.key] = ref
        for key in folder.keys(row["category_id"]):
            per_category[key][ref.key] += row["total"] or ZERO
    result = []
    for header in folder.headers.values():
        amounts = per_category.get(header.key)
        if not amounts:
            continue
        total = sum(amounts.values(), ZERO)
        ranked = sorted(amounts.items(), key=lambda kv: -kv[1])
        shares = [(refs[k], a, pct(a, total)) for k, a in ranked]
        top_key, top_amount = ranked[0]
        result.append(
            CategoryConcentration(
                header=header,
                total=total,
                suppliers=len(amounts),
                top=refs[top_key],
                top_share=pct(top_amount, total),
                hhi=hhi(amounts.values()),
                shares=shares,
            )
        )
    return result


# --- overview ---------------------------------------------------------------------------------------------------


@dataclass
class Overview:
    total: Decimal
    lines: int
    suppliers: int
    unmatched_vendors: int
    by_class: list[tuple[str, str, Decimal, Decimal]]  # (class, label, amount, %)
    first_day: date | None
    last_day: date | None


def overview(spend_filter: SpendFilter) -> Overview:
    lines = spend_filter.lines()
    totals = lines.aggregate(
        total=Sum("amount_base"), n=Count("id"), first=Min("invoice_date"), last=Max("invoice_date")
    )
    total = totals["total"] or ZERO
    by_class = dict(lines.values_list("classification").annotate(s=Sum("amount_base")).order_by())
    book = SupplierBook.load()
    vendor_ids = lines.values_list("vendor_id", flat=True).distinct().order_by()
    suppliers = {book.ref(v).key for v in vendor_ids}
    return Overview(
        total=total,
        lines=totals["n"],
        suppliers=len(suppliers),
        unmatched_vendors=Vendor.objects.filter(supplier__isnull=True, merged_into__isnull=True).count(),
        by_class=[
            (c.value, str(c.label), by_class.get(c.value) or ZERO, pct(by_class.get(c.value) or ZERO, total))
            for c in SpendClass
        ],
        first_day=totals["first"],
        last_day=totals["last"],
    )
