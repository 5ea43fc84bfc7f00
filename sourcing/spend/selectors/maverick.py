"""Maverick spend: what was bought without a purchase order or from a supplier that is not approved, by
category (rolled up the tree) or cost center. Callers are inside ``tenant_scope``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from sourcing.spend.selectors.analysis import ZERO, Folder, Header, SpendFilter, SupplierBook, pct


@dataclass
class MaverickRow:
    header: Header
    total: Decimal
    no_po: Decimal
    unapproved: Decimal
    maverick: Decimal  # either (counted once)

    @property
    def share(self) -> Decimal:
        return pct(self.maverick, self.total)


def _unapproved_q() -> Q:
    # Until suppliers carry an approval status, "not approved" means linked to no supplier at all.
    return Q(vendor__supplier__isnull=True) & (
        Q(vendor__merged_into__isnull=True) | Q(vendor__merged_into__supplier__isnull=True)
    )


def maverick_spend(spend_filter: SpendFilter, *, by: str = "category") -> tuple[list[MaverickRow], MaverickRow]:
    """Spend with no PO, or with a supplier that is not approved, by category (rolled up) or cost center;
    and the overall row."""
    no_po = Q(po_number="")
    unapproved = _unapproved_q()
    field_name = "category_id" if by == "category" else "cost_center"
    grouped = (
        spend_filter.lines()
        .values(field_name)
        .annotate(
            total=Sum("amount_base"),
            no_po=Sum("amount_base", filter=no_po),
            unapproved=Sum("amount_base", filter=unapproved),
            maverick=Sum("amount_base", filter=no_po | unapproved),
        )
        .order_by()
    )
    folder = Folder("category" if by == "category" else "cost_center", "quarter", SupplierBook({}))
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    overall = [ZERO, ZERO, ZERO, ZERO]
    for row in grouped:
        values = [row["total"] or ZERO, row["no_po"] or ZERO, row["unapproved"] or ZERO, row["maverick"] or ZERO]
        overall = [a + b for a, b in zip(overall, values, strict=True)]
        for key in folder.keys(row[field_name]):
            sums[key] = [a + b for a, b in zip(sums[key], values, strict=True)]
    rows = [MaverickRow(folder.headers[key], *values) for key, values in sums.items() if values[0] or values[3]]
    if by == "category":
        order = {key: i for i, key in enumerate(folder.headers)}
        rows.sort(key=lambda r: order[r.header.key])
    else:
        rows.sort(key=lambda r: -r.maverick)
    return rows, MaverickRow(Header("", _("All spend")), *overall)
