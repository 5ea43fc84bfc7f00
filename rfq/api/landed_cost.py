"""``POST /api/v1/landed-cost/``: the landed cost of a quote line described in the body, computed on the
tenant's duty table, lane rates, settings and FX rates, with every component. Writes nothing."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from rfq.incoterms import Incoterm
from rfq.models import TransportMode
from rfq.services.landed_cost import landed_cost_preview, preview_as_data
from sourcing.api.base import TenantAPIRequest, TenantAPIView
from sourcing.api.bodies import json_body
from sourcing.roles import Scope

_DEC = 'A decimal string ("10.00"); JSON numbers are refused so that no digits are lost.'


class PaymentSerializer(serializers.Serializer[Any]):
    percent = serializers.CharField(help_text="Share of the goods value, in percent. " + _DEC)
    days_before_receipt = serializers.IntegerField(help_text="Negative when paid after the goods are received.")


class LandedCostInputSerializer(serializers.Serializer[Any]):
    unit_price = serializers.CharField(help_text="At the Incoterm quoted. " + _DEC)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code of the price and itemised amounts.")
    incoterm = serializers.ChoiceField(choices=[(t.value, t.value) for t in Incoterm])
    named_place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    quantity = serializers.IntegerField(min_value=1)
    units_per_carton = serializers.IntegerField(min_value=1)
    carton_length_cm = serializers.CharField(help_text=_DEC)
    carton_width_cm = serializers.CharField(help_text=_DEC)
    carton_height_cm = serializers.CharField(help_text=_DEC)
    carton_gross_weight_kg = serializers.CharField(help_text="One packed carton. " + _DEC)
    hts_code = serializers.CharField(help_text="The U.S. HTS number; dots are ignored.")
    mode = serializers.ChoiceField(choices=TransportMode.choices)
    origin_port = serializers.CharField(help_text="UN/LOCODE of the port of loading, e.g. CNNGB.")
    destination_port = serializers.CharField(help_text="UN/LOCODE of the port of discharge, e.g. USLAX.")
    entry_date = serializers.DateField(required=False, help_text="The U.S. entry date; today if omitted.")
    payments = PaymentSerializer(many=True, required=False)
    tooling_cost = serializers.CharField(required=False, help_text="One-off, in the quote's currency. " + _DEC)
    tooling_quantity = serializers.IntegerField(
        required=False, min_value=1, help_text="The quantity tooling is amortised over; the line's if omitted."
    )
    itemised_freight = serializers.CharField(required=False, help_text="Freight the price holds, itemised.")
    itemised_insurance = serializers.CharField(required=False, help_text="Insurance the price holds, itemised.")
    itemised_inland = serializers.CharField(required=False, help_text="U.S. inland delivery the price holds.")
    entry_customs_value = serializers.CharField(
        required=False, help_text="The whole entry's customs value in the base currency, when the line shares it."
    )
    lead_time_days = serializers.IntegerField(required=False, min_value=0, help_text="Factory working days.")
    order_date = serializers.DateField(required=False, help_text="Production starts the working day after it.")


class ComponentSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(
        choices=[
            "goods",
            "origin",
            "freight",
            "insurance",
            "duty_mfn",
            "duty_additional",
            "mpf",
            "hmf",
            "broker",
            "inland",
            "tooling",
            "financing",
        ]
    )
    label = serializers.CharField()  # type: ignore[assignment]
    amount = serializers.CharField(help_text="In the base currency.")
    paid_by = serializers.ChoiceField(
        choices=["buyer", "seller"], help_text="seller: inside the quoted price, not added to the total."
    )
    basis = serializers.CharField(help_text="How it was reached, in figures.")
    program = serializers.CharField(allow_blank=True, help_text="An additional duty's program or list; else empty.")


class LandedCostResultSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField(help_text="The tenant's base currency.")
    incoterm = serializers.CharField()
    named_place = serializers.CharField()
    quantity = serializers.IntegerField()
    entry_date = serializers.DateField()
    goods = serializers.CharField()
    fob_equivalent = serializers.CharField()
    customs_value = serializers.CharField()
    total = serializers.CharField(help_text="What the buyer pays: the goods and every component paid by the buyer.")
    per_unit = serializers.CharField()
    cartons = serializers.IntegerField()
    cbm = serializers.CharField()
    gross_weight_kg = serializers.CharField()
    freight_basis = serializers.ChoiceField(choices=["cbm", "20", "40", "40hc", "kg"])
    freight_units = serializers.CharField(help_text="CBM, containers or chargeable kg.")
    components = ComponentSerializer(many=True)
    duty_rate = serializers.DictField(help_text="The duty row used: id, hts_prefix, effective_from, effective_to.")
    lane_rate = serializers.DictField(help_text="The lane rate used: id, ports, mode, currency, effective_from.")
    fx_rates = serializers.ListField(
        child=serializers.DictField(), help_text="The rates used: currency, rate_date, rate."
    )
    ready_date = serializers.DateField(allow_null=True, help_text="With order_date and lead_time_days.")


EXAMPLE = {
    "unit_price": "10.00",
    "currency": "USD",
    "incoterm": "FOB",
    "named_place": "Ningbo",
    "quantity": 5000,
    "units_per_carton": 50,
    "carton_length_cm": "60",
    "carton_width_cm": "40",
    "carton_height_cm": "40",
    "carton_gross_weight_kg": "10",
    "hts_code": "8481.80.5090",
    "mode": "ocean",
    "origin_port": "CNNGB",
    "destination_port": "USLAX",
    "payments": [{"percent": "30", "days_before_receipt": 75}, {"percent": "70", "days_before_receipt": 30}],
}


class LandedCostPreviewView(TenantAPIView):
    """The landed cost of one quote line, every component shown, in the tenant's base currency."""

    required_scopes = {"POST": Scope.RFQ_READ}

    @extend_schema(
        request=LandedCostInputSerializer,
        responses={200: LandedCostResultSerializer},
        examples=[OpenApiExample("FOB Ningbo, ocean", value=EXAMPLE, request_only=True)],
        description="Computes the landed cost on the tenant's duty table (longest HTS prefix in force on the entry "
        "date), lane rates, landed-cost settings and FX rates. A 400 names each bad field; a missing duty row "
        "names `hts_code`, a missing lane rate `origin_port`, a missing exchange rate `currency`.",
    )
    def post(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, LandedCostInputSerializer)
        preview = landed_cost_preview(tenant=request.auth.tenant, by=request.actor, values=data)
        return Response(preview_as_data(preview))


api_patterns: list[URLPattern] = [
    path("landed-cost/", LandedCostPreviewView.as_view(), name="api-landed-cost"),
]
