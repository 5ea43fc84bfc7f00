"""Writes of spend findings and frozen baselines.

Every service is keyword-only, atomic, checks the actor's scope, validates, writes, and records an audit event
with the values before and after in the same transaction (none when nothing changed). Bad input raises
``DomainError`` naming the field. Callers are already inside ``tenant_scope(tenant)``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, update_audited
from sourcing.categories.services.access import access_category
from sourcing.errors import DomainError, NotFoundError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend.models import Baseline, Finding, FindingKind, FindingStatus
from sourcing.spend.selectors import findings as selectors
from sourcing.spend.services.access import access_baseline, access_finding, access_finding_assignee
from sourcing.spend.setup_checks import decimal_places, decimal_value, fail

# Where each status may go next. Closed and dismissed findings can be reopened; work that was started can be
# put back to open.
TRANSITIONS: dict[str, frozenset[str]] = {
    FindingStatus.OPEN: frozenset({FindingStatus.IN_PROGRESS, FindingStatus.DISMISSED}),
    FindingStatus.IN_PROGRESS: frozenset({FindingStatus.OPEN, FindingStatus.CLOSED, FindingStatus.DISMISSED}),
    FindingStatus.CLOSED: frozenset({FindingStatus.OPEN}),
    FindingStatus.DISMISSED: frozenset({FindingStatus.OPEN}),
}
FINISHED = frozenset({FindingStatus.CLOSED, FindingStatus.DISMISSED})
UPDATE_FIELDS = ["title", "note", "amount", "estimated_saving", "category_id"]
MAX_AMOUNT = Decimal("1E18")  # 20 digits, 2 of them decimals
MAX_NOTE = 10_000


def _unknown(changes: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})


def _snapshot(finding: Finding) -> dict[str, Any]:
    assignee = finding.assignee
    return {
        "kind": finding.kind,
        "title": finding.title,
        "category": str(finding.category_id) if finding.category_id else None,
        "category_code": finding.category.code if finding.category else "",
        "amount": selectors.money_text(finding.amount),
        "estimated_saving": selectors.money_text(finding.estimated_saving),
        "currency": finding.currency,
        "status": finding.status,
        "assignee": str(assignee.pk) if assignee else None,
        "assignee_email": assignee.user.email if assignee else "",
        "note": finding.note,
        "closed_at": finding.closed_at.isoformat() if finding.closed_at else None,
    }


def _money(value: Any, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    amount = decimal_value(value)
    if amount is None:
        errors[name] = [_("Enter an amount such as 1250.00.")]
    elif amount < 0:
        errors[name] = [_("Enter 0 or more.")]
    elif decimal_places(amount) > 2:
        errors[name] = [_("Use at most 2 decimal places.")]
    elif amount >= MAX_AMOUNT:
        errors[name] = [_("The amount is too large.")]
    else:
        return amount.quantize(selectors.CENT)
    return None


def _text(value: Any, name: str, errors: dict[str, list[str]], *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [_("Enter text.")]
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > limit:
        errors[name] = [_("Use at most %(limit)s characters.") % {"limit": limit}]
    return value


def _clean(values: Mapping[str, Any], *, by: Actor) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check the given finding fields (any subset); errors are keyed by the input names (``category``)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "kind" in values:
        if values["kind"] not in FindingKind.values:
            errors["kind"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(FindingKind.values)}]
        cleaned["kind"] = values["kind"]
    if "title" in values:
        cleaned["title"] = _text(values["title"], "title", errors, limit=300, required=True)
    if "note" in values:
        cleaned["note"] = _text(values["note"], "note", errors, limit=MAX_NOTE, required=False)
    for name in ("amount", "estimated_saving"):
        if name in values:
            cleaned[name] = _money(values[name], name, errors)
    if "category_id" in values:
        category = None
        if values["category_id"] not in (None, ""):
            try:
                category = access_category(by=by, id=values["category_id"], need=Scope.SPEND_WRITE)
            except NotFoundError:
                errors["category"] = [_("No such category.")]
        cleaned["category"] = category
    return cleaned, errors


@transaction.atomic
def finding_create(
    *,
    tenant: Tenant,
    by: Actor,
    kind: Any,
    title: Any,
    category_id: Any = None,
    amount: Any = "0",
    estimated_saving: Any = "0",
    note: Any = "",
) -> Finding:
    """A finding raised by hand: an opportunity or a problem in the spend, in the tenant's base currency."""
    by.require(Scope.SPEND_WRITE)
    cleaned, errors = _clean(
        {
            "kind": kind,
            "title": title,
            "category_id": category_id,
            "amount": amount,
            "estimated_saving": estimated_saving,
            "note": note,
        },
        by=by,
    )
    if errors:
        raise fail(errors)
    finding = Finding.objects.create(tenant=tenant, currency=tenant.base_currency, **cleaned)
    audit_record(tenant=tenant, by=by, action="finding.create", target=finding, after=_snapshot(finding))
    return finding


