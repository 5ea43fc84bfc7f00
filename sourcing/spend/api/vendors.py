"""Vendor endpoints for the ERP: the vendors of the spend, with the supplier each is linked to (list with
filters, read). Registered by sourcing/urls.py from ``routes``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers

from sourcing.api.base import TenantViewSet
from sourcing.roles import Scope
from sourcing.spend.models import Vendor
from sourcing.spend.services.access import access_vendor


class VendorSerializer(serializers.ModelSerializer[Vendor]):
    class Meta:
        model = Vendor
        fields = ["id", "erp_id", "name", "supplier", "match_method", "merged_into", "created_at"]
        read_only_fields = fields


class VendorFilter(django_filters.FilterSet):
    erp_id = django_filters.CharFilter()
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    matched = django_filters.BooleanFilter(method="filter_matched")

    class Meta:
        model = Vendor
        fields = ["erp_id"]

    def filter_matched(self, queryset: QuerySet[Vendor], name: str, value: bool | None) -> QuerySet[Vendor]:
        return queryset if value is None else queryset.filter(supplier__isnull=not value)


@extend_schema(parameters=[OpenApiParameter("matched", bool, description="only vendors linked (or not) to a supplier")])
class VendorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SPEND_READ}
    serializer_class = VendorSerializer
    filterset_class = VendorFilter
    model = Vendor
    access = access_vendor

    def scoped_queryset(self) -> QuerySet[Vendor]:
        return Vendor.objects.all()


routes: list[tuple[str, Any, str]] = [
    ("spend/vendors", VendorViewSet, "vendor"),
]
