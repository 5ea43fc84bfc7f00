"""The landed-cost tables for the ERP: duty rates and freight lane rates (list, read, create, change,
delete) and the landed-cost settings (read, change). Registered by sourcing/urls.py from ``routes`` and
``api_patterns``.

Bodies go to the services as sent: they check every value and name the field of each problem
(``additional_duties[1].rate_pct``). The input serializers below document the bodies; they do not parse them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from rfq import rate_checks
from rfq.models import DutyRate, LandedCostSettings, LaneRate, TransportMode
from rfq.selectors import tables as selectors
from rfq.services import tables as services
from rfq.services.access import access_duty_rate, access_lane_rate
from sourcing.api.base import TenantAPIRequest, TenantAPIView, TenantViewSet
from sourcing.api.bodies import json_body
from sourcing.roles import Scope

_CHANGES = {
    "GET": Scope.RFQ_READ,
    "POST": Scope.RFQ_CONFIGURE,
    "PUT": Scope.RFQ_CONFIGURE,
    "PATCH": Scope.RFQ_CONFIGURE,
    "DELETE": Scope.RFQ_CONFIGURE,
}
_DECIMAL_HELP = 'A decimal string ("25", "0.3464"); JSON numbers are refused so that no digits are lost.'

# Duty rates


class AdditionalDutySerializer(serializers.Serializer[Any]):
    program = serializers.CharField(max_length=100, help_text="The program or list, e.g. Section 301 List 3.")
    rate_pct = serializers.CharField(help_text=f"Ad valorem, in percent. {_DECIMAL_HELP}")


class DutyRateSerializer(serializers.ModelSerializer[DutyRate]):
    additional_duties = AdditionalDutySerializer(many=True, read_only=True)

    class Meta:
        model = DutyRate
        fields = [
            "id",
            "hts_prefix",
            "description",
            "mfn_rate_pct",
            "additional_duties",
            "effective_from",
            "effective_to",
            "created_at",
        ]
        read_only_fields = fields


class DutyRateInputSerializer(serializers.Serializer[Any]):
    hts_prefix = serializers.CharField(
        max_length=14, help_text="2 to 10 digits of the HTS number; dots are ignored (8507.60 = 850760)."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    mfn_rate_pct = serializers.CharField(help_text=f"Column 1 General, in percent. {_DECIMAL_HELP}")
    additional_duties = AdditionalDutySerializer(many=True, required=False)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(
        required=False, allow_null=True, help_text="The last day in force; null while open."
    )


class DutyRateFilter(django_filters.FilterSet):
    hts = django_filters.CharFilter(method="filter_hts", help_text="Rows that apply to this HTS number.")
    on = django_filters.DateFilter(method="filter_on", help_text="Rows in force on this day.")

    class Meta:
        model = DutyRate
        fields = ["hts", "on"]

    def filter_hts(self, queryset: QuerySet[DutyRate], name: str, value: str) -> QuerySet[DutyRate]:
        return queryset & selectors.duty_rate_list(hts=value)

    def filter_on(self, queryset: QuerySet[DutyRate], name: str, value: Any) -> QuerySet[DutyRate]:
        return queryset & selectors.duty_rate_list(on=value)


class DutyRateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = _CHANGES
    serializer_class = DutyRateSerializer
    filterset_class = DutyRateFilter
    model = DutyRate
    access = access_duty_rate

    def scoped_queryset(self) -> Any:
        return selectors.duty_rate_list()

    @extend_schema(request=DutyRateInputSerializer, responses={201: DutyRateSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, DutyRateInputSerializer)
        row = services.duty_rate_create(tenant=request.auth.tenant, by=request.actor, **data)
        return Response(DutyRateSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DutyRateInputSerializer, responses=DutyRateSerializer)
    def update(self, request: TenantAPIRequest, pk: str) -> Response:
        data = json_body(request, DutyRateInputSerializer)
        full = {"description": "", "additional_duties": [], "effective_to": None, **data}
        for name in rate_checks.DUTY_REQUIRED:
            full.setdefault(name, None)
        return self._change(request, full)

    @extend_schema(request=DutyRateInputSerializer(partial=True), responses=DutyRateSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        return self._change(request, json_body(request, DutyRateInputSerializer))

    def _change(self, request: TenantAPIRequest, data: dict[str, Any]) -> Response:
        row = self.get_object()
        row = services.duty_rate_update(tenant=request.auth.tenant, by=request.actor, duty_rate_id=row.pk, **data)
        return Response(DutyRateSerializer(row).data)

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        services.duty_rate_delete(tenant=request.auth.tenant, by=request.actor, duty_rate_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Lane rates


class LaneRateSerializer(serializers.ModelSerializer[LaneRate]):
    class Meta:
        model = LaneRate
        fields = ["id", *rate_checks.LANE_FIELDS, "created_at"]
        read_only_fields = fields


class LaneRateInputSerializer(serializers.Serializer[Any]):
    origin_port = serializers.CharField(max_length=5, help_text="UN/LOCODE of the port of loading, e.g. CNNGB.")
    destination_port = serializers.CharField(max_length=5, help_text="UN/LOCODE of the port of discharge.")
    mode = serializers.ChoiceField(choices=TransportMode.choices)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code of the rates.")
    per_20 = serializers.CharField(required=False, allow_null=True, help_text=_DECIMAL_HELP)
    per_40 = serializers.CharField(required=False, allow_null=True, help_text=_DECIMAL_HELP)
    per_40hc = serializers.CharField(required=False, allow_null=True, help_text=_DECIMAL_HELP)
    per_cbm = serializers.CharField(required=False, allow_null=True, help_text=_DECIMAL_HELP)
    per_kg = serializers.CharField(required=False, allow_null=True, help_text="Air only. " + _DECIMAL_HELP)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True, help_text="The last day in force.")


class LaneRateFilter(django_filters.FilterSet):
    origin_port = django_filters.CharFilter(method="filter_upper")
    destination_port = django_filters.CharFilter(method="filter_upper")
    mode = django_filters.ChoiceFilter(choices=TransportMode.choices)

    class Meta:
        model = LaneRate
        fields = ["origin_port", "destination_port", "mode"]

    def filter_upper(self, queryset: QuerySet[LaneRate], name: str, value: str) -> QuerySet[LaneRate]:
        return queryset.filter(**{name: value.strip().upper()})


class LaneRateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = _CHANGES
    serializer_class = LaneRateSerializer
    filterset_class = LaneRateFilter
    model = LaneRate
    access = access_lane_rate

    def scoped_queryset(self) -> Any:
        return selectors.lane_rate_list()

    @extend_schema(request=LaneRateInputSerializer, responses={201: LaneRateSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, LaneRateInputSerializer)
        row = services.lane_rate_create(tenant=request.auth.tenant, by=request.actor, **data)
        return Response(LaneRateSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LaneRateInputSerializer, responses=LaneRateSerializer)
    def update(self, request: TenantAPIRequest, pk: str) -> Response:
        data = json_body(request, LaneRateInputSerializer)
        full = {name: None for name in rate_checks.LANE_FIELDS} | data
        return self._change(request, full)

    @extend_schema(request=LaneRateInputSerializer(partial=True), responses=LaneRateSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        return self._change(request, json_body(request, LaneRateInputSerializer))

    def _change(self, request: TenantAPIRequest, data: dict[str, Any]) -> Response:
        row = self.get_object()
        row = services.lane_rate_update(tenant=request.auth.tenant, by=request.actor, lane_rate_id=row.pk, **data)
        return Response(LaneRateSerializer(row).data)

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        services.lane_rate_delete(tenant=request.auth.tenant, by=request.actor, lane_rate_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Settings


class MpfLimitsSerializer(serializers.Serializer[Any]):
    minimum = serializers.CharField(help_text="USD per entry.")
    maximum = serializers.CharField(help_text="USD per entry.")


class LandedCostSettingsSerializer(serializers.ModelSerializer[LandedCostSettings]):
    mpf_limits = serializers.DictField(
        child=MpfLimitsSerializer(), help_text='By U.S. fiscal year ("2026" runs from 1 October 2025).'
    )

    class Meta:
        model = LandedCostSettings
        fields = rate_checks.SETTINGS_FIELDS
        read_only_fields = fields


class LandedCostSettingsInputSerializer(serializers.Serializer[Any]):
    cost_of_capital_pct = serializers.CharField(required=False, help_text=_DECIMAL_HELP)
    insurance_rate_pct = serializers.CharField(required=False)
    insurance_cover_pct = serializers.CharField(required=False, help_text="Usually 110.")
    charges_currency = serializers.CharField(required=False, help_text="Currency of the three charges below.")
    broker_fee = serializers.CharField(required=False, help_text="Per entry.")
    inland_charge = serializers.CharField(required=False, help_text="Per entry.")
    origin_charge = serializers.CharField(required=False, help_text="Per entry, for EXW quotes.")
    mpf_rate_pct = serializers.CharField(required=False)
    hmf_rate_pct = serializers.CharField(required=False)
    mpf_limits = serializers.DictField(child=MpfLimitsSerializer(), required=False, help_text="Replaced whole.")
    cny_days_before = serializers.IntegerField(required=False, min_value=0, max_value=60)
    cny_days_after = serializers.IntegerField(required=False, min_value=0, max_value=60)


class LandedCostSettingsView(TenantAPIView):
    required_scopes = {"GET": Scope.RFQ_READ, "PATCH": Scope.RFQ_CONFIGURE}

    @extend_schema(responses=LandedCostSettingsSerializer)
    def get(self, request: TenantAPIRequest) -> Response:
        return Response(LandedCostSettingsSerializer(selectors.landed_cost_settings_find()).data)

    @extend_schema(request=LandedCostSettingsInputSerializer, responses=LandedCostSettingsSerializer)
    def patch(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, LandedCostSettingsInputSerializer)
        row = services.landed_cost_settings_update(tenant=request.auth.tenant, by=request.actor, **data)
        return Response(LandedCostSettingsSerializer(row).data)


# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = [
    ("duty-rates", DutyRateViewSet, "dutyrate"),
    ("lane-rates", LaneRateViewSet, "lanerate"),
]
# plain endpoints (APIView subclasses of sourcing.api.base.TenantAPIView)
api_patterns: list[URLPattern] = [
    path("landed-cost/settings/", LandedCostSettingsView.as_view(), name="api-landed-cost-settings"),
]
