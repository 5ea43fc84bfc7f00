"""Category endpoints for the ERP: list with filters, read, create and change (registered by sourcing/urls.py
from ``routes`` and ``api_patterns``). Every write goes through the services."""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import URLPattern
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.api.bodies import MULTI_LINE, InputSerializer
from sourcing.categories.fields import REQUIREMENT_FIELDS
from sourcing.categories.models import Category, KraljicPosition, Segment
from sourcing.categories.selectors import categories as selectors
from sourcing.categories.services import categories as services
from sourcing.categories.services.access import access_category
from sourcing.roles import Scope


class CategorySerializer(serializers.ModelSerializer[Category]):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)
    owner_email = serializers.EmailField(source="owner.user.email", read_only=True, allow_null=True, default=None)
    kraljic_position = serializers.ChoiceField(choices=KraljicPosition.choices, read_only=True, allow_null=True)
    children_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "description",
            "parent",
            "parent_code",
            "owner",
            "owner_email",
            "segment",
            "profit_impact",
            "supply_risk",
            "kraljic_position",
            "is_production_material",
            "expected_lead_time_days",
            "compliance_requirements",
            "required_certifications",
            "required_audits",
            "service_levels",
            "children_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _requirement_list(name: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=REQUIREMENT_FIELDS[name].choices), required=False
    )


class CategoryInputSerializer(InputSerializer):
    """What a client sends; the service checks what needs the database (codes, parents, owners)."""

    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)
    # The metaclass takes declared fields off the class, so this does not clash with Field.parent at run time.
    parent = serializers.UUIDField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="The parent category's id."
    )
    owner = serializers.UUIDField(
        required=False, allow_null=True, help_text="Membership id of a category manager or administrator."
    )
    segment = serializers.ChoiceField(choices=Segment.choices, required=False, allow_blank=True)
    profit_impact = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    supply_risk = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    is_production_material = serializers.BooleanField(required=False)
    expected_lead_time_days = serializers.IntegerField(min_value=0, max_value=3650, required=False, allow_null=True)
    compliance_requirements = _requirement_list("compliance_requirements")
    required_certifications = _requirement_list("required_certifications")
    required_audits = _requirement_list("required_audits")
    service_levels = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        for name in ("parent", "owner"):
            if name in data:
                data[f"{name}_id"] = data.pop(name)
        return data


class CategoryFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    parent = django_filters.UUIDFilter(field_name="parent_id")
    segment = django_filters.ChoiceFilter(choices=Segment.choices)

    class Meta:
        model = Category
        fields = ["code", "parent", "segment"]


class CategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {
        "GET": Scope.CATEGORY_READ,
        "POST": Scope.CATEGORY_WRITE,
        "PATCH": Scope.CATEGORY_WRITE,
        "DELETE": Scope.CATEGORY_WRITE,
    }
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    model = Category
    access = access_category

    def scoped_queryset(self) -> Any:
        return selectors.category_queryset()

    def _answer(self, request: TenantAPIRequest, category: Category, code: int = status.HTTP_200_OK) -> Response:
        # Read back as a list row is read, so the answer carries what a list row carries.
        read = access_category(by=request.actor, id=category.pk, need=Scope.CATEGORY_WRITE)
        return Response(CategorySerializer(read).data, status=code)

    @extend_schema(request=CategoryInputSerializer, responses={201: CategorySerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(
            tenant=request.auth.tenant, by=request.actor, **serializer.service_arguments()
        )
        return self._answer(request, category, status.HTTP_201_CREATED)

    @extend_schema(request=CategoryInputSerializer, responses=CategorySerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        category = self.get_object()
        serializer = CategoryInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.category_update(
            tenant=request.auth.tenant, by=request.actor, category_id=category.pk, **serializer.service_arguments()
        )
        return self._answer(request, category)


# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = [("categories", CategoryViewSet, "category")]
# plain endpoints (APIView subclasses of sourcing.api.base.TenantAPIView)
api_patterns: list[URLPattern] = []
