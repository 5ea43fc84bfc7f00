"""Writes of the FX rates the spend is converted with: one at a time, in bulk (all or nothing) and from a
CSV file.

Every service is keyword-only, atomic, checks the actor's scope, validates, writes, and records an audit event
in the same transaction (none when nothing changed). Bulk input is checked completely before anything is
written, and rejected as a whole with every error listed. Callers are already inside ``tenant_scope(tenant)``.
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
from sourcing.spend.models import FxRate
from sourcing.spend.selectors import setup as selectors
from sourcing.spend.services.access import access_fx_rate
from sourcing.spend.setup_checks import (
    FX_INPUT_FIELDS,
    RatesRejected,
    RowError,
    check_rates,
    clean_rate,
    column_order,
    fail,
    parse_rates_csv,
    rejected,
)
from sourcing.uploads import TEXT, check_upload

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
    rate = access_fx_rate(by=by, id=fx_rate_id, need=Scope.FX_WRITE)
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
