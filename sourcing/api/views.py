"""Core endpoints: who am I, tenant settings, memberships, audit events."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.response import Response

from sourcing import selectors, services
from sourcing.access import access_audit_event, access_membership
from sourcing.api.base import TenantAPIRequest, TenantAPIView, TenantViewSet
from sourcing.api.bodies import CheckedInputMixin
from sourcing.api.permissions import ANY_PRINCIPAL
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role, Scope


class TenantSerializer(CheckedInputMixin, serializers.ModelSerializer[Tenant]):
    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "base_currency", "time_zone", "default_language"]
        read_only_fields = ["id", "slug"]


class TenantSettingsView(TenantAPIView):
    required_scopes = {"GET": Scope.TENANT_READ, "PATCH": Scope.TENANT_WRITE}

    @extend_schema(responses=TenantSerializer)
    def get(self, request: TenantAPIRequest) -> Response:
        return Response(TenantSerializer(request.auth.tenant).data)

    @extend_schema(request=TenantSerializer, responses=TenantSerializer)
    def patch(self, request: TenantAPIRequest) -> Response:
        serializer = TenantSerializer(request.auth.tenant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tenant = services.tenant_update(tenant=request.auth.tenant, by=request.actor, **serializer.validated_data)
        return Response(TenantSerializer(tenant).data)


class MeView(TenantAPIView):
    required_scopes = {"GET": ANY_PRINCIPAL}

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "tenant": TenantSerializer(),
                "principal": inline_serializer(
                    "Principal",
                    {
                        "type": serializers.CharField(),
                        "id": serializers.UUIDField(),
                        "name": serializers.CharField(),
                        "key_scopes": serializers.ListField(child=serializers.CharField()),
                    },
                ),
                "scopes": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request: TenantAPIRequest) -> Response:
        key = request.auth
        return Response(
            {
                "tenant": TenantSerializer(key.tenant).data,
                "principal": {
                    "type": "api_key",
                    "id": str(key.pk),
                    "name": key.name,
                    "key_scopes": key.scopes,
                },
                "scopes": sorted(key.effective_scopes),
            }
        )


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    agency = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "agency", "is_active", "created_at"]

    def get_agency(self, obj: Membership) -> dict[str, Any] | None:
        return {"id": str(obj.agency.pk), "name": obj.agency.name} if obj.agency else None


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.MEMBER_READ}
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    model = Membership
    access = access_membership

    def scoped_queryset(self) -> Any:
        return selectors.member_list()


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "ip_address",
        ]


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "object_type", "object_id", "since", "until"]


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.AUDIT_READ}
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    model = AuditEvent
    access = access_audit_event

    def scoped_queryset(self) -> Any:
        return selectors.audit_event_list()