def _save(*, tenant: Tenant, by: Actor, finding: Finding, changes: dict[str, Any], action: str) -> Finding:
    """Apply what differs and audit it; nothing saved and nothing audited when nothing differs."""
    update_audited(finding, changes, tenant=tenant, by=by, action=action, picture=_snapshot)
    return finding


@transaction.atomic
def finding_update(*, tenant: Tenant, by: Actor, finding_id: Any, **changes: Any) -> Finding:
    """Change a finding's title, note, amounts or category (``category_id``; None takes it off)."""
    by.require(Scope.SPEND_WRITE)
    _unknown(changes, UPDATE_FIELDS)
    finding = access_finding(by=by, id=finding_id, need=Scope.SPEND_WRITE, lock=True)
    cleaned, errors = _clean(changes, by=by)
    if errors:
        raise fail(errors)
    if "title" in cleaned and cleaned["title"] in {finding.title, finding.display_title}:
        del cleaned["title"]  # the words shown, sent back: a raised title stays in each reader's language
    elif "title" in cleaned:
        cleaned |= {"title_code": "", "title_params": {}}  # the person's words from now on
    return _save(tenant=tenant, by=by, finding=finding, changes=cleaned, action="finding.update")


@transaction.atomic
def finding_assign(*, tenant: Tenant, by: Actor, finding_id: Any, assignee_id: Any) -> Finding:
    """Give a finding to a member who works with spend (an active, internal member of this tenant; never a
    partner agent), or to nobody (``assignee_id`` None)."""
    by.require(Scope.SPEND_WRITE)
    finding = access_finding(by=by, id=finding_id, need=Scope.SPEND_WRITE, lock=True)
    assignee = None
    if assignee_id not in (None, ""):
        try:
            assignee = access_finding_assignee(by=by, id=assignee_id, need=Scope.SPEND_WRITE)
        except NotFoundError as exc:
            message = _("Choose an active member of this organisation who works with spend.")
            raise DomainError(message, fields={"assignee": [message]}) from exc
    if finding.assignee_id == (assignee.pk if assignee else None):
        return finding
    return _save(tenant=tenant, by=by, finding=finding, changes={"assignee": assignee}, action="finding.assign")


@transaction.atomic
def finding_set_status(*, tenant: Tenant, by: Actor, finding_id: Any, status: Any, note: Any = None) -> Finding:
    """Move a finding along: open → in progress → closed or dismissed (an open one may be dismissed straight
    away); closed and dismissed ones can be reopened, and work in progress put back to open. Dismissing needs
    a note saying why. A ``note`` given replaces the finding's note. Closing or dismissing stamps
    ``closed_at``; any other status clears it."""
    by.require(Scope.SPEND_WRITE)
    finding = access_finding(by=by, id=finding_id, need=Scope.SPEND_WRITE, lock=True)
    errors: dict[str, list[str]] = {}
    if status not in FindingStatus.values:
        errors["status"] = [_("Choose one of: %(statuses)s.") % {"statuses": ", ".join(FindingStatus.values)}]
    elif status != finding.status and status not in TRANSITIONS[finding.status]:
        errors["status"] = [
            _("A finding that is %(current)s cannot become %(status)s.")
            % {"current": FindingStatus(finding.status).label, "status": FindingStatus(status).label}
        ]
    cleaned_note = None if note is None else _text(note, "note", errors, limit=MAX_NOTE, required=False)
    if not errors and status == FindingStatus.DISMISSED and status != finding.status and not cleaned_note:
        errors["note"] = [_("Say why the finding is dismissed.")]
    if errors:
        raise fail(errors)
    changes: dict[str, Any] = {}
    if cleaned_note is not None:
        changes["note"] = cleaned_note
    if status != finding.status:
        changes["status"] = status
        changes["closed_at"] = timezone.now() if status in FINISHED else None
    action = "finding.status" if "status" in changes else "finding.update"
    return _save(tenant=tenant, by=by, finding=finding, changes=changes, action=action)


