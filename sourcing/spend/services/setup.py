"""Writes of the spend set-up: the tenant's spend settings, FX rates (one at a time, in bulk, from a CSV file),
category rules and column mappings.

Every service is keyword-only, atomic, checks the actor's scope, validates, writes, and records an audit event
in the same transaction (none when nothing changed). Bad input raises ``DomainError`` naming the field; bulk
input is checked completely before anything is written, and rejected as a whole with every error listed.
Callers are already inside ``tenant_scope(tenant)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import ConflictError, DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate, RuleField, SpendSettings
from sourcing.spend.selectors import setup as selectors
from sourcing.spend.setup_checks import (
    FX_INPUT_FIELDS,
    RatesRejected,
    RowError,
    check_rates,
    clean_columns,
    clean_rate,
    column_order,
    date_format_round_trips,
    decimal_places,
    decimal_value,
    fail,
    parse_rates_csv,
    rejected,
    whole_number,
)
from sourcing.uploads import TEXT, check_upload

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
    changed = {name: value for name, value in cleaned.items() if getattr(row, name) != value}
    if not changed:
        return row  # nothing to save, nothing to audit
    before = _settings_snapshot(row)
    for name, value in changed.items():
        setattr(row, name, value)
    row.save(update_fields=list(changed))
    audit_record(
        tenant=tenant, by=by, action="spend_settings.update", target=row, before=before, after=_settings_snapshot(row)
    )
    return row


# FX rates

MAX_BULK_RATES = 5000


@dataclass
class RatesResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    currencies: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _fx_snapshot(rate: FxRate) -> dict[str, Any]:
    return {
        "currency": rate.currency,
        "rate_date": rate.rate_date.isoformat(),
        "rate": selectors.decimal_text(Decimal(rate.rate)),
        "source": rate.source,
    }


@transaction.atomic
def fx_rate_upsert(
    *,
    tenant: Tenant,
    by: Actor,
    currency: Any,
    rate_date: Any,
    rate: Any,
    source: Any = None,
) -> tuple[FxRate, bool]:
    """Store the rate of ``currency`` on ``rate_date`` (units of the base currency per unit), replacing the
    rate stored for that currency and date if there is one. Returns the rate and whether it is new. A
    ``source`` of None keeps the stored source."""
    by.require(Scope.FX_WRITE)
    cleaned, errors = clean_rate(
        {"currency": currency, "rate_date": rate_date, "rate": rate, "source": source},
        base_currency=tenant.base_currency,
    )
    if errors:
        raise fail(errors)
    existing = (
        FxRate.objects.select_for_update().filter(currency=cleaned["currency"], rate_date=cleaned["rate_date"]).first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                created = FxRate.objects.create(
                    tenant=tenant,
                    currency=cleaned["currency"],
                    rate_date=cleaned["rate_date"],
                    rate=cleaned["rate"],
                    source=cleaned["source"] or "",
                )
        except IntegrityError as exc:
            raise _rate_conflict() from exc
        audit_record(tenant=tenant, by=by, action="fx_rate.create", target=created, after=_fx_snapshot(created))
        return created, True
    source_after = existing.source if cleaned["source"] is None else cleaned["source"]
    if existing.rate == cleaned["rate"] and existing.source == source_after:
        return existing, False  # nothing to save, nothing to audit
    before = _fx_snapshot(existing)
    existing.rate = cleaned["rate"]
    existing.source = source_after
    existing.save(update_fields=["rate", "source"])
    audit_record(
        tenant=tenant, by=by, action="fx_rate.update", target=existing, before=before, after=_fx_snapshot(existing)
    )
    return existing, False


def _rate_conflict() -> ConflictError:
    return ConflictError(_("A rate for this currency and date was saved at the same moment. Try again."))


@transaction.atomic
def fx_rate_delete(*, tenant: Tenant, by: Actor, fx_rate_id: Any) -> None:
    by.require(Scope.FX_WRITE)
    rate = selectors.fx_rate_get(fx_rate_id=fx_rate_id)
    # recorded first: after delete() the instance no longer has its id
    audit_record(tenant=tenant, by=by, action="fx_rate.delete", target=rate, before=_fx_snapshot(rate))
    rate.delete()


def _write_rates(*, tenant: Tenant, rows: list[dict[str, Any]]) -> tuple[RatesResult, list[dict[str, Any]]]:
    """Upsert checked rates by currency and date. Returns the counts and, for each changed rate, the values
    before and after."""
    result = RatesResult(currencies=sorted({row["currency"] for row in rows}))
    dates = [row["rate_date"] for row in rows]
    stored = {
        (r.currency, r.rate_date): r
        for r in FxRate.objects.select_for_update().filter(
            currency__in=result.currencies, rate_date__range=(min(dates), max(dates))
        )
    }
    new: list[FxRate] = []
    changed: list[FxRate] = []
    changes: list[dict[str, Any]] = []
    for row in rows:
        found = stored.get((row["currency"], row["rate_date"]))
        if found is None:
            new.append(
                FxRate(
                    tenant=tenant,
                    currency=row["currency"],
                    rate_date=row["rate_date"],
                    rate=row["rate"],
                    source=row["source"] or "",
                )
            )
            continue
        source = found.source if row["source"] is None else row["source"]
        if found.rate == row["rate"] and found.source == source:
            result.unchanged += 1
            continue
        before = _fx_snapshot(found)
        found.rate, found.source = row["rate"], source
        changed.append(found)
        changes.append({"before": before, "after": _fx_snapshot(found)})
    try:
        with transaction.atomic():
            FxRate.objects.bulk_create(new, batch_size=1000)
    except IntegrityError as exc:
        raise _rate_conflict() from exc
    FxRate.objects.bulk_update(changed, ["rate", "source"], batch_size=1000)
    result.created, result.updated = len(new), len(changed)
    return result, changes


# The audit event of a bulk write lists at most this many changed rates (the counts are always exact).
AUDIT_LISTED_CHANGES = 200


def _audit_rates(
    *, tenant: Tenant, by: Actor, result: RatesResult, changes: list[dict[str, Any]], origin: dict[str, Any]
) -> None:
    if not result.created and not result.updated:
        return  # nothing changed, nothing to audit
    audit_record(
        tenant=tenant,
        by=by,
        action="fx_rate.import",
        before={"rates": [c["before"] for c in changes[:AUDIT_LISTED_CHANGES]]} if changes else None,
        after={
            **origin,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "currencies": result.currencies,
            "rates": [c["after"] for c in changes[:AUDIT_LISTED_CHANGES]],
        },
    )


@transaction.atomic
def fx_rates_import_csv(*, tenant: Tenant, by: Actor, file: IO[bytes], file_name: str = "") -> RatesResult:
    """Upsert FX rates from a CSV file with the header ``currency,rate_date,rate[,source]``.

    Every row is checked (ISO date, a decimal above 0, a known currency that is not the base currency, no
    currency and date twice in the file) before anything is written; any problem rejects the whole file with
    every problem listed by row and column, and nothing is changed. One audit event sums the import up.
    """
    by.require(Scope.FX_WRITE)
    check_upload(file, allowed={TEXT}, field="file")
    items, errors = parse_rates_csv(file.read())
    rows, row_errors = check_rates(
        items,
        base_currency=tenant.base_currency,
        duplicate_of=_("Row %(first)s already has the rate of %(currency)s on %(date)s."),
    )
    errors = sorted(errors + row_errors, key=lambda e: (e.row or 0, column_order(e.column)))
    if not errors and not rows:
        errors = [RowError(None, "", _("The file has no rates below its header."))]
    if errors:
        raise rejected(errors)
    result, changes = _write_rates(tenant=tenant, rows=rows)
    _audit_rates(
        tenant=tenant, by=by, result=result, changes=changes, origin={"source": "csv", "file": file_name[:255]}
    )
    return result


@transaction.atomic
def fx_rates_bulk_upsert(*, tenant: Tenant, by: Actor, rates: Any) -> RatesResult:
    """Upsert a list of rates ({currency, rate_date, rate, source}) all or nothing: any bad item rejects the
    list, with an error per item and field (``rates[3].rate``), and nothing is changed."""
    by.require(Scope.FX_WRITE)
    if not isinstance(rates, list) or not rates:
        raise DomainError(
            _("Send a non-empty list of rates."), fields={"rates": [_("Send a non-empty list of rates.")]}
        )
    if len(rates) > MAX_BULK_RATES:
        message = _("Send at most %(count)s rates at a time.") % {"count": MAX_BULK_RATES}
        raise DomainError(message, fields={"rates": [message]})
    items: list[tuple[int, Mapping[str, Any]]] = []
    errors: list[RowError] = []
    for index, item in enumerate(rates):
        if not isinstance(item, dict):
            errors.append(RowError(index, "", _("Each rate is an object with currency, rate_date and rate.")))
            continue
        errors += [RowError(index, key, _("Unknown field.")) for key in sorted(set(item) - set(FX_INPUT_FIELDS))]
        items.append((index, item))
    rows, row_errors = check_rates(
        items,
        base_currency=tenant.base_currency,
        duplicate_of=_("rates[%(first)s] already has the rate of %(currency)s on %(date)s."),
    )
    errors = sorted(errors + row_errors, key=lambda e: (e.row or 0, column_order(e.column)))
    if errors:
        fields: dict[str, list[str]] = {}
        for e in errors:
            fields.setdefault(f"rates[{e.row}]" + (f".{e.column}" if e.column else ""), []).append(e.message)
        message = _("No rate was saved: %(count)s problem(s) found.") % {"count": len(errors)}
        raise RatesRejected(message, errors=errors, fields=fields)
    result, changes = _write_rates(tenant=tenant, rows=rows)
    _audit_rates(tenant=tenant, by=by, result=result, changes=changes, origin={"source": "api", "rows": len(rows)})
    return result


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


def _clean_rule(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
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
        category = selectors.category_find(category_id=values["category_id"])
        if category is None:
            errors["category"] = [_("Choose one of this organisation's categories.")]
        cleaned["category"] = category
    return cleaned, errors


@transaction.atomic
def category_rule_create(
    *, tenant: Tenant, by: Actor, field: Any, pattern: Any, category_id: Any, priority: Any = 100
) -> CategoryRule:
    """A rule that puts spend lines without a category code into ``category``."""
    by.require(Scope.SPEND_WRITE)
    cleaned, errors = _clean_rule(
        {"priority": priority, "field": field, "pattern": pattern, "category_id": category_id}
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
    rule = selectors.category_rule_get(rule_id=rule_id)
    cleaned, errors = _clean_rule(changes)
    if errors:
        raise fail(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(rule, name) != value}
    if not changed:
        return rule  # nothing to save, nothing to audit
    before = _rule_snapshot(rule)
    for name, value in changed.items():
        setattr(rule, name, value)
    rule.save(update_fields=list(changed))
    audit_record(
        tenant=tenant, by=by, action="category_rule.update", target=rule, before=before, after=_rule_snapshot(rule)
    )
    return rule


@transaction.atomic
def category_rule_delete(*, tenant: Tenant, by: Actor, rule_id: Any) -> None:
    by.require(Scope.SPEND_WRITE)
    rule = selectors.category_rule_get(rule_id=rule_id)
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
    mapping = selectors.column_mapping_get(mapping_id=mapping_id)
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
    mapping = selectors.column_mapping_get(mapping_id=mapping_id)
    audit_record(
        tenant=tenant, by=by, action="column_mapping.delete", target=mapping, before=_mapping_snapshot(mapping)
    )
    mapping.delete()
