"""Recording audit events. Services call ``audit_record`` inside their own transaction, so an event exists
exactly when the change it describes was committed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models

from sourcing.actors import Actor
from sourcing.models import AuditEvent, Tenant

M = TypeVar("M", bound=models.Model)


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


def update_audited(
    obj: M,
    changes: Mapping[str, Any],
    *,
    tenant: Tenant,
    by: Actor,
    action: str,
    picture: Sequence[str] | Callable[[M], dict[str, Any]],
    touch: Mapping[str, Any] | None = None,
) -> list[str]:
    """Set the fields of ``changes`` whose value differs, save just those (and ``touch``, such as
    ``updated_at``, set along with any change) and record ``action`` with the before/after ``picture``
    (field names for ``snapshot``, or a function of the object). Returns the changed names; when nothing
    differs, nothing is saved and nothing is audited."""
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    if not changed:
        return []
    take = picture if callable(picture) else lambda o: snapshot(o, list(picture))
    before = take(obj)
    for name in changed:
        setattr(obj, name, changes[name])
    for name, value in (touch or {}).items():
        setattr(obj, name, value)
    obj.save(update_fields=[*changed, *(touch or {})])
    audit_record(tenant=tenant, by=by, action=action, target=obj, before=before, after=take(obj))
    return changed
