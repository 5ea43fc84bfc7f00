"""The qualification lifecycle (``suppliers.lifecycle``): one service moves a supplier along it, checking the
action is allowed from the current status, the caller's scope for that action, the input it needs, and, for an
approval, the approval rules (``suppliers.selectors.qualification.approval_blockers``). Each step is recorded
on the supplier's timeline and as an audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.models import Tenant
from sourcing.webhooks.services.deliveries import webhook_emit
from suppliers import lifecycle
from suppliers.models import StatusChange, Supplier, SupplierStatus
from suppliers.selectors.qualification import approval_blockers
from suppliers.services.access import access_supplier
from suppliers.services.common import invalid


class ApprovalBlocked(DomainError):
    """The approval rules do not pass; ``blockers`` says which."""

    code = "approval_blocked"

    def __init__(self, blockers: list[Any]):
        super().__init__(
            _("This supplier cannot be approved yet: %(reasons)s") % {"reasons": " ".join(b.message for b in blockers)}
        )
        self.blockers = blockers


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


@transaction.atomic
def supplier_transition(
    *,
    tenant: Tenant,
    by: Actor,
    supplier_id: Any,
    action: str,
    reason: str = "",
    conditions: str = "",
    expires_on: Any = None,
) -> Supplier:
    """Apply lifecycle ``action`` to the supplier. Raises DomainError naming the field for missing input, a
    409 when the action is not possible from the current status, and ApprovalBlocked listing what blocks an
    approval."""
    step = lifecycle.ACTIONS.get(action)
    if step is None:
        raise invalid({"action": [_("Not a valid choice.")]})
    supplier = access_supplier(by=by, id=supplier_id, need=step.scope, lock=True)
    if step.key not in lifecycle.ALLOWED.get(supplier.status, ()):
        raise DomainError(
            _("A supplier that is %(status)s cannot be moved with “%(action)s”.")
            % {"status": supplier.get_status_display().lower(), "action": step.label},
            code="invalid_transition",
        ).with_status(409)
    reason, conditions = (reason or "").strip(), (conditions or "").strip()
    errors: dict[str, list[str]] = {}
    if step.needs_reason and not reason:
        errors["reason"] = [_("Give a reason.")]
    expiry = None
    if step.needs_conditions:
        if not conditions:
            errors["conditions"] = [_("Say what the supplier must meet, and by when.")]
        expiry = _date(expires_on)
        if expiry is None:
            errors["expires_on"] = [_("A date (YYYY-MM-DD) when the conditional approval ends.")]
        elif expiry <= timezone.localdate():
            errors["expires_on"] = [_("A date in the future.")]
    if errors:
        raise invalid(errors)
    if step.checks_rules:
        blockers = approval_blockers(supplier)
        if blockers:
            raise ApprovalBlocked(blockers)
    before = {"status": supplier.status}
    from_status = supplier.status
    supplier.status = step.to
    supplier.status_reason = reason
    if step.to == SupplierStatus.CONDITIONAL:
        supplier.approval_conditions, supplier.approval_expires_on = conditions, expiry
    elif step.to in {SupplierStatus.APPROVED, SupplierStatus.REJECTED, SupplierStatus.IN_QUALIFICATION}:
        supplier.approval_conditions, supplier.approval_expires_on = "", None
    supplier.updated_at = timezone.now()
    supplier.save(update_fields=["status", "status_reason", "approval_conditions", "approval_expires_on", "updated_at"])
    StatusChange.objects.create(
        tenant=tenant,
        supplier=supplier,
        from_status=from_status,
        to_status=step.to,
        reason=reason,
        conditions=conditions,
        expires_on=expiry,
        by_label=by.label[:200],
    )
    after: dict[str, Any] = {"status": step.to}
    if reason:
        after["reason"] = reason
    if step.needs_conditions:
        after |= {"conditions": conditions, "expires_on": expiry.isoformat() if expiry else None}
    audit_record(tenant=tenant, by=by, action=f"supplier.{step.key}", target=supplier, before=before, after=after)
    if step.to == SupplierStatus.BLOCKED:
        webhook_emit(tenant=tenant, event_type="supplier.blocked", payload=_blocked_payload(supplier))
    return supplier


def _blocked_payload(supplier: Supplier) -> dict[str, Any]:
    """What a ``supplier.blocked`` webhook says: enough for the ERP to stop ordering, nothing internal."""
    return {
        "supplier_id": str(supplier.pk),
        "erp_id": supplier.external_id,
        "name": supplier.legal_name,
        "local_name": supplier.local_name,
        "status": supplier.status,
        "reason": supplier.status_reason,
        "blocked_at": supplier.updated_at.isoformat().replace("+00:00", "Z"),
    }


def may(by: Actor, action: str) -> bool:
    step = lifecycle.ACTIONS[action]
    return by.has(step.scope)


@transaction.atomic
def conditional_approvals_expire(*, tenant: Tenant, by: Actor, today: datetime.date | None = None) -> int:
    """Suspend every conditionally approved supplier whose conditions ran out (a daily job)."""
    today = today or timezone.localdate()
    count = 0
    for supplier in Supplier.objects.filter(status=SupplierStatus.CONDITIONAL, approval_expires_on__lt=today):
        supplier_transition(
            tenant=tenant,
            by=by,
            supplier_id=supplier.pk,
            action="suspend",
            reason=_("The conditional approval expired on %(date)s.") % {"date": supplier.approval_expires_on},
        )
        count += 1
    return count
