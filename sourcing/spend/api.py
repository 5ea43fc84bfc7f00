"""Spend endpoints for the ERP: imports (a file, or lines as JSON), the imported lines, and vendors.
Registered by sourcing/urls.py from ``routes`` and ``api_patterns``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantAPIView, TenantViewSet
from sourcing.errors import DomainError
from sourcing.roles import Scope
from sourcing.spend import analysis, selectors, services, vendors
from sourcing.spend.columns import CANONICAL_COLUMNS
from sourcing.spend.models import SpendImport, SpendLine, Vendor


class SpendImportSerializer(serializers.ModelSerializer[SpendImport]):
    class Meta:
        model = SpendImport
        fields = [
            "id",
            "source",
            "file_name",
            "file_sha256",
            "mapping",
            "status",
            "encoding",
            "rows_total",
            "lines_created",
            "lines_duplicate",
            "error_count",
            "duplicate_of",
            "created_by_label",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class SpendImportDetailSerializer(SpendImportSerializer):
    progress = serializers.SerializerMethodField()
    errors = serializers.JSONField(  # type: ignore[assignment]  # the import's errors, not the serializer's
        read_only=True, help_text="[{row, column, message, value}], every error found"
    )

    class Meta(SpendImportSerializer.Meta):
        fields = [*SpendImportSerializer.Meta.fields, "progress", "errors"]
        read_only_fields = fields

    def get_progress(self, obj: SpendImport) -> int:
        return services.spend_import_progress(spend_import=obj)


class SpendImportFilter(django_filters.FilterSet):
    status = django_filters.CharFilter()
    source = django_filters.CharFilter()

    class Meta:
        model = SpendImport
        fields = ["status", "source"]


class SpendImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Imports. POST a file (multipart, field ``file``; optional ``mapping`` id): it is checked by its bytes,
    recorded and queued; the answer is 202 with the import, whose status, progress and every error can then
    be read here."""

    required_scopes = {"GET": Scope.SPEND_READ, "POST": Scope.SPEND_IMPORT}
    serializer_class = SpendImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]  # JSON only to be told the file is missing
    model = SpendImport
    filterset_class = SpendImportFilter

    def scoped_queryset(self) -> Any:
        return selectors.spend_import_list()

    def get_serializer_class(self) -> Any:
        return SpendImportDetailSerializer if self.action == "retrieve" else SpendImportSerializer

    @extend_schema(
        request=inline_serializer(
            "SpendImportUpload", {"file": serializers.FileField(), "mapping": serializers.UUIDField(required=False)}
        ),
        responses={202: SpendImportDetailSerializer},
    )
    def create(self, request: TenantAPIRequest) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(_("Send the file in the field “file”."), fields={"file": [_("This field is required.")]})
        spend_import = services.spend_import_submit(
            tenant=request.auth.tenant,
            by=request.actor,
            upload=upload,
            file_name=upload.name or "spend.csv",
            mapping_id=request.POST.get("mapping") or None,
        )
        return Response(SpendImportDetailSerializer(spend_import).data, status=status.HTTP_202_ACCEPTED)


class SpendLinesBulkView(TenantAPIView):
    """Lines as JSON, in the canonical columns: all written or none. Send ``Idempotency-Key`` so that a retry
    after a lost answer replays it; a line that is already here is skipped either way."""

    required_scopes = {"POST": Scope.SPEND_IMPORT}
    parser_classes = [JSONParser]

    @extend_schema(
        request=inline_serializer(
            "SpendLinesBulk",
            {
                "source": serializers.CharField(required=False, help_text="a label, e.g. the ERP batch id"),
                "lines": serializers.ListField(
                    child=serializers.DictField(), help_text=f"objects with keys {', '.join(CANONICAL_COLUMNS)}"
                ),
            },
        ),
        responses={201: SpendImportSerializer},
    )
    def post(self, request: TenantAPIRequest) -> Response:
        data = request.data
        if not isinstance(data, dict):
            raise DomainError(_("Send a JSON object with “lines”."))
        unknown = sorted(set(data) - {"lines", "source"})
        if unknown:
            raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})
        spend_import = services.spend_lines_bulk(
            tenant=request.auth.tenant,
            by=request.actor,
            lines=data.get("lines"),  # type: ignore[arg-type]  # the service checks its shape
            source_name=str(data.get("source") or ""),
        )
        return Response(SpendImportSerializer(spend_import).data, status=status.HTTP_201_CREATED)


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

    def scoped_queryset(self) -> QuerySet[SpendLine]:
        return SpendLine.objects.select_related("vendor", "category")


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

    def scoped_queryset(self) -> QuerySet[Vendor]:
        return Vendor.objects.all()


