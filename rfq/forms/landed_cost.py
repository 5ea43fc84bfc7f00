"""The landed cost calculator's form: a quote line typed in. It parses what the browser sends; the service
checks every value and names the field of each problem."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rfq.incoterms import Incoterm
from rfq.models import TransportMode
from sourcing.forms import Form

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=20, required=required, help_text=help_text)


class LandedCostForm(Form):
    unit_price = _amount(_("Unit price"))
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=[(t.value, t.value) for t in Incoterm], initial="FOB")
    named_place = forms.CharField(label=_("Named place"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    units_per_carton = forms.IntegerField(label=_("Units per carton"), min_value=1)
    carton_length_cm = _amount(_("Carton length (cm)"))
    carton_width_cm = _amount(_("Carton width (cm)"))
    carton_height_cm = _amount(_("Carton height (cm)"))
    carton_gross_weight_kg = _amount(_("Carton gross weight (kg)"))
    hts_code = forms.CharField(label=_("HTS number"), max_length=14)
    mode = forms.ChoiceField(label=_("Mode"), choices=TransportMode.choices)
    origin_port = forms.CharField(label=_("Port of loading"), max_length=5, initial="CNNGB")
    destination_port = forms.CharField(label=_("Port of discharge"), max_length=5, initial="USLAX")
    entry_date = forms.DateField(label=_("Entry date"), widget=_DATE, required=False)
    payments = forms.CharField(
        label=_("Payments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: percent of the goods value and days paid before receipt, e.g. 30, 75"),
    )
    tooling_cost = _amount(_("Tooling (one-off)"), required=False)
    tooling_quantity = forms.IntegerField(
        label=_("Amortise tooling over (units)"), min_value=1, required=False, help_text=_("The awarded quantity.")
    )
    itemised_freight = _amount(_("Freight itemised in the price"), required=False)
    itemised_insurance = _amount(_("Insurance itemised in the price"), required=False)
    itemised_inland = _amount(_("Inland delivery itemised in the price"), required=False, help_text=_("DAP, DDP."))
    entry_customs_value = _amount(
        _("Customs value of the whole entry"),
        required=False,
        help_text=_(
            "In the base currency, when the line shares an entry with others: MPF, broker and inland are shared."
        ),
    )
    lead_time_days = forms.IntegerField(label=_("Production lead time (working days)"), min_value=0, required=False)
    order_date = forms.DateField(label=_("Order date"), widget=_DATE, required=False)

    def clean_payments(self) -> list[dict[str, Any]]:
        payments = []
        for number, line in enumerate(self.cleaned_data["payments"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip().rstrip("%").strip() for part in line.split(",")]
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("Line %(n)s: write the percent and the days before receipt, e.g. 30, 75"), params={"n": number}
                )
            payments.append({"percent": parts[0], "days_before_receipt": parts[1]})
        return payments

    def values(self) -> dict[str, Any]:
        """What the service reads: the fields given (empty optional fields left out)."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}
