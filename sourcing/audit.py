"""Recording audit events. Services call ``audit_record`` inside their own transaction, so an event exists
exactly when the change it describes was committed."""

from __future__ import annotations

from typing import Any

from django.db import models

from sourcing.actors import Actor
from sourcing.models import AuditEvent, Tenant


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of some fields, for the before/after of an event."""
    result: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = str(value.pk)
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        result[name] = value
    return result


def audit_record(
    *,
    tenant: Tenant,
    by: Actor,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=by.user,
        api_key=by.api_key,
        actor_label=by.label[:200],
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        ip_address=by.ip_address,
    )
