"""Reads of risk flags: a supplier's flags, the list across suppliers with its filters, one flag."""

from __future__ import annotations

from django.db.models import QuerySet

from sourcing.ids import as_uuid
from suppliers.models import RiskFlag, Supplier
from suppliers.selectors.onboarding import NO_OWNER


def risk_flags_for_supplier(supplier: Supplier) -> tuple[list[RiskFlag], list[RiskFlag]]:
    """(open, closed) flags of the supplier, newest first."""
    flags = list(supplier.risk_flags.select_related("owner__user").order_by("-raised_at", "id"))
    return [f for f in flags if f.is_open], [f for f in flags if not f.is_open]


def risk_flag_list(*, kind: str = "", severity: str = "", owner: str = "", state: str = "open") -> QuerySet[RiskFlag]:
    """Flags across suppliers; ``state`` is open, closed or all; ``owner`` a membership id or ``NO_OWNER``."""
    flags = RiskFlag.objects.select_related("supplier", "owner__user")
    if state == "open":
        flags = flags.filter(is_open=True)
    elif state == "closed":
        flags = flags.filter(is_open=False)
    if kind:
        flags = flags.filter(kind=kind)
    if severity:
        flags = flags.filter(severity=severity)
    if owner == NO_OWNER:
        flags = flags.filter(owner__isnull=True)
    elif owner:
        flags = flags.filter(owner_id=as_uuid(owner))
    return flags.order_by("-raised_at", "id")
