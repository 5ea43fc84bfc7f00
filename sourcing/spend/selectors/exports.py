"""What spend offers as export jobs (``SpendConfig.export_kinds``): the lines behind any number, filtered as
the lines page filters them, read in chunks so memory stays flat however many lines there are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sourcing.export_formats import ExportKind, Money, UnitPrice
from sourcing.roles import Scope
from sourcing.spend.models import SpendClass, SpendLine
from sourcing.spend.selectors.analysis import SpendFilter
from sourcing.tenancy import current_tenant
from suppliers.names import display_name

CHUNK = 2000


def spend_line_queryset(filters: dict[str, str]) -> QuerySet[SpendLine]:
    """The lines page's lines: the analysis filter, and a SKU when one is given."""
    lines = SpendFilter.from_query(filters).lines()
    sku = str(filters.get("sku", ""))[:100]
    return lines.filter(item_sku=sku) if sku else lines


def spend_line_header() -> list[str]:
    return [
        _("Invoice date"), _("Invoice number"), _("Vendor"), _("Supplier"), _("Category"), _("SKU"),
        _("Description"), _("Quantity"), _("Unit"), _("Unit price"), _("Currency"), _("Amount"),
        _("Amount (%(c)s)") % {"c": current_tenant().base_currency}, _("PO number"), _("Cost center"),
        _("Classification"),
    ]  # fmt: skip


ROW_FIELDS = (
    "invoice_date", "invoice_number", "vendor__name", "vendor__supplier__legal_name", "vendor__supplier__local_name",
    "category__code", "item_sku",
    "description", "quantity", "uom", "unit_price", "currency", "amount", "amount_base", "po_number",
    "cost_center", "classification",
)  # fmt: skip


def spend_line_rows(filters: dict[str, str]) -> Iterator[list[Any]]:
    """Plain values rather than model instances: a row costs a tuple, not three objects."""
    base = current_tenant().base_currency
    classes = {value: str(label) for value, label in SpendClass.choices}
    lines = spend_line_queryset(filters).order_by("-id").values_list(*ROW_FIELDS)
    rows = lines.iterator(chunk_size=CHUNK)
    for (day, number, vendor, supplier, supplier_local, category, sku, description, quantity, uom, unit_price,
         currency, amount, amount_base, po, cost_center, classification) in rows:  # fmt: skip
        yield [
            day, number, vendor, display_name(supplier or "", supplier_local or ""), category or "", sku, description,
            quantity, uom,
            UnitPrice(unit_price), currency, Money(amount, currency), Money(amount_base, base), po, cost_center,
            classes.get(classification, classification),
        ]  # fmt: skip


SPEND_LINES = ExportKind(
    name="spend.lines",
    label=gettext_lazy("Spend lines"),
    scope=Scope.SPEND_READ,
    header=spend_line_header,
    count=lambda filters: spend_line_queryset(filters).count(),
    rows=spend_line_rows,
    basename="spend-lines",
)
