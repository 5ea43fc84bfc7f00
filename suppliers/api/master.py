"""Supplier endpoints for the ERP: list, read, and upsert by ``external_id``."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.roles import Scope
from suppliers.models import Supplier
from suppliers.services import master as services


class SupplierSerializer(serializers.ModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "legal_name",
            "local_name",
            "supplier_type",
            "country",
            "province",
            "city",
            "external_id",
            "internal_notes",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class SupplierFilter(django_filters.FilterSet):
    country = django_filters.CharFilter()
    supplier_type = django_filters.CharFilter()
    external_id = django_filters.CharFilter()

    class Meta:
        model = Supplier
        fields = ["country", "supplier_type", "external_id"]


class SupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SUPPLIER_READ, "POST": Scope.SUPPLIER_WRITE}
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    model = Supplier

    def scoped_queryset(self) -> Any:
        return Supplier.objects.all()

    @extend_schema(request=SupplierSerializer, responses={200: SupplierSerializer, 201: SupplierSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        serializer = SupplierSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplier, created = services.supplier_upsert(
            tenant=request.auth.tenant, by=request.actor, data=dict(serializer.validated_data)
        )
        return Response(
            SupplierSerializer(supplier).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
