"""Writes of the spend set-up: the tenant's spend settings, category rules and column mappings (FX rates are
in ``fx_rates.py``).

Every service is keyword-only, atomic, checks the actor's scope, validates, writes, and records an audit event
in the same transaction (none when nothing changed). Bad input raises ``DomainError`` naming the field; bulk
input is checked completely before anything is written, and rejected as a whole with every error listed.
Callers are already inside ``tenant_scope(tenant)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, update_audited
from sourcing.categories.services.access import access_category
from sourcing.errors import ConflictError, DomainError, NotFoundError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend.models import CategoryRule, ColumnMapping, RuleField, SpendSettings
from sourcing.spend.selectors import setup as selectors
from sourcing.spend.services.access import access_category_rule, access_column_mapping
from sourcing.spend.setup_checks import (
    clean_columns,
    date_format_round_trips,
    decimal_places,
    decimal_value,
    fail,
    whole_number,
)

# Spend settings

SETTINGS_FIELDS = ["fx_max_age_days", "amount_tolerance_pct", "one_off_max_invoices", "one_off_window_days"]
# (lowest, highest) accepted value of each setting
SETTINGS_RANGES: dict[str, tuple[int | Decimal, int | Decimal]] = {
    "fx_max_age_days": (1, 3660),
    "amount_tolerance_pct": (Decimal(0), Decimal(100)),
    "one_off_max_invoices": (1, 1000),
    "one_off_window_days": (1, 3660),
}


def _unknown(changes: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})


@transaction.atomic
def spend_settings_get(*, tenant: Tenant) -> SpendSettings:
    """The tenant's spend settings, created with the defaults on first use (not an audited change: nothing
    differs from what was already in force)."""
    found, _created = SpendSettings.objects.get_or_create(tenant=tenant)
    return found


def _settings_snapshot(row: SpendSettings) -> dict[str, Any]:
    return {
        "fx_max_age_days": row.fx_max_age_days,
        "amount_tolerance_pct": selectors.decimal_text(Decimal(row.amount_tolerance_pct)),
        "one_off_max_invoices": row.one_off_max_invoices,
        "one_off_window_days": row.one_off_window_days,
    }


@transaction.atomic
def spend_settings_update(*, tenant: Tenant, by: Actor, **changes: Any) -> SpendSettings:
    """Change how spend imports convert and classify: FX rate age, amount tolerance, the one-off rule."""
    by.require(Scope.SPEND_WRITE)
    _unknown(changes, SETTINGS_FIELDS)
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        low, high = SETTINGS_RANGES[name]
        parsed: int | Decimal | None
        if name == "amount_tolerance_pct":
            parsed = decimal_value(value)
            if parsed is None:
                errors[name] = [_("Enter a number such as 0.5.")]
                continue
            if decimal_places(parsed) > 2:
                errors[name] = [_("Use at most 2 decimal places.")]
                continue
        else:
            parsed = whole_number(value)
            if parsed is None:
                errors[name] = [_("Enter a whole number.")]
                continue
        if not low <= parsed <= high:
            errors[name] = [_("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high}]
            continue
        cleaned[name] = parsed
    if errors:
        raise fail(errors)
    row = spend_settings_get(tenant=tenant)
    update_audited(row, cleaned, tenant=tenant, by=by, action="spend_settings.update", picture=_settings_snapshot)
    return row


# Category rules

RULE_INPUT_FIELDS = ["priority", "field", "pattern", "category_id"]
MAX_PRIORITY = 2_147_483_647  # PositiveIntegerField


def _rule_snapshot(rule: CategoryRule) -> dict[str, Any]:
    return {
        "priority": rule.priority,
        "field": rule.field,
        "pattern": rule.pattern,
        "category": str(rule.category_id),
        "category_code": rule.category.code,
    }


def _clean_rule(values: Mapping[str, Any], *, by: Actor) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check the given rule fields (any subset); errors are keyed by the input names (``category``)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "priority" in values:
        priority = whole_number(values["priority"])
        if priority is None:
            errors["priority"] = [_("Enter a whole number.")]
        elif not 0 <= priority <= MAX_PRIORITY:
            errors["priority"] = [_("Enter 0 or more (rules with lower numbers are tried first).")]
        cleaned["priority"] = priority
    if "field" in values:
        if values["field"] not in RuleField.values:
            errors["field"] = [_("Choose cost_center, description or supplier_name.")]
        cleaned["field"] = values["field"]
    if "pattern" in values:
        pattern = values["pattern"].strip() if isinstance(values["pattern"], str) else ""
        if not pattern:
            errors["pattern"] = [_("A value to look for is required.")]
        elif len(pattern) > 200:
            errors["pattern"] = [_("Use at most 200 characters.")]
        cleaned["pattern"] = pattern
    if "category_id" in values:
        try:
            cleaned["category"] = access_category(by=by, id=values["category_id"], need=Scope.SPEND_WRITE)
        except NotFoundError:
            errors["category"] = [_("Choose one of this organisation's categories.")]
            cleaned["category"] = None
    return cleaned, errors


@transaction.atomic
def category_rule_create(
    *, tenant: Tenant, by: Actor, field: Any, pattern: Any, category_id: Any, priority: Any = 100
) -> CategoryRule:
    """A rule that puts spend lines without a category code into ``category``."""
    by.require(Scope.SPEND_WRITE)
    cleaned, errors = _clean_rule(
        {"priority": priority, "field": field, "pattern": pattern, "category_id": category_id}, by=by
    )
    if errors:
        raise fail(errors)
    rule = CategoryRule.objects.create(tenant=tenant, **cleaned)
    audit_record(tenant=tenant, by=by, action="category_rule.create", target=rule, after=_rule_snapshot(rule))
    return rule


@transaction.atomic
def category_rule_update(*, tenant: Tenant, by: Actor, rule_id: Any, **changes: Any) -> CategoryRule:
    """Change a rule's priority, field, pattern or category (``category_id``)."""
    by.require(Scope.SPEND_WRITE)
    _unknown(changes, RULE_INPUT_FIELDS)
    rule = access_category_rule(by=by, id=rule_id, need=Scope.SPEND_WRITE)
    cleaned, errors = _clean_rule(changes, by=by)
    if errors:
        raise fail(errors)
    update_audited(rule, cleaned, tenant=tenant, by=by, action="category_rule.update", picture=_rule_snapshot)
    return rule


