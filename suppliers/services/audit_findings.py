"""Writes of an audit's findings: its auditor records them while performing it (an agent too, on an audit
assigned to them), and internal people who audit close them once the follow-up is done."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import DomainError
from sourcing.ids import as_uuid
from sourcing.models import USABLE_MEMBERSHIP, Membership, Tenant
from sourcing.roles import Role, Scope
from suppliers.models import AuditFinding, AuditItem, Severity
from suppliers.services.access import access_audit_finding
from suppliers.services.audits import audit_to_perform, mark_started, require_open
from suppliers.services.common import invalid


def _owner(owner_id: Any) -> Membership | None:
    pk = as_uuid(owner_id)
    if pk is None:
        return None
    return Membership.objects.filter(USABLE_MEMBERSHIP, pk=pk).exclude(role=Role.AGENT).first()


@transaction.atomic
def audit_finding_add(
    *,
    tenant: Tenant,
    by: Actor,
    audit_id: Any,
    severity: str,
    description: str,
    action: str = "",
    owner_id: Any = None,
    due_on: datetime.date | None = None,
    item_id: Any = None,
) -> AuditFinding:
    """Record a finding of the audit (on one of its items, or on the audit as a whole), with its follow-up
    action, an internal owner and a due date."""
    audit = audit_to_perform(by, audit_id)
    require_open(audit)
    errors: dict[str, list[str]] = {}
    if severity not in Severity.values:
        errors["severity"] = [_("Choose one of the listed options.")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe the finding.")]
    owner = None
    if owner_id:
        owner = _owner(owner_id)
        if owner is None:
            errors["owner"] = [_("Choose one of the listed options.")]
    item = None
    if item_id:
        pk = as_uuid(item_id)
        item = AuditItem.objects.filter(pk=pk, audit_id=audit.pk).first() if pk else None
        if item is None:
            errors["item"] = [_("Choose one of the listed options.")]
    if errors:
        raise invalid(errors)
    finding = AuditFinding.objects.create(
        tenant=tenant,
        audit=audit,
        item=item,
        severity=severity,
        description=description,
        action=(action or "").strip(),
        owner=owner,
        due_on=due_on,
    )
    mark_started(audit)
    audit_record(
        tenant=tenant,
        by=by,
        action="audit_finding.add",
        target=finding,
        after={
            "audit": str(audit.pk),
            "severity": severity,
            "item": str(item.pk) if item else None,
            "owner": owner.user.email if owner else None,
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    return finding


@transaction.atomic
def audit_finding_close(*, tenant: Tenant, by: Actor, finding_id: Any, note: str) -> AuditFinding:
    """Close a finding once its follow-up is done; the note (what was done) is kept on the audit event."""
    finding = access_audit_finding(by=by, id=finding_id, need=Scope.SUPPLIER_AUDIT, lock=True)
    note = (note or "").strip()
    if not note:
        raise invalid({"note": [_("Say what was done to close it.")]})
    if finding.is_closed:
        raise DomainError(_("This finding is already closed."), code="conflict")
    finding.is_closed = True
    finding.save(update_fields=["is_closed"])
    audit_record(
        tenant=tenant,
        by=by,
        action="audit_finding.close",
        target=finding,
        before={"is_closed": False},
        after={"is_closed": True, "note": note, "audit": str(finding.audit_id)},
    )
    return finding