def finding_export_record(*, tenant: Tenant, by: Actor, rows: int, filters: Mapping[str, Any], fmt: str) -> None:
    """Record that findings left the system as a file."""
    by.require(Scope.SPEND_READ)
    audit_record(
        tenant=tenant,
        by=by,
        action="finding.export",
        after={"rows": rows, "format": fmt, **{name: str(value) for name, value in filters.items() if value}},
    )


# Baselines


def _date(value: Any, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[name] = [_("Enter a date as YYYY-MM-DD.")]
    return None


def _baseline_snapshot(baseline: Baseline) -> dict[str, Any]:
    return {
        "name": baseline.name,
        "period_start": baseline.period_start.isoformat(),
        "period_end": baseline.period_end.isoformat(),
        "currency": baseline.currency,
        "total": selectors.money_text(baseline.total),
        "line_count": baseline.line_count,
        "categories": sum(1 for row in baseline.by_category if row.get("category_id")),
    }


@transaction.atomic
def baseline_freeze(*, tenant: Tenant, by: Actor, name: Any, period_start: Any, period_end: Any) -> Baseline:
    """Freeze the spend invoiced in a period (both days included) as it is now: its total and line count in
    the base currency, and a row per category with its amount, lines and distinct suppliers
    (``selectors/findings.spend_snapshot``). Savings are later measured against these numbers, whatever is
    imported afterwards. A period without spend is refused: it would be a baseline of nothing."""
    by.require(Scope.SPEND_WRITE)
    errors: dict[str, list[str]] = {}
    clean_name = _text(name, "name", errors, limit=200, required=True)
    start = _date(period_start, "period_start", errors)
    end = _date(period_end, "period_end", errors)
    if start and end and end < start:
        errors["period_end"] = [_("The end of the period cannot be before its start.")]
    if errors:
        raise fail(errors)
    assert start is not None and end is not None
    snapshot = selectors.spend_snapshot(start, end)
    if not snapshot.line_count:
        message = _("No spend was invoiced in this period.")
        raise DomainError(message, fields={"period_start": [message], "period_end": [message]})
    baseline = Baseline.objects.create(
        tenant=tenant,
        name=clean_name,
        period_start=start,
        period_end=end,
        currency=tenant.base_currency,
        total=snapshot.total,
        line_count=snapshot.line_count,
        by_category=snapshot.by_category,
        frozen_by=by.user,
    )
    audit_record(tenant=tenant, by=by, action="baseline.freeze", target=baseline, after=_baseline_snapshot(baseline))
    return baseline


@transaction.atomic
def baseline_delete(*, tenant: Tenant, by: Actor, baseline_id: Any) -> None:
    by.require(Scope.SPEND_WRITE)
    baseline = access_baseline(by=by, id=baseline_id, need=Scope.SPEND_WRITE)
    # recorded first: after delete() the instance no longer has its id
    audit_record(tenant=tenant, by=by, action="baseline.delete", target=baseline, before=_baseline_snapshot(baseline))
    baseline.delete()


def baseline_export_record(*, tenant: Tenant, by: Actor, baseline: Baseline, fmt: str) -> None:
    """Record that a baseline and its comparison left the system as a file."""
    by.require(Scope.SPEND_READ)
    audit_record(tenant=tenant, by=by, action="baseline.export", target=baseline, after={"format": fmt})