@transaction.atomic
def category_rule_delete(*, tenant: Tenant, by: Actor, rule_id: Any) -> None:
    by.require(Scope.SPEND_WRITE)
    rule = access_category_rule(by=by, id=rule_id, need=Scope.SPEND_WRITE)
    audit_record(tenant=tenant, by=by, action="category_rule.delete", target=rule, before=_rule_snapshot(rule))
    rule.delete()


# Column mappings

MAPPING_FIELDS = ["name", "columns", "date_format", "decimal_comma"]


def _mapping_snapshot(mapping: ColumnMapping) -> dict[str, Any]:
    return {
        "name": mapping.name,
        "columns": dict(mapping.columns),
        "date_format": mapping.date_format,
        "decimal_comma": mapping.decimal_comma,
    }


def _clean_mapping(values: Mapping[str, Any], *, mapping_id: Any = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    name = values["name"].strip() if isinstance(values["name"], str) else ""
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    elif ColumnMapping.objects.filter(name__iexact=name).exclude(pk=mapping_id).exists():
        errors["name"] = [_("A mapping with this name exists.")]
    columns, column_errors = clean_columns(values["columns"])
    errors.update(column_errors)
    date_format = values["date_format"] if values["date_format"] is not None else ""
    if not isinstance(date_format, str):
        errors["date_format"] = [_("Enter a date format such as %d/%m/%Y.")]
    else:
        date_format = date_format.strip()
        if len(date_format) > 20:
            errors["date_format"] = [_("Use at most 20 characters.")]
        elif date_format and not date_format_round_trips(date_format):
            errors["date_format"] = [
                _("Not a date format that reads dates back: use day, month and year codes such as %d/%m/%Y.")
            ]
    decimal_comma = values["decimal_comma"]
    if not isinstance(decimal_comma, bool):
        errors["decimal_comma"] = [_("Use true or false.")]
    return {"name": name, "columns": columns, "date_format": date_format, "decimal_comma": decimal_comma}, errors


def _save_mapping(mapping: ColumnMapping, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            mapping.save(update_fields=fields)
    except IntegrityError as exc:
        raise ConflictError(
            _("A mapping with this name was saved at the same moment."), fields={"name": [_("Already exists.")]}
        ) from exc


@transaction.atomic
def column_mapping_create(
    *,
    tenant: Tenant,
    by: Actor,
    name: Any,
    columns: Any,
    date_format: Any = "",
    decimal_comma: Any = False,
) -> ColumnMapping:
    """How a file with other headers maps onto the canonical spend columns: every required column mapped,
    each to a different non-empty header, and a date format (empty for ISO dates) that reads dates back."""
    by.require(Scope.SPEND_WRITE)
    cleaned, errors = _clean_mapping(
        {"name": name, "columns": columns, "date_format": date_format, "decimal_comma": decimal_comma}
    )
    if errors:
        raise fail(errors)
    mapping = ColumnMapping(tenant=tenant, **cleaned)
    _save_mapping(mapping)
    audit_record(tenant=tenant, by=by, action="column_mapping.create", target=mapping, after=_mapping_snapshot(mapping))
    return mapping


@transaction.atomic
def column_mapping_update(*, tenant: Tenant, by: Actor, mapping_id: Any, **changes: Any) -> ColumnMapping:
    """Change a mapping's name, columns (replaced as a whole), date format or decimal comma."""
    by.require(Scope.SPEND_WRITE)
    _unknown(changes, MAPPING_FIELDS)
    mapping = access_column_mapping(by=by, id=mapping_id, need=Scope.SPEND_WRITE)
    before = _mapping_snapshot(mapping)
    cleaned, errors = _clean_mapping({**before, **changes}, mapping_id=mapping.pk)
    if errors:
        raise fail(errors)
    changed = {name: value for name, value in cleaned.items() if before[name] != value}
    if not changed:
        return mapping  # nothing to save, nothing to audit
    for name, value in changed.items():
        setattr(mapping, name, value)
    _save_mapping(mapping, list(changed))
    audit_record(
        tenant=tenant,
        by=by,
        action="column_mapping.update",
        target=mapping,
        before=before,
        after=_mapping_snapshot(mapping),
    )
    return mapping


@transaction.atomic
def column_mapping_delete(*, tenant: Tenant, by: Actor, mapping_id: Any) -> None:
    """Delete a mapping; imports that used it keep their lines and forget the mapping."""
    by.require(Scope.SPEND_WRITE)
    mapping = access_column_mapping(by=by, id=mapping_id, need=Scope.SPEND_WRITE)
    audit_record(
        tenant=tenant, by=by, action="column_mapping.delete", target=mapping, before=_mapping_snapshot(mapping)
    )
    mapping.delete()
