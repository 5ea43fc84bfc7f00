"""Findings and baselines endpoints: findings (list with filters, read, create, change status, assignee, note
and amounts), baselines (list, read, freeze, compare with a later period, delete), and raising findings from
the analyses. Registered from ``routes`` and ``api_patterns``.

Request bodies go to the services as sent: they check every value and name the field of each problem. The
input serializers below document the bodies; they do not parse them.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantAPIView, TenantViewSet
from sourcing.api.bodies import MULTI_LINE, InputSerializer, json_body, require_fields
from sourcing.errors import DomainError
from sourcing.roles import Scope
from sourcing.spend.models import Baseline, Finding, FindingKind, FindingStatus
from sourcing.spend.selectors import findings as selectors
from sourcing.spend.services import findings as services
from sourcing.spend.services.access import access_baseline, access_finding

# Findings

REFERENCE = inline_serializer(
    "FindingCategory",
    {"id": serializers.UUIDField(), "code": serializers.CharField(), "name": serializers.CharField()},
    allow_null=True,  # a finding without a category
)
ASSIGNEE = inline_serializer(
    "FindingAssignee",
    {"id": serializers.UUIDField(), "email": serializers.EmailField(), "name": serializers.CharField()},
    allow_null=True,  # not assigned yet
)


# Documented by a pattern, not an enum: an enum property named "status" with another choice set than the
# imports' would make the schema generator rename both enum components (and warn).
@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(FindingStatus.values)})$",
        "description": ", ".join(FindingStatus.values),
    }
)
class FindingStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=FindingStatus.choices, **kwargs)


class FindingSerializer(serializers.ModelSerializer[Finding]):
    status = FindingStatusField(read_only=True)
    category = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    suppliers = serializers.JSONField(read_only=True, help_text='[{"id": vendor id, "name": ...}] when raised')
    title = serializers.CharField(
        source="display_title", read_only=True, help_text="In the request's language when an analysis raised it."
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "kind",
            "title",
            "category",
            "suppliers",
            "amount",
            "estimated_saving",
            "currency",
            "status",
            "assignee",
            "note",
            "key",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(REFERENCE)
    def get_category(self, obj: Finding) -> dict[str, Any] | None:
        if obj.category is None:
            return None
        return {"id": str(obj.category_id), "code": obj.category.code, "name": obj.category.name}

    @extend_schema_field(ASSIGNEE)
    def get_assignee(self, obj: Finding) -> dict[str, Any] | None:
        if obj.assignee is None:
            return None
        user = obj.assignee.user
        return {"id": str(obj.assignee_id), "email": user.email, "name": user.full_name}


class FindingInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=FindingKind.choices)
    title = serializers.CharField(max_length=300)
    category = serializers.UUIDField(required=False, allow_null=True, help_text="One of the tenant's categories.")
    amount = serializers.CharField(required=False, help_text='The spend concerned, as a decimal string ("1250.00").')
    estimated_saving = serializers.CharField(required=False, help_text="A decimal string, 0 or more.")
    note = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)


class FindingChangeSerializer(InputSerializer):
    title = serializers.CharField(max_length=300, required=False)
    category = serializers.UUIDField(required=False, allow_null=True)
    amount = serializers.CharField(required=False)
    estimated_saving = serializers.CharField(required=False)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="With status: the reason (required to dismiss).",
        style=MULTI_LINE,
    )
    status = FindingStatusField(
        required=False,
        help_text="open → in_progress → closed or dismissed; open → dismissed; closed and dismissed → open.",
    )
    assignee = serializers.UUIDField(
        required=False, allow_null=True, help_text="A membership id of an internal member who works with spend."
    )


class FindingFilter(django_filters.FilterSet):
    # Every filter declared by hand: generated ones would be built outside any tenant.
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices)
    kind = django_filters.ChoiceFilter(choices=FindingKind.choices)
    category = django_filters.UUIDFilter(method="filter_category", help_text="Subcategories included.")
    assignee = django_filters.CharFilter(method="filter_assignee", help_text='A membership id, or "none".')

    class Meta:
        model = Finding
        fields = ["status", "kind"]

    def filter_category(self, queryset: QuerySet[Finding], name: str, value: Any) -> QuerySet[Finding]:
        return selectors.in_category(queryset, value) if value else queryset

    def filter_assignee(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        return selectors.held_by(queryset, value) if value else queryset


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("category", uuid.UUID, description="A category id; subcategories included.")]
    )
)
class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SPEND_READ, "POST": Scope.SPEND_WRITE, "PATCH": Scope.SPEND_WRITE}
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    model = Finding
    access = access_finding

    def scoped_queryset(self) -> Any:
        return selectors.finding_queryset()

    @extend_schema(request=FindingInputSerializer, responses={201: FindingSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, FindingInputSerializer)
        require_fields(data, ["kind", "title"])
        if "category" in data:
            data["category_id"] = data.pop("category")
        finding = services.finding_create(tenant=request.auth.tenant, by=request.actor, **data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FindingChangeSerializer,
        responses=FindingSerializer,
        description="Change any of the fields sent, all or nothing: the title, category and amounts, the "
        "assignee (null for nobody), the status (with a note, required to dismiss), or the note alone.",
    )
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        finding = self.get_object()
        data = json_body(request, FindingChangeSerializer)
        tenant, by = request.auth.tenant, request.actor
        with transaction.atomic():  # one request, one outcome: a refused status leaves the rest unchanged
            changes: dict[str, Any] = {
                name: data[name] for name in ("title", "amount", "estimated_saving") if name in data
            }
            if "category" in data:
                changes["category_id"] = data["category"]
            if "note" in data and "status" not in data:
                changes["note"] = data["note"]
            if changes:
                services.finding_update(tenant=tenant, by=by, finding_id=finding.pk, **changes)
            if "assignee" in data:
                services.finding_assign(tenant=tenant, by=by, finding_id=finding.pk, assignee_id=data["assignee"])
            if "status" in data:
                services.finding_set_status(
                    tenant=tenant, by=by, finding_id=finding.pk, status=data["status"], note=data.get("note")
                )
        return Response(FindingSerializer(access_finding(by=by, id=finding.pk, need=Scope.SPEND_WRITE)).data)


# Baselines


class BaselineSerializer(serializers.ModelSerializer[Baseline]):
    frozen_by = serializers.SerializerMethodField()

    class Meta:
        model = Baseline
        fields = [
            "id",
            "name",
            "period_start",
            "period_end",
            "currency",
            "total",
            "line_count",
            "frozen_by",
            "frozen_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_frozen_by(self, obj: Baseline) -> str | None:
        return obj.frozen_by.email if obj.frozen_by else None


class BaselineDetailSerializer(BaselineSerializer):
    by_category = serializers.JSONField(
        read_only=True,
        help_text='[{"category_id", "code", "name", "amount", "lines", "suppliers"}] as frozen; amounts are '
        "strings with two decimals; the row with category_id null is the uncategorised spend.",
    )

    class Meta(BaselineSerializer.Meta):
        fields = [*BaselineSerializer.Meta.fields, "by_category"]
        read_only_fields = fields


class BaselineInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Invoice dates, both days included.")


COMPARISON = inline_serializer(
    "BaselineComparison",
    {
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "currency": serializers.CharField(),
        "rows": inline_serializer(
            "BaselineComparisonRow",
            {
                "category_id": serializers.UUIDField(allow_null=True),
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "baseline": serializers.DecimalField(max_digits=20, decimal_places=2),
                "current": serializers.DecimalField(max_digits=20, decimal_places=2),
                "difference": serializers.DecimalField(max_digits=20, decimal_places=2),
                "difference_pct": serializers.DecimalField(max_digits=20, decimal_places=1, allow_null=True),
                "in_baseline": serializers.BooleanField(),
            },
            many=True,
        ),
        "total": inline_serializer(
            "BaselineComparisonTotal",
            {
                "baseline": serializers.DecimalField(max_digits=20, decimal_places=2),
                "current": serializers.DecimalField(max_digits=20, decimal_places=2),
                "difference": serializers.DecimalField(max_digits=20, decimal_places=2),
                "difference_pct": serializers.DecimalField(max_digits=20, decimal_places=1, allow_null=True),
            },
        ),
    },
)


def _comparison_row(row: selectors.ComparisonRow) -> dict[str, Any]:
    return {
        "category_id": row.category_id,
        "code": row.code,
        "name": row.name,
        "baseline": selectors.money_text(row.baseline),
        "current": selectors.money_text(row.current),
        "difference": selectors.money_text(row.difference),
        "difference_pct": str(row.pct) if row.pct is not None else None,
        "in_baseline": row.in_baseline,
    }


def _query_date(request: TenantAPIRequest, name: str) -> datetime.date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        message = _("Enter a date as YYYY-MM-DD.")
        raise DomainError(message, fields={name: [message]}) from exc


class BaselineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SPEND_READ, "POST": Scope.SPEND_WRITE, "DELETE": Scope.SPEND_WRITE}
    serializer_class = BaselineSerializer
    model = Baseline
    access = access_baseline

    def scoped_queryset(self) -> Any:
        if self.action == "list":
            return selectors.baseline_list()
        return Baseline.objects.select_related("frozen_by")

    def get_serializer_class(self) -> Any:
        return BaselineSerializer if self.action == "list" else BaselineDetailSerializer

    @extend_schema(request=BaselineInputSerializer, responses={201: BaselineDetailSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, BaselineInputSerializer)
        require_fields(data, ["name", "period_start", "period_end"])
        baseline = services.baseline_freeze(tenant=request.auth.tenant, by=request.actor, **data)
        return Response(BaselineDetailSerializer(baseline).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("period_start", datetime.date, description="default: the day after the baseline ends"),
            OpenApiParameter(
                "period_end", datetime.date, description="if given, must close a period as long as the baseline's"
            ),
        ],
        responses=COMPARISON,
        description="Each category's frozen amount against the spend booked on it in a period as long as the "
        "baseline's, with the difference and its percentage of the baseline amount.",
    )
    @action(detail=True, methods=["get"])
    def compare(self, request: TenantAPIRequest, pk: str) -> Response:
        baseline = self.get_object()
        comparison = selectors.baseline_compare(
            baseline=baseline,
            period_start=_query_date(request, "period_start"),
            period_end=_query_date(request, "period_end"),
        )
        total = _comparison_row(comparison.total)
        return Response(
            {
                "period_start": comparison.period_start.isoformat(),
                "period_end": comparison.period_end.isoformat(),
                "currency": comparison.currency,
                "rows": [_comparison_row(row) for row in comparison.rows],
                "total": {k: total[k] for k in ("baseline", "current", "difference", "difference_pct")},
            }
        )

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        services.baseline_delete(tenant=request.auth.tenant, by=request.actor, baseline_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = [
    ("spend/findings", FindingViewSet, "finding"),
    ("spend/baselines", BaselineViewSet, "baseline"),
]


class FindingsRaiseView(TenantAPIView):
    """Raise or refresh the findings the analyses show (price variance, maverick spend, duplicates, single
    source). Findings the team closed or dismissed are left alone."""

    required_scopes = {"POST": Scope.SPEND_WRITE}

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "FindingsRaised", {"created": serializers.IntegerField(), "updated": serializers.IntegerField()}
        ),
    )
    def post(self, request: TenantAPIRequest) -> Response:
        from sourcing.spend.services.finding_rules import findings_raise

        created, updated = findings_raise(tenant=request.auth.tenant, by=request.actor)
        return Response({"created": created, "updated": updated})


api_patterns: list[URLPattern] = [
    path("spend/findings/raise/", FindingsRaiseView.as_view(), name="api-spend-findings-raise"),
]