routes: list[tuple[str, Any, str]] = [
    ("spend/imports", SpendImportViewSet, "spendimport"),
    ("spend/lines", SpendLineViewSet, "spendline"),
    ("spend/vendors", VendorViewSet, "vendor"),
]
api_patterns: list[URLPattern] = [
    path("spend/lines/bulk/", SpendLinesBulkView.as_view(), name="api-spend-lines-bulk"),
]

# Findings and baselines (sourcing/spend/findings_api.py).
from sourcing.spend import findings_api  # noqa: E402

routes += findings_api.routes


# --- analyses ---------------------------------------------------------------------------------------------------

_FILTER_PARAMETERS = [
    OpenApiParameter("date_from", str, description="invoice date from (YYYY-MM-DD)"),
    OpenApiParameter("date_to", str, description="invoice date to (YYYY-MM-DD)"),
    OpenApiParameter("category", str, description="a category id (its subtree included), or 'uncategorised'"),
    OpenApiParameter("supplier", str, description="a supplier key, as returned by these endpoints"),
    OpenApiParameter("cost_center", str),
    OpenApiParameter("classification", str, enum=["direct", "indirect", "one_off"]),
]


def _money(value: Any) -> str:
    return f"{value:.2f}"


class SpendAnalysisView(TenantAPIView):
    required_scopes = {"GET": Scope.SPEND_READ}

    def spend_filter(self, request: TenantAPIRequest) -> analysis.SpendFilter:
        return analysis.SpendFilter.from_query(request.query_params)


class SpendCubeView(SpendAnalysisView):
    """Spend by two dimensions; a category's amount includes its subcategories. Amounts in the base currency."""

    @extend_schema(
        parameters=[
            *_FILTER_PARAMETERS,
            OpenApiParameter("rows", str, enum=list(analysis.DIMENSIONS)),
            OpenApiParameter("columns", str, enum=list(analysis.DIMENSIONS)),
            OpenApiParameter("period", str, enum=list(analysis.PERIODS)),
        ],
        responses=inline_serializer(
            "SpendCube",
            {
                "currency": serializers.CharField(),
                "total": serializers.CharField(),
                "lines": serializers.IntegerField(),
                "columns": serializers.ListField(child=serializers.DictField()),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: TenantAPIRequest) -> Response:
        rows, columns, period = analysis.cube_axes(request.query_params)
        cube = analysis.spend_cube(self.spend_filter(request), rows=rows, columns=columns, period=period, limit=0)
        return Response(
            {
                "currency": request.auth.tenant.base_currency,
                "total": _money(cube.total),
                "lines": cube.lines,
                "columns": [
                    {"key": c.key, "label": c.label, "total": _money(cube.column_totals[c.key])} for c in cube.columns
                ],
                "rows": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "depth": r.depth,
                        "total": _money(total),
                        "cells": {c.key: _money(v) for c, v in zip(cube.columns, cells, strict=True) if v},
                    }
                    for r, cells, total in cube.table()
                ],
            }
        )


