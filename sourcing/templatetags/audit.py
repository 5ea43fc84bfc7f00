"""Showing an audit event's before/after as the fields that changed."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from sourcing.audit_text import Entry, describe_events
from sourcing.models import AuditEvent

register = template.Library()


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)


@register.filter
def audit_changes(event: AuditEvent) -> list[dict[str, str]]:
    """Rows of (field, before, after): every field on a create or delete, only the changed ones otherwise."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    both = event.before is not None and event.after is not None
    rows = []
    for field in [*before, *(k for k in after if k not in before)]:
        if both and before.get(field) == after.get(field):
            continue
        rows.append({"field": field, "before": _shown(before.get(field)), "after": _shown(after.get(field))})
    return rows


@register.simple_tag
def described(events: Any, changes: bool = True) -> list[Entry]:
    """`{% described page.object_list as entries %}`: the events in words, with one lookup per kind of record
    their changes name; `changes=False` for a feed that shows no changes (and needs no lookup)."""
    return describe_events(events, changes=changes)
