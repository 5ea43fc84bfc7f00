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
from sourcing.spend.models import SpendLine
from sourcing.spend.selectors.analysis import SpendFilter
from sourcing.tenancy import current_tenant

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


def spend_line_rows(filters: dict[str, str]) -> Iterator[list[Any]]:
    base = current_tenant().base_currency
    lines = spend_line_queryset(filters).select_related("vendor", "vendor__supplier", "category").order_by("-id")
    for line in lines.iterator(chunk_size=CHUNK):
        yield [
            line.invoice_date, line.invoice_number, line.vendor.name,
            line.vendor.supplier.display_name if line.vendor.supplier else "",
            line.category.code if line.category else "", line.item_sku, line.description, line.quantity,
            line.uom, UnitPrice(line.unit_price), line.currency, Money(line.amount, line.currency),
            Money(line.amount_base, base), line.po_number, line.cost_center, line.get_classification_display(),
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
