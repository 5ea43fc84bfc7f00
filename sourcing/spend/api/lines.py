"""Spend line endpoints for the ERP: the imported lines, with filters. Registered by sourcing/urls.py from
``routes``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, serializers

from sourcing.api.base import TenantViewSet
from sourcing.roles import Scope
from sourcing.spend.models import SpendLine
from sourcing.spend.services.access import access_spend_line


class SpendLineSerializer(serializers.ModelSerializer[SpendLine]):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    supplier = serializers.UUIDField(source="vendor.supplier_id", read_only=True, allow_null=True)
    category_code = serializers.CharField(source="category.code", read_only=True, allow_null=True)

    class Meta:
        model = SpendLine
        fields = [
            "id",
            "spend_import",
            "vendor",
            "vendor_name",
            "supplier",
            "category",
            "category_code",
            "invoice_date",
            "invoice_number",
            "item_sku",
            "description",
            "quantity",
            "uom",
            "unit_price",
            "currency",
            "amount",
            "fx_rate",
            "amount_base",
            "po_number",
            "cost_center",
            "classification",
        ]
        read_only_fields = fields


class SpendLineFilter(django_filters.FilterSet):
    # Every filter declared: generated ones resolve their lookups with a query on the model when the class is
    # built, which is outside any tenant (and model-choice filters would list a model's rows).
    classification = django_filters.CharFilter()
    currency = django_filters.CharFilter()
    cost_center = django_filters.CharFilter()
    invoice_number = django_filters.CharFilter()
    spend_import = django_filters.UUIDFilter(field_name="spend_import_id")
    vendor = django_filters.UUIDFilter(field_name="vendor_id")
    category = django_filters.UUIDFilter(field_name="category_id")
    date_from = django_filters.DateFilter(field_name="invoice_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="invoice_date", lookup_expr="lte")

    class Meta:
        model = SpendLine
        fields = ["classification", "currency", "cost_center", "invoice_number"]


class SpendLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SPEND_READ}
    serializer_class = SpendLineSerializer
    filterset_class = SpendLineFilter
    model = SpendLine
    access = access_spend_line

    def scoped_queryset(self) -> QuerySet[SpendLine]:
        return SpendLine.objects.select_related("vendor", "category")


routes: list[tuple[str, Any, str]] = [
    ("spend/lines", SpendLineViewSet, "spendline"),
]
