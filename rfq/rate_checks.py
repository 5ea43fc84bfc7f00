"""Checks of the tenant's landed-cost tables: a duty row, a lane rate, the settings. No ORM: values in (as
sent by a form or a JSON body), cleaned values and errors out, each error keyed by the field it names
(``additional_duties[1].rate_pct``, ``mpf_limits.2026.minimum``). Whatever overlaps other rows is the
service's to check."""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.utils.translation import gettext as _

Errors = dict[str, list[str]]

_DECIMAL = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
MODES = ("ocean", "air")
MAX_MONEY = Decimal("999999999999.99")  # max_digits 14, 2 places
MAX_PCT = Decimal(1000)


def decimal_value(value: Any) -> Decimal | None:
    """A Decimal from a Decimal, an int or text such as "0.3464"; None for anything else (floats too)."""
    if isinstance(value, (bool, float)):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and _DECIMAL.match(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            return None
    return None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def number(value: Any, *, high: Decimal, places: int) -> tuple[Decimal | None, str | None]:
    """A decimal from 0 to ``high`` with at most ``places`` decimals, or the reason it is not."""
    parsed = decimal_value(value)
    if parsed is None:
        return None, _("Enter a number such as 12.5.")
    if _places(parsed) > places:
        return None, _("Use at most %(n)s decimal places.") % {"n": places}
    if not Decimal(0) <= parsed <= high:
        return None, _("Enter a value from 0 to %(high)s.") % {"high": high}
    return parsed, None


def pct(value: Any) -> tuple[Decimal | None, str | None]:
    return number(value, high=MAX_PCT, places=4)


def money(value: Any) -> tuple[Decimal | None, str | None]:
    return number(value, high=MAX_MONEY, places=2)


# The years a date may fall in: rates, entries and orders of this century (the factory calendar's holiday
# tables cover them, and its caches stay small).
FIRST_YEAR, LAST_YEAR = 2000, 2099


def day(value: Any) -> tuple[datetime.date | None, str | None]:
    found = None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        found = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            found = datetime.date.fromisoformat(value.strip())
    if found is None:
        return None, _("Enter a date as YYYY-MM-DD.")
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        return None, _("Use a date from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return found, None


def hts_digits(value: Any) -> str:
    """The digits of an HTS number as people write it ("8507.60.0020" → "8507600020")."""
    return re.sub(r"[.\s]", "", value) if isinstance(value, str) else ""


def text(value: Any, *, limit: int, required: bool) -> tuple[str | None, str | None]:
    if value is None and not required:
        return "", None
    if not isinstance(value, str):
        return None, _("Enter text.")
    value = value.strip()
    if required and not value:
        return None, _("This field is required.")
    if len(value) > limit:
        return None, _("Use at most %(n)s characters.") % {"n": limit}
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None, _("Remove the control characters.")
    return value, None


Rule = Callable[[Any], tuple[Any, str | None]]


def _clean(values: Mapping[str, Any], rules: Mapping[str, Rule]) -> tuple[dict[str, Any], Errors]:
    cleaned: dict[str, Any] = {}
    errors: Errors = {}
    for name, value in values.items():
        result, error = rules[name](value)
        if error:
            errors[name] = [error]
        else:
            cleaned[name] = result
    return cleaned, errors


def _hts(value: Any) -> tuple[str | None, str | None]:
    digits = hts_digits(value)
    if not re.fullmatch(r"[0-9]{2,10}", digits):
        return None, _("Enter 2 to 10 digits of an HTS number, such as 8507.60 or 6109100012.")
    return digits, None


def _additional(value: Any) -> tuple[list[dict[str, str]] | None, str | None]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return None, _('Send a list of {"program": …, "rate_pct": …}.')
    return value, None


def _optional_day(value: Any) -> tuple[datetime.date | None, str | None]:
    return (None, None) if value in (None, "") else day(value)


def _dates(cleaned: dict[str, Any], errors: Errors) -> None:
    start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
    if start and end and end < start:
        errors["effective_to"] = [_("The last day in force cannot be before the first.")]


DUTY_FIELDS = ["hts_prefix", "description", "mfn_rate_pct", "additional_duties", "effective_from", "effective_to"]
DUTY_REQUIRED = ["hts_prefix", "mfn_rate_pct", "effective_from"]


def clean_duty(values: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """A duty row's fields (any subset of ``DUTY_FIELDS``)."""
    rules: dict[str, Rule] = {
        "hts_prefix": _hts,
        "description": lambda v: text(v, limit=200, required=False),
        "mfn_rate_pct": pct,
        "additional_duties": _additional,
        "effective_from": day,
        "effective_to": _optional_day,
    }
    cleaned, errors = _clean(values, rules)
    for i, item in enumerate(cleaned.pop("additional_duties", None) or []):
        program, error = text(item.get("program"), limit=100, required=True)
        if error:
            errors[f"additional_duties[{i}].program"] = [error]
        rate, rate_error = pct(item.get("rate_pct"))
        if rate_error:
            errors[f"additional_duties[{i}].rate_pct"] = [rate_error]
        unknown = sorted(set(item) - {"program", "rate_pct"})
        if unknown:
            errors[f"additional_duties[{i}]"] = [_("Unknown field: %(names)s.") % {"names": ", ".join(unknown)}]
        cleaned.setdefault("additional_duties", []).append({"program": program, "rate_pct": str(rate)})
    if "additional_duties" in values and "additional_duties" not in cleaned and "additional_duties" not in errors:
        cleaned["additional_duties"] = []
    _dates(cleaned, errors)
    return cleaned, errors


def _port(value: Any) -> tuple[str | None, str | None]:
    code = value.strip().upper().replace(" ", "") if isinstance(value, str) else ""
    if not _LOCODE.match(code) or pycountry.countries.get(alpha_2=code[:2]) is None:
        return None, _("Enter a UN/LOCODE such as CNNGB or USLAX.")
    return code, None


def _currency(value: Any) -> tuple[str | None, str | None]:
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        return None, _("Use an ISO 4217 currency code such as USD or CNY.")
    return code, None


def _mode(value: Any) -> tuple[str | None, str | None]:
    return (value, None) if value in MODES else (None, _("Choose ocean or air."))


def _optional_money(value: Any) -> tuple[Decimal | None, str | None]:
    return (None, None) if value in (None, "") else money(value)


LANE_PRICES = ["per_20", "per_40", "per_40hc", "per_cbm", "per_kg"]
LANE_FIELDS = ["origin_port", "destination_port", "mode", "currency", *LANE_PRICES, "effective_from", "effective_to"]
LANE_REQUIRED = ["origin_port", "destination_port", "mode", "currency", "effective_from"]


def clean_lane(values: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """A lane rate's fields (any subset of ``LANE_FIELDS``)."""
    rules: dict[str, Rule] = {
        "origin_port": _port,
        "destination_port": _port,
        "mode": _mode,
        "currency": _currency,
        "effective_from": day,
        "effective_to": _optional_day,
        **{name: _optional_money for name in LANE_PRICES},
    }
    cleaned, errors = _clean(values, rules)
    _dates(cleaned, errors)
    return cleaned, errors


def check_lane_prices(lane: Mapping[str, Any]) -> Errors:
    """A lane's whole set of prices must price its mode: per kg for air, per CBM or a container for ocean."""
    if lane["mode"] == "air" and lane.get("per_kg") is None:
        return {"per_kg": [_("An air lane needs a rate per kg.")]}
    if lane["mode"] == "ocean" and all(lane.get(name) is None for name in LANE_PRICES[:4]):
        return {"per_cbm": [_("An ocean lane needs a rate per CBM or per container.")]}
    return {}


def _days(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 60:
        return value, None
    if isinstance(value, str) and value.strip().isdigit() and int(value) <= 60:
        return int(value), None
    return None, _("Enter a whole number of days from 0 to 60.")


def _limits(value: Any) -> tuple[dict[str, dict[str, str]] | None, str | None]:
    return (value, None) if isinstance(value, dict) and value else (None, _("Give at least one fiscal year."))


SETTINGS_FIELDS = [
    "cost_of_capital_pct",
    "insurance_rate_pct",
    "insurance_cover_pct",
    "charges_currency",
    "broker_fee",
    "inland_charge",
    "origin_charge",
    "mpf_rate_pct",
    "hmf_rate_pct",
    "mpf_limits",
    "cny_days_before",
    "cny_days_after",
]


def clean_settings(values: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The landed-cost settings (any subset of ``SETTINGS_FIELDS``)."""
    rules: dict[str, Rule] = {
        **{name: pct for name in SETTINGS_FIELDS if name.endswith("_pct")},
        **{name: money for name in ("broker_fee", "inland_charge", "origin_charge")},
        "charges_currency": _currency,
        "mpf_limits": _limits,
        "cny_days_before": _days,
        "cny_days_after": _days,
    }
    cleaned, errors = _clean(values, rules)
    limits = cleaned.pop("mpf_limits", None)
    if limits is not None:
        cleaned["mpf_limits"] = _clean_limits(limits, errors)
    return cleaned, errors


def _clean_limits(limits: Mapping[Any, Any], errors: Errors) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for year, pair in limits.items():
        name = f"mpf_limits.{year}"
        if not re.fullmatch(r"20[0-9]{2}", str(year)):
            errors[name] = [_("A fiscal year is four digits, such as 2026.")]
            continue
        if not isinstance(pair, dict) or set(pair) != {"minimum", "maximum"}:
            errors[name] = [_('Give {"minimum": …, "maximum": …}.')]
            continue
        low, low_error = money(pair["minimum"])
        high, high_error = money(pair["maximum"])
        if low_error or high_error:
            errors.update({f"{name}.{k}": [e] for k, e in (("minimum", low_error), ("maximum", high_error)) if e})
        elif low is not None and high is not None and high < low:
            errors[f"{name}.maximum"] = [_("The maximum cannot be below the minimum.")]
        else:
            result[str(year)] = {"minimum": str(low), "maximum": str(high)}
    return dict(sorted(result.items()))


# Shared with the landed-cost inputs
clean_hts = _hts
clean_port = _port
clean_lane_currency = _currency
