"""The canonical spend columns: what a spend file must (or may) carry, whatever its own headers are called.
A column mapping names, for each canonical column, the header that holds it in another layout."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CANONICAL_COLUMNS: tuple[str, ...] = (
    "invoice_date",
    "invoice_number",
    "supplier_name",
    "supplier_erp_id",
    "category_code",
    "item_sku",
    "description",
    "quantity",
    "uom",
    "unit_price",
    "currency",
    "amount",
    "po_number",
    "cost_center",
)

OPTIONAL_COLUMNS: frozenset[str] = frozenset(
    {"po_number", "cost_center", "supplier_erp_id", "category_code", "item_sku", "description", "uom"}
)

REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in CANONICAL_COLUMNS if c not in OPTIONAL_COLUMNS)

COLUMN_LABELS = {
    "invoice_date": _("Invoice date"),
    "invoice_number": _("Invoice number"),
    "supplier_name": _("Supplier name"),
    "supplier_erp_id": _("Supplier ERP id"),
    "category_code": _("Category code"),
    "item_sku": _("SKU"),
    "description": _("Description"),
    "quantity": _("Quantity"),
    "uom": _("Unit of measure"),
    "unit_price": _("Unit price"),
    "currency": _("Currency"),
    "amount": _("Amount"),
    "po_number": _("PO number"),
    "cost_center": _("Cost center"),
}
