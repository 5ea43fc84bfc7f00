"""Risk flags. Automatic flags (region, compliance, dependency) are raised and closed from the data by
``risk_flag_raise`` / ``risk_flag_resolve``, keyed by ``source`` so raising again refreshes the open flag
instead of adding another; manual flags are raised and closed by people."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.models import Tenant
from suppliers.models import RiskFlag, Severity, Supplier


@transaction.atomic
def risk_flag_raise(
    *,
    tenant: Tenant,
    by: Actor,
    supplier: Supplier,
    kind: str,
    source: str,
    title: str,
    severity: str = Severity.MAJOR,
) -> RiskFlag:
    """Open the automatic flag ``source`` of this supplier, or refresh its title and severity if it is open.
    Callers have already checked the caller's right to change the supplier (this is a step of their service)."""
    flag = RiskFlag.objects.select_for_update().filter(supplier_id=supplier.pk, source=source, is_open=True).first()
    if flag is not None:
        if (flag.title, flag.severity) != (title, severity):
            flag.title, flag.severity = title, severity
            flag.save(update_fields=["title", "severity"])
        return flag
    try:
        with transaction.atomic():
            flag = RiskFlag.objects.create(
                tenant=tenant, supplier=supplier, kind=kind, source=source, title=title, severity=severity
            )
    except IntegrityError:  # raised by a concurrent run a moment ago: that one stands
        return RiskFlag.objects.get(supplier_id=supplier.pk, source=source, is_open=True)
    audit_record(tenant=tenant, by=by, action="risk_flag.raise", target=supplier, after={"kind": kind, "title": title})
    return flag


@transaction.atomic
def risk_flag_resolve(*, tenant: Tenant, by: Actor, supplier: Supplier, source: str) -> bool:
    """Close the open automatic flag ``source`` of this supplier, if there is one; True when one was closed."""
    flag = RiskFlag.objects.select_for_update().filter(supplier_id=supplier.pk, source=source, is_open=True).first()
    if flag is None:
        return False
    flag.is_open, flag.closed_at = False, timezone.now()
    flag.save(update_fields=["is_open", "closed_at"])
    audit_record(tenant=tenant, by=by, action="risk_flag.resolve", target=supplier, before={"title": flag.title})
    return True


def open_flags_by_supplier(supplier_ids: list[Any]) -> dict[Any, list[RiskFlag]]:
    """The open flags of these suppliers, in one query."""
    result: dict[Any, list[RiskFlag]] = {sid: [] for sid in supplier_ids}
    for flag in RiskFlag.objects.filter(supplier_id__in=supplier_ids, is_open=True).order_by("-raised_at"):
        result[flag.supplier_id].append(flag)
    return result
