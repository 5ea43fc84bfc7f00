"""Spend set-up endpoints for the ERP: FX rates (list, read, upsert one, upsert many all or nothing, delete),
category rules and column mappings (list, read, create, change, delete). Registered by sourcing/urls.py from
``routes`` and ``api_patterns``.

Request bodies go to the services as sent: they check every value and name the field of each problem (for
bulk rates, ``rates[3].rate``), so one error format covers shape and meaning alike. The input serializers
below document the bodies; they do not parse them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import URLPattern
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.api.bodies import InputSerializer, json_body, require_fields
from sourcing.roles import Scope
from sourcing.spend.models import CategoryRule, ColumnMapping, FxRate, RuleField
from sourcing.spend.selectors import setup as selectors
from sourcing.spend.services import fx_rates
from sourcing.spend.services import setup as services
from sourcing.spend.services.access import access_category_rule, access_column_mapping, access_fx_rate

# FX rates


class FxRateSerializer(serializers.ModelSerializer[FxRate]):
    class Meta:
        model = FxRate
        fields = ["id", "currency", "rate_date", "rate", "source", "created_at"]
        read_only_fields = fields


class FxRateInputSerializer(InputSerializer):
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code; not the tenant's base currency.")
    rate_date = serializers.DateField()
    rate = serializers.CharField(
        help_text='Units of the base currency for one unit of the currency, as a decimal string ("0.1381"); '
        "JSON numbers are refused so that no digits are lost."
    )
    # The metaclass takes declared fields off the class, so this does not clash with Field.source at run time.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=100, required=False, help_text="Where the rate comes from; left as stored when omitted."
    )


class FxRateBulkSerializer(InputSerializer):
    rates = FxRateInputSerializer(many=True, help_text=f"At most {fx_rates.MAX_BULK_RATES}.")


FX_BULK_RESULT = inline_serializer(
    "FxRateBulkResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


class FxRateFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(method="filter_currency")
    date_from = django_filters.DateFilter(field_name="rate_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="rate_date", lookup_expr="lte")

    class Meta:
        model = FxRate
        fields = ["currency", "date_from", "date_to"]

    def filter_currency(self, queryset: QuerySet[FxRate], name: str, value: str) -> QuerySet[FxRate]:
        return queryset.filter(currency=value.strip().upper())


class FxRateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SPEND_READ, "POST": Scope.FX_WRITE, "DELETE": Scope.FX_WRITE}
    serializer_class = FxRateSerializer
    filterset_class = FxRateFilter
    model = FxRate
    access = access_fx_rate

    def scoped_queryset(self) -> Any:
        return selectors.fx_rate_list()

    @extend_schema(
        request=FxRateInputSerializer,
        responses={201: FxRateSerializer, 200: FxRateSerializer},
        description="Store the rate of a currency on a date; a rate already stored for that day is replaced "
        "(200), a new one is created (201).",
    )
    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, FxRateInputSerializer)
        rate, created = fx_rates.fx_rate_upsert(
            tenant=request.auth.tenant,
            by=request.actor,
            currency=data.get("currency"),
            rate_date=data.get("rate_date"),
            rate=data.get("rate"),
            source=data.get("source"),
        )
        return Response(FxRateSerializer(rate).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=FxRateBulkSerializer,
        responses=FX_BULK_RESULT,
        description="Upsert many rates by currency and date, all or nothing: any bad item rejects the request "
        "with an error per item and field (rates[3].rate), and nothing is stored.",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, FxRateBulkSerializer)
        result = fx_rates.fx_rates_bulk_upsert(tenant=request.auth.tenant, by=request.actor, rates=data.get("rates"))
        return Response({"created": result.created, "updated": result.updated, "unchanged": result.unchanged})

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        fx_rates.fx_rate_delete(tenant=request.auth.tenant, by=request.actor, fx_rate_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Category rules


class CategoryRuleSerializer(serializers.ModelSerializer[CategoryRule]):
    category = serializers.SerializerMethodField()

    class Meta:
        model = CategoryRule
        fields = ["id", "priority", "field", "pattern", "category", "created_at"]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "RuleCategory",
            {"id": serializers.UUIDField(), "code": serializers.CharField(), "name": serializers.CharField()},
        )
    )
    def get_category(self, obj: CategoryRule) -> dict[str, Any]:
        return {"id": str(obj.category_id), "code": obj.category.code, "name": obj.category.name}


class CategoryRuleInputSerializer(InputSerializer):
    priority = serializers.IntegerField(min_value=0, required=False, help_text="Lower is tried first; 100 if omitted.")
    field = serializers.ChoiceField(choices=RuleField.choices)
    pattern = serializers.CharField(
        max_length=200, help_text="cost_center: the whole value; description and supplier_name: any part."
    )
    category = serializers.UUIDField(help_text="The id of one of the tenant's categories.")


def _rule_arguments(data: dict[str, Any]) -> dict[str, Any]:
    if "category" in data:
        data["category_id"] = data.pop("category")
    return data


@dataclass(frozen=True)
class SetupServices:
    """How a set-up viewset's writes call its services: ``create(request, data)``,
    ``update(request, record, data)`` and ``delete(request, record)``."""

    create: Callable[[TenantAPIRequest, dict[str, Any]], Any]
    update: Callable[[TenantAPIRequest, Any, dict[str, Any]], Any]
    delete: Callable[[TenantAPIRequest, Any], None]


class _SetupWrites:
    """Create, replace (PUT: what is left out takes its default), change (PATCH) and delete for category rules
    and column mappings; each viewset names its services in ``writes``."""

    input_serializer: type[InputSerializer]
    output: Any
    needed: list[str]  # what a create or a replacement must send
    defaults: dict[str, Any]  # what a replacement leaves out
    writes: SetupServices
    get_object: Any

    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, self.input_serializer)
        require_fields(data, self.needed)
        return Response(self.output(self.writes.create(request, data)).data, status=status.HTTP_201_CREATED)

    def update(self, request: TenantAPIRequest, pk: str) -> Response:
        record = self.get_object()
        data = json_body(request, self.input_serializer)
        require_fields(data, self.needed)
        return Response(self.output(self.writes.update(request, record, {**self.defaults, **data})).data)

    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        record = self.get_object()
        data = json_body(request, self.input_serializer)
        return Response(self.output(self.writes.update(request, record, data)).data)

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        self.writes.delete(request, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _writes_schema(input_serializer: Any, output: Any) -> Any:
    return extend_schema_view(
        create=extend_schema(request=input_serializer, responses={201: output}),
        update=extend_schema(request=input_serializer, responses=output),
        partial_update=extend_schema(request=input_serializer(partial=True), responses=output),
    )


SETUP_SCOPES = {
    "GET": Scope.SPEND_READ,
    "POST": Scope.SPEND_WRITE,
    "PUT": Scope.SPEND_WRITE,
    "PATCH": Scope.SPEND_WRITE,
    "DELETE": Scope.SPEND_WRITE,
}


@_writes_schema(CategoryRuleInputSerializer, CategoryRuleSerializer)
class CategoryRuleViewSet(_SetupWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = SETUP_SCOPES
    serializer_class = CategoryRuleSerializer
    model = CategoryRule
    access = access_category_rule
    input_serializer, output = CategoryRuleInputSerializer, CategoryRuleSerializer
    needed, defaults = ["field", "pattern", "category"], {"priority": 100}
    writes = SetupServices(
        create=lambda request, data: services.category_rule_create(
            tenant=request.auth.tenant, by=request.actor, **_rule_arguments(data)
        ),
        update=lambda request, record, data: services.category_rule_update(
            tenant=request.auth.tenant, by=request.actor, rule_id=record.pk, **_rule_arguments(data)
        ),
        delete=lambda request, record: services.category_rule_delete(
            tenant=request.auth.tenant, by=request.actor, rule_id=record.pk
        ),
    )

    def scoped_queryset(self) -> Any:
        return selectors.category_rule_list()


# Column mappings


class ColumnMappingSerializer(serializers.ModelSerializer[ColumnMapping]):
    class Meta:
        model = ColumnMapping
        fields = ["id", "name", "columns", "date_format", "decimal_comma", "created_at"]
        read_only_fields = fields


class ColumnMappingInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=100)
    columns = serializers.DictField(
        child=serializers.CharField(),
        help_text="Spend column → the header it has in the file. Every required column must be mapped.",
    )
    date_format = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="strptime format, e.g. %d/%m/%Y; empty for ISO."
    )
    decimal_comma = serializers.BooleanField(required=False)


@_writes_schema(ColumnMappingInputSerializer, ColumnMappingSerializer)
class ColumnMappingViewSet(_SetupWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = SETUP_SCOPES
    serializer_class = ColumnMappingSerializer
    model = ColumnMapping
    access = access_column_mapping
    input_serializer, output = ColumnMappingInputSerializer, ColumnMappingSerializer
    needed, defaults = ["name", "columns"], {"date_format": "", "decimal_comma": False}
    writes = SetupServices(
        create=lambda request, data: services.column_mapping_create(
            tenant=request.auth.tenant, by=request.actor, **data
        ),
        update=lambda request, record, data: services.column_mapping_update(
            tenant=request.auth.tenant, by=request.actor, mapping_id=record.pk, **data
        ),
        delete=lambda request, record: services.column_mapping_delete(
            tenant=request.auth.tenant, by=request.actor, mapping_id=record.pk
        ),
    )

    def scoped_queryset(self) -> Any:
        return selectors.column_mapping_list()


# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = [
    ("fx-rates", FxRateViewSet, "fxrate"),
    ("category-rules", CategoryRuleViewSet, "categoryrule"),
    ("column-mappings", ColumnMappingViewSet, "columnmapping"),
]
# plain endpoints (APIView subclasses of sourcing.api.base.TenantAPIView)
api_patterns: list[URLPattern] = []
