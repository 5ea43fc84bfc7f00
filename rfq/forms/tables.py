"""Forms of the landed-cost set-up pages. They parse what the browser sends (the lists typed one per line);
the services validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rfq.models import DutyRate, LandedCostSettings, LaneRate, TransportMode
from rfq.rate_checks import LANE_PRICES, SETTINGS_FIELDS
from sourcing.forms import Form

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_LINES = forms.Textarea(attrs={"rows": 4})


def _text(value: Any) -> str:
    return "" if value is None else format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)


class DutyRateForm(Form):
    hts_prefix = forms.CharField(
        label=_("HTS number or prefix"), max_length=14, help_text=_("2 to 10 digits, e.g. 8507.60 or 6109.10.0012.")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    mfn_rate_pct = forms.CharField(label=_("MFN rate (%)"), max_length=20)
    additional_duties = forms.CharField(
        label=_("Additional duties"),
        required=False,
        widget=_LINES,
        help_text=_("One per line: the program, a colon and the rate in percent, e.g. Section 301 List 3: 25"),
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=_DATE)
    effective_to = forms.DateField(
        label=_("Effective to"), widget=_DATE, required=False, help_text=_("The last day in force; empty while open.")
    )

    @staticmethod
    def initial_for(row: DutyRate) -> dict[str, Any]:
        lines = "\n".join(f"{a['program']}: {a['rate_pct']}" for a in row.additional_duties)
        return {
            "hts_prefix": row.hts_prefix,
            "description": row.description,
            "mfn_rate_pct": _text(row.mfn_rate_pct),
            "additional_duties": lines,
            "effective_from": row.effective_from,
            "effective_to": row.effective_to,
        }

    def clean_additional_duties(self) -> list[dict[str, str]]:
        duties = []
        for number, line in enumerate(self.cleaned_data["additional_duties"].splitlines(), start=1):
            if not line.strip():
                continue
            program, colon, rate = line.rpartition(":")
            if not colon or not program.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write the program, a colon and the rate, e.g. Section 301 List 3: 25"),
                    params={"n": number},
                )
            duties.append({"program": program.strip(), "rate_pct": rate.strip().rstrip("%").strip()})
        return duties


class LaneRateForm(Form):
    origin_port = forms.CharField(label=_("Port of loading"), max_length=5, help_text=_("UN/LOCODE, e.g. CNNGB."))
    destination_port = forms.CharField(
        label=_("Port of discharge"), max_length=5, help_text=_("UN/LOCODE, e.g. USLAX.")
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=TransportMode.choices)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    per_20 = forms.CharField(label=_("Per 20' container"), max_length=20, required=False)
    per_40 = forms.CharField(label=_("Per 40' container"), max_length=20, required=False)
    per_40hc = forms.CharField(label=_("Per 40' high cube"), max_length=20, required=False)
    per_cbm = forms.CharField(label=_("Per CBM"), max_length=20, required=False)
    per_kg = forms.CharField(label=_("Per kg (air)"), max_length=20, required=False)
    effective_from = forms.DateField(label=_("Effective from"), widget=_DATE)
    effective_to = forms.DateField(label=_("Effective to"), widget=_DATE, required=False)

    @staticmethod
    def initial_for(row: LaneRate) -> dict[str, Any]:
        initial = {name: getattr(row, name) for name in ("origin_port", "destination_port", "mode", "currency")}
        initial |= {name: _text(getattr(row, name)) for name in LANE_PRICES}
        return initial | {"effective_from": row.effective_from, "effective_to": row.effective_to}


class LandedCostSettingsForm(Form):
    cost_of_capital_pct = forms.CharField(label=_("Annual cost of capital (%)"), max_length=20)
    insurance_rate_pct = forms.CharField(label=_("Cargo insurance rate (%)"), max_length=20)
    insurance_cover_pct = forms.CharField(
        label=_("Insured share of the CFR value (%)"), max_length=20, help_text=_("Usually 110.")
    )
    charges_currency = forms.CharField(label=_("Currency of the charges below"), max_length=3)
    broker_fee = forms.CharField(label=_("Customs broker per entry"), max_length=20)
    inland_charge = forms.CharField(label=_("Inland delivery per entry"), max_length=20)
    origin_charge = forms.CharField(label=_("Origin charges per entry (EXW)"), max_length=20)
    mpf_rate_pct = forms.CharField(label=_("MPF rate (%)"), max_length=20)
    hmf_rate_pct = forms.CharField(label=_("HMF rate (%), ocean"), max_length=20)
    mpf_limits = forms.CharField(
        label=_("MPF minimum and maximum per fiscal year (USD)"),
        widget=_LINES,
        help_text=_("One fiscal year per line: the year, the minimum and the maximum, e.g. 2026: 33.58 651.50"),
    )
    cny_days_before = forms.IntegerField(label=_("Shut before Chinese New Year (days)"), min_value=0, max_value=60)
    cny_days_after = forms.IntegerField(label=_("Shut after Chinese New Year (days)"), min_value=0, max_value=60)

    @staticmethod
    def initial_for(row: LandedCostSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {n: _text(getattr(row, n)) for n in SETTINGS_FIELDS if n != "mpf_limits"}
        initial["cny_days_before"], initial["cny_days_after"] = row.cny_days_before, row.cny_days_after
        limits = (f"{year}: {pair['minimum']} {pair['maximum']}" for year, pair in sorted(row.mpf_limits.items()))
        return initial | {"mpf_limits": "\n".join(limits)}

    def clean_mpf_limits(self) -> dict[str, dict[str, str]]:
        limits = {}
        for number, line in enumerate(self.cleaned_data["mpf_limits"].splitlines(), start=1):
            if not line.strip():
                continue
            year, _colon, rest = line.partition(":")
            parts = rest.split()
            if not _colon or len(parts) != 2:
                raise forms.ValidationError(
                    _("Line %(n)s: write the year, a colon, the minimum and the maximum, e.g. 2026: 33.58 651.50"),
                    params={"n": number},
                )
            limits[year.strip()] = {"minimum": parts[0], "maximum": parts[1]}
        return limits
