"""Writes of the landed-cost tables: duty rates, freight lane rates and the landed-cost settings.

Every service is keyword-only, atomic, checks the actor's scope (``rfq:configure``), validates every field
(``rfq.rate_checks``, errors keyed by field), refuses a period that overlaps another row of the same prefix or
lane, writes, and records an audit event in the same transaction (none when nothing changed). Callers are
already inside ``tenant_scope(tenant)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rfq import rate_checks
from rfq.models import DutyRate, LandedCostSettings, LaneRate
from rfq.selectors import tables as selectors
from rfq.services.access import access_duty_rate, access_lane_rate
from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot, update_audited
from sourcing.errors import ConflictError, DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope


def _picture(row: Any, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe before/after of ``fields``: decimals as people write them (3.4, not 3.4000), dates in ISO."""
    picture = snapshot(row, fields)
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, Decimal):
            picture[name] = format(value.normalize(), "f")
    return picture


def _fail(errors: dict[str, list[str]]) -> DomainError:
    return DomainError(next(iter(errors.values()))[0], fields=errors)


def _known(changes: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})


def _missing(values: Mapping[str, Any], required: list[str]) -> dict[str, list[str]]:
    return {name: [_("This field is required.")] for name in required if values.get(name) in (None, "")}


def _save(row: DutyRate | LaneRate, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            row.save(update_fields=fields)
    except IntegrityError as exc:
        raise ConflictError(
            _("A row with this start date was saved at the same moment."),
            fields={"effective_from": [_("Already exists.")]},
        ) from exc


def _overlap_error(other: DutyRate | LaneRate) -> dict[str, list[str]]:
    until = other.effective_to.isoformat() if other.effective_to else _("open end")
    message = _("Overlaps the row in force from %(start)s to %(end)s: end that one first.") % {
        "start": other.effective_from.isoformat(),
        "end": until,
    }
    return {"effective_from": [message]}


@dataclass(frozen=True)
class _Table:
    """What differs between the two effective-dated tables; their create, change and delete are one."""

    model: type[DutyRate] | type[LaneRate]
    name: str  # the audit action's prefix
    fields: list[str]
    required: list[str]
    clean: Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, list[str]]]]
    check: Callable[..., None]  # refuses bad prices and overlapping periods
    access: Callable[..., Any]


def _create(table: _Table, *, tenant: Tenant, by: Actor, values: Mapping[str, Any]) -> Any:
    by.require(Scope.RFQ_CONFIGURE)
    _known(values, table.fields)
    cleaned, errors = table.clean(values)
    errors = {**_missing(values, table.required), **errors}
    if errors:
        raise _fail(errors)
    table.check(cleaned)
    row = table.model(tenant=tenant, **cleaned)
    _save(row)
    audit_record(tenant=tenant, by=by, action=f"{table.name}.create", target=row, after=_picture(row, table.fields))
    return row


def _update(table: _Table, *, tenant: Tenant, by: Actor, row_id: Any, changes: Mapping[str, Any]) -> Any:
    by.require(Scope.RFQ_CONFIGURE)
    _known(changes, table.fields)
    row = table.access(by=by, id=row_id, need=Scope.RFQ_CONFIGURE, lock=True)
    cleaned, errors = table.clean(changes)
    errors = {**_missing(changes, [n for n in table.required if n in changes]), **errors}
    merged = {name: getattr(row, name) for name in table.fields} | cleaned
    if not errors and merged["effective_to"] and merged["effective_to"] < merged["effective_from"]:
        errors["effective_to"] = [_("The last day in force cannot be before the first.")]
    if errors:
        raise _fail(errors)
    table.check(merged, exclude_id=row.pk)
    before = _picture(row, table.fields)
    changed = [name for name, value in cleaned.items() if getattr(row, name) != value]
    if not changed:
        return row
    for name in changed:
        setattr(row, name, cleaned[name])
    _save(row, changed)
    after = _picture(row, table.fields)
    audit_record(tenant=tenant, by=by, action=f"{table.name}.update", target=row, before=before, after=after)
    return row


def _delete(table: _Table, *, tenant: Tenant, by: Actor, row_id: Any) -> None:
    by.require(Scope.RFQ_CONFIGURE)
    row = table.access(by=by, id=row_id, need=Scope.RFQ_CONFIGURE, lock=True)
    audit_record(tenant=tenant, by=by, action=f"{table.name}.delete", target=row, before=_picture(row, table.fields))
    row.delete()


