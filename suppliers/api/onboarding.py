"""Onboarding task endpoints for the ERP: list with filters, read, complete and reopen, and completion by the
supplier's ERP id and the task's code (how the ERP reports "vendor created"). Registered from ``routes``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.api.bodies import MULTI_LINE, json_body
from sourcing.roles import Scope
from suppliers.models import OnboardingTask, TaskStatus
from suppliers.services import onboarding as services
from suppliers.services.access import access_onboarding_task


class OnboardingTaskSerializer(serializers.ModelSerializer[OnboardingTask]):
    supplier_external_id = serializers.CharField(source="supplier.external_id", read_only=True)
    supplier_name = serializers.CharField(source="supplier.display_name", read_only=True)
    owner_email = serializers.EmailField(source="owner.user.email", read_only=True, allow_null=True, default=None)
    # Plain text with its values described: an enum named "status" would collide with other endpoints' enums.
    status = serializers.CharField(read_only=True, help_text="open, done or waived")
    overdue = serializers.SerializerMethodField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingTask
        fields = [
            "id",
            "supplier",
            "supplier_external_id",
            "supplier_name",
            "code",
            "title",
            "is_required",
            "position",
            "owner",
            "owner_email",
            "due_on",
            "status",
            "overdue",
            "note",
            "has_evidence",
            "file_name",
            "completed_at",
            "completed_by_label",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: OnboardingTask) -> bool:
        return obj.is_overdue()

    def get_has_evidence(self, obj: OnboardingTask) -> bool:
        return bool(obj.file)


class OnboardingTaskFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    supplier_external_id = django_filters.CharFilter(field_name="supplier__external_id")
    code = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = OnboardingTask
        fields = ["supplier", "supplier_external_id", "code", "status", "overdue"]

    def filter_overdue(self, queryset: QuerySet[OnboardingTask], name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        late = Q(status=TaskStatus.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


NOTE_BODY = inline_serializer("OnboardingTaskNote", {"note": serializers.CharField(required=False, style=MULTI_LINE)})
BY_CODE_BODY = inline_serializer(
    "OnboardingTaskCompleteByCode",
    {
        "supplier_external_id": serializers.CharField(),
        "code": serializers.CharField(help_text="e.g. erp_vendor_created"),
        "note": serializers.CharField(required=False, style=MULTI_LINE),
    },
)


class OnboardingTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SUPPLIER_READ, "POST": Scope.SUPPLIER_WRITE}
    serializer_class = OnboardingTaskSerializer
    filterset_class = OnboardingTaskFilter
    model = OnboardingTask
    access = access_onboarding_task

    def scoped_queryset(self) -> Any:
        return OnboardingTask.objects.select_related("supplier", "owner__user").order_by("id")

    def _answer(self, task: OnboardingTask) -> Response:
        return Response(OnboardingTaskSerializer(self.scoped_queryset().filter(pk=task.pk).first()).data)

    @extend_schema(
        request=NOTE_BODY,
        responses=OnboardingTaskSerializer,
        description="Mark the task done, with an optional note; a done task sent again is answered as it stands.",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: TenantAPIRequest, pk: str) -> Response:
        task = self.get_object()
        data = json_body(request, NOTE_BODY)
        task = services.onboarding_task_complete(
            tenant=request.auth.tenant, by=request.actor, task_id=task.pk, note=str(data.get("note") or "")
        )
        return self._answer(task)

    @extend_schema(
        request=None,
        responses=OnboardingTaskSerializer,
        description="Open a done or waived task again.",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: TenantAPIRequest, pk: str) -> Response:
        task = self.get_object()
        json_body(request, [])
        task = services.onboarding_task_reopen(tenant=request.auth.tenant, by=request.actor, task_id=task.pk)
        return self._answer(task)

    @extend_schema(
        operation_id="onboarding_tasks_complete_by_code",
        request=BY_CODE_BODY,
        responses=OnboardingTaskSerializer,
        description="Complete a supplier's task named by the supplier's ERP id and the task's code, e.g. "
        '{"supplier_external_id": "V-100", "code": "erp_vendor_created"}. An unknown supplier or task is 404.',
    )
    @action(detail=False, methods=["post"], url_path="complete", url_name="complete-by-code")
    def complete_by_code(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, BY_CODE_BODY)
        task = services.onboarding_task_complete_by_code(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_external_id=data.get("supplier_external_id"),
            code=data.get("code"),
            note=str(data.get("note") or ""),
        )
        return self._answer(task)


# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = [("onboarding-tasks", OnboardingTaskViewSet, "onboardingtask")]