class SpendParetoView(SpendAnalysisView):
    @extend_schema(
        parameters=_FILTER_PARAMETERS,
        responses=inline_serializer(
            "SpendPareto",
            {
                "currency": serializers.CharField(),
                "total": serializers.CharField(),
                "suppliers_for_80_pct": serializers.IntegerField(),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: TenantAPIRequest) -> Response:
        pareto = analysis.supplier_pareto(self.spend_filter(request))
        return Response(
            {
                "currency": request.auth.tenant.base_currency,
                "total": _money(pareto.total),
                "suppliers_for_80_pct": pareto.suppliers_for_80,
                "rows": [
                    {
                        "supplier": r.ref.key,
                        "name": r.ref.name,
                        "linked": r.ref.matched,
                        "amount": _money(r.amount),
                        "share_pct": str(r.share),
                        "cumulative_pct": str(r.cumulative),
                    }
                    for r in pareto.rows
                ],
            }
        )


class SpendConcentrationView(SpendAnalysisView):
    @extend_schema(
        parameters=_FILTER_PARAMETERS,
        responses=inline_serializer(
            "SpendConcentration",
            {"currency": serializers.CharField(), "rows": serializers.ListField(child=serializers.DictField())},
        ),
    )
    def get(self, request: TenantAPIRequest) -> Response:
        rows = analysis.category_concentration(self.spend_filter(request))
        return Response(
            {
                "currency": request.auth.tenant.base_currency,
                "rows": [
                    {
                        "category": r.header.key,
                        "label": r.header.label,
                        "amount": _money(r.total),
                        "suppliers": r.suppliers,
                        "top_supplier": r.top.key if r.top else None,
                        "top_share_pct": str(r.top_share),
                        "hhi": r.hhi,
                        "single_source": r.single_source,
                    }
                    for r in rows
                ],
            }
        )


class SpendPriceVarianceView(SpendAnalysisView):
    @extend_schema(
        parameters=_FILTER_PARAMETERS,
        responses=inline_serializer(
            "SpendPriceVariance",
            {"currency": serializers.CharField(), "rows": serializers.ListField(child=serializers.DictField())},
        ),
    )
    def get(self, request: TenantAPIRequest) -> Response:
        rows = analysis.price_variance(self.spend_filter(request), limit=1000)
        return Response(
            {
                "currency": request.auth.tenant.base_currency,
                "rows": [
                    {
                        "item_sku": r.item_sku,
                        "uom": r.uom,
                        "description": r.description,
                        "lines": r.lines,
                        "suppliers": r.suppliers,
                        "quantity": str(r.quantity),
                        "spend": _money(r.spend),
                        "best_price": str(r.best_price),
                        "highest_price": str(r.worst_price),
                        "spread_pct": str(r.spread_pct),
                        "saving_at_best_price": _money(r.saving),
                    }
                    for r in rows
                ],
            }
        )


class SpendMaverickView(SpendAnalysisView):
    @extend_schema(
        parameters=[*_FILTER_PARAMETERS, OpenApiParameter("by", str, enum=["category", "cost_center"])],
        responses=inline_serializer(
            "SpendMaverick",
            {
                "currency": serializers.CharField(),
                "total": serializers.DictField(),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: TenantAPIRequest) -> Response:
        by = "cost_center" if request.query_params.get("by") == "cost_center" else "category"
        rows, overall = analysis.maverick_spend(self.spend_filter(request), by=by)

        def as_dict(r: analysis.MaverickRow) -> dict[str, Any]:
            return {
                "key": r.header.key,
                "label": r.header.label,
                "amount": _money(r.total),
                "without_po": _money(r.no_po),
                "supplier_not_approved": _money(r.unapproved),
                "maverick": _money(r.maverick),
                "maverick_pct": str(r.share),
            }

        return Response(
            {
                "currency": request.auth.tenant.base_currency,
                "total": as_dict(overall),
                "rows": [as_dict(r) for r in rows],
            }
        )


class SpendDuplicatesView(SpendAnalysisView):
    @extend_schema(
        responses=inline_serializer(
            "SpendDuplicates",
            {"currency": serializers.CharField(), "clusters": serializers.ListField(child=serializers.DictField())},
        )
    )
    def get(self, request: TenantAPIRequest) -> Response:
        clusters = vendors.duplicate_clusters()
        return Response(
            {
                "currency": request.auth.tenant.base_currency,
                "clusters": [
                    {
                        "score": c.score,
                        "amount": _money(c.spend),
                        "vendors": [
                            {"id": str(v.pk), "name": v.name, "erp_id": v.erp_id, "amount": _money(s)}
                            for v, s in c.vendors
                        ],
                    }
                    for c in clusters
                ],
            }
        )


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
        from sourcing.spend.finding_rules import findings_raise

        created, updated = findings_raise(tenant=request.auth.tenant, by=request.actor)
        return Response({"created": created, "updated": updated})


api_patterns += [
    path("spend/findings/raise/", FindingsRaiseView.as_view(), name="api-spend-findings-raise"),
    path("spend/analysis/cube/", SpendCubeView.as_view(), name="api-spend-cube"),
    path("spend/analysis/suppliers/", SpendParetoView.as_view(), name="api-spend-pareto"),
    path("spend/analysis/concentration/", SpendConcentrationView.as_view(), name="api-spend-concentration"),
    path("spend/analysis/price-variance/", SpendPriceVarianceView.as_view(), name="api-spend-price-variance"),
    path("spend/analysis/maverick/", SpendMaverickView.as_view(), name="api-spend-maverick"),
    path("spend/analysis/duplicates/", SpendDuplicatesView.as_view(), name="api-spend-duplicates"),
]