# Duty rates

DUTY_PICTURE = ["hts_prefix", "description", "mfn_rate_pct", "additional_duties", "effective_from", "effective_to"]


def _check_duty(values: dict[str, Any], *, exclude_id: Any = None) -> None:
    other = selectors.duty_rate_overlapping(
        hts_prefix=values["hts_prefix"],
        start=values["effective_from"],
        end=values.get("effective_to"),
        exclude_id=exclude_id,
    )
    if other is not None:
        raise _fail(_overlap_error(other))


DUTY = _Table(
    model=DutyRate,
    name="duty_rate",
    fields=DUTY_PICTURE,
    required=rate_checks.DUTY_REQUIRED,
    clean=rate_checks.clean_duty,
    check=_check_duty,
    access=access_duty_rate,
)


@transaction.atomic
def duty_rate_create(*, tenant: Tenant, by: Actor, **values: Any) -> DutyRate:
    """A row of the duty table: an HTS number or prefix, its MFN rate and additional duties, and the period it
    is in force. Periods of one prefix may not overlap."""
    return _create(DUTY, tenant=tenant, by=by, values=values)  # type: ignore[no-any-return]


@transaction.atomic
def duty_rate_update(*, tenant: Tenant, by: Actor, duty_rate_id: Any, **changes: Any) -> DutyRate:
    """Change any fields of a duty row (the others stay as they are)."""
    return _update(DUTY, tenant=tenant, by=by, row_id=duty_rate_id, changes=changes)  # type: ignore[no-any-return]


@transaction.atomic
def duty_rate_delete(*, tenant: Tenant, by: Actor, duty_rate_id: Any) -> None:
    _delete(DUTY, tenant=tenant, by=by, row_id=duty_rate_id)


# Lane rates

LANE_PICTURE = rate_checks.LANE_FIELDS


def _check_lane(values: dict[str, Any], *, exclude_id: Any = None) -> None:
    errors = rate_checks.check_lane_prices(values)
    if errors:
        raise _fail(errors)
    other = selectors.lane_rate_overlapping(
        origin=values["origin_port"],
        destination=values["destination_port"],
        mode=values["mode"],
        start=values["effective_from"],
        end=values.get("effective_to"),
        exclude_id=exclude_id,
    )
    if other is not None:
        raise _fail(_overlap_error(other))


LANE = _Table(
    model=LaneRate,
    name="lane_rate",
    fields=LANE_PICTURE,
    required=rate_checks.LANE_REQUIRED,
    clean=rate_checks.clean_lane,
    check=_check_lane,
    access=access_lane_rate,
)


@transaction.atomic
def lane_rate_create(*, tenant: Tenant, by: Actor, **values: Any) -> LaneRate:
    """A freight rate for a lane (port of loading, port of discharge, mode) and a period; periods of one lane
    may not overlap. An ocean lane needs a rate per CBM or per container, an air lane a rate per kg."""
    return _create(LANE, tenant=tenant, by=by, values=values)  # type: ignore[no-any-return]


@transaction.atomic
def lane_rate_update(*, tenant: Tenant, by: Actor, lane_rate_id: Any, **changes: Any) -> LaneRate:
    """Change any fields of a lane rate (the others stay as they are)."""
    return _update(LANE, tenant=tenant, by=by, row_id=lane_rate_id, changes=changes)  # type: ignore[no-any-return]


@transaction.atomic
def lane_rate_delete(*, tenant: Tenant, by: Actor, lane_rate_id: Any) -> None:
    _delete(LANE, tenant=tenant, by=by, row_id=lane_rate_id)


# Settings


@transaction.atomic
def landed_cost_settings_update(*, tenant: Tenant, by: Actor, **changes: Any) -> LandedCostSettings:
    """Change the tenant's landed-cost settings (any subset of them); the row is created with the defaults the
    first time."""
    by.require(Scope.RFQ_CONFIGURE)
    _known(changes, rate_checks.SETTINGS_FIELDS)
    cleaned, errors = rate_checks.clean_settings(changes)
    if errors:
        raise _fail(errors)
    row, _created = LandedCostSettings.objects.select_for_update().get_or_create(tenant=tenant)
    # Decimals compare by value; the JSON limits as stored text.
    update_audited(
        row,
        cleaned,
        tenant=tenant,
        by=by,
        action="landed_cost_settings.update",
        picture=lambda r: _picture(r, rate_checks.SETTINGS_FIELDS),
    )
    return row
