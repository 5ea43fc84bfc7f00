"""Factory audit endpoints for the ERP (read only): audits with filters, each with its checklist items and
findings in the detail, and the checklist templates with their questions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from rest_framework import mixins, serializers

from sourcing.api.base import TenantViewSet
from sourcing.categories.requirements import AuditType
from sourcing.roles import Scope
from suppliers.models import AuditFinding, AuditItem, AuditQuestion, AuditStatus, AuditTemplate, FactoryAudit
from suppliers.services.access import access_audit, access_audit_template


class AuditQuestionSerializer(serializers.ModelSerializer[AuditQuestion]):
    class Meta:
        model = AuditQuestion
        fields = ["id", "section", "position", "text", "weight", "is_critical"]
        read_only_fields = fields


class AuditTemplateSerializer(serializers.ModelSerializer[AuditTemplate]):
    questions = AuditQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = AuditTemplate
        fields = ["id", "name", "audit_type", "description", "pass_score", "is_active", "created_at", "questions"]
        read_only_fields = fields


class AuditTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SUPPLIER_READ}
    serializer_class = AuditTemplateSerializer
    http_method_names = ["get", "head", "options"]
    model = AuditTemplate
    access = access_audit_template

    def scoped_queryset(self) -> Any:
        return AuditTemplate.objects.prefetch_related(
            Prefetch("questions", queryset=AuditQuestion.objects.order_by("position"))
        ).order_by("name", "id")


class AuditItemSerializer(serializers.ModelSerializer[AuditItem]):
    class Meta:
        model = AuditItem
        fields = ["id", "section", "position", "text", "weight", "is_critical", "answer", "comment"]
        read_only_fields = fields


class AuditFindingSerializer(serializers.ModelSerializer[AuditFinding]):
    owner_email = serializers.EmailField(source="owner.user.email", read_only=True, allow_null=True, default=None)

    description = serializers.CharField(
        source="display_description", read_only=True, help_text="In the request's language when the system wrote it."
    )

    class Meta:
        model = AuditFinding
        fields = [
            "id",
            "item",
            "severity",
            "description",
            "action",
            "owner",
            "owner_email",
            "due_on",
            "is_closed",
            "created_at",
        ]
        read_only_fields = fields


class FactoryAuditSerializer(serializers.ModelSerializer[FactoryAudit]):
    supplier_name = serializers.CharField(source="supplier.display_name", read_only=True)
    auditor_email = serializers.EmailField(source="auditor.user.email", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)

    class Meta:
        model = FactoryAudit
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "site",
            "template",
            "template_name",
            "audit_type",
            "auditor",
            "auditor_email",
            "status",
            "planned_on",
            "performed_on",
            "score",
            "pass_score",
            "critical_failed",
            "summary",
            "created_at",
        ]
        read_only_fields = fields


class FactoryAuditDetailSerializer(FactoryAuditSerializer):
    items = AuditItemSerializer(many=True, read_only=True)
    findings = AuditFindingSerializer(many=True, read_only=True)

    class Meta(FactoryAuditSerializer.Meta):
        fields = [*FactoryAuditSerializer.Meta.fields, "items", "findings"]
        read_only_fields = fields


class FactoryAuditFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    status = django_filters.ChoiceFilter(choices=AuditStatus.choices)
    audit_type = django_filters.ChoiceFilter(choices=AuditType.choices)

    class Meta:
        model = FactoryAudit
        fields = ["supplier", "status", "audit_type"]


class FactoryAuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SUPPLIER_READ}
    filterset_class = FactoryAuditFilter
    http_method_names = ["get", "head", "options"]
    model = FactoryAudit
    access = access_audit

    def get_serializer_class(self) -> Any:
        return FactoryAuditDetailSerializer if self.action == "retrieve" else FactoryAuditSerializer

    def scoped_queryset(self) -> Any:
        audits = FactoryAudit.objects.select_related("supplier", "auditor__user", "template").order_by(
            "-created_at", "-id"
        )
        if self.action == "retrieve":
            audits = audits.prefetch_related(
                Prefetch("items", queryset=AuditItem.objects.order_by("position")),
                Prefetch("findings", queryset=AuditFinding.objects.select_related("owner__user")),
            )
        return audits


routes = [
    ("audits", FactoryAuditViewSet, "factoryaudit"),
    ("audit-templates", AuditTemplateViewSet, "audittemplate"),
]
