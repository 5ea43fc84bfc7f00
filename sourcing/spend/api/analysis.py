"""Spend analysis endpoints for the ERP: the cube, suppliers (Pareto), concentration, price variance, maverick
spend and duplicate vendors, each with the filters of the pages. Registered by sourcing/urls.py from
``api_patterns``."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantAPIView
from sourcing.roles import Scope
from sourcing.spend.selectors import analysis, maverick, variance
from sourcing.spend.selectors import vendors as vendor_selectors

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
        rows = variance.price_variance(self.spend_filter(request), limit=1000)
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
        rows, overall = maverick.maverick_spend(self.spend_filter(request), by=by)

        def as_dict(r: maverick.MaverickRow) -> dict[str, Any]:
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
        clusters = vendor_selectors.duplicate_clusters()
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


api_patterns: list[URLPattern] = [
    path("spend/analysis/cube/", SpendCubeView.as_view(), name="api-spend-cube"),
    path("spend/analysis/suppliers/", SpendParetoView.as_view(), name="api-spend-pareto"),
    path("spend/analysis/concentration/", SpendConcentrationView.as_view(), name="api-spend-concentration"),
    path("spend/analysis/price-variance/", SpendPriceVarianceView.as_view(), name="api-spend-price-variance"),
    path("spend/analysis/maverick/", SpendMaverickView.as_view(), name="api-spend-maverick"),
    path("spend/analysis/duplicates/", SpendDuplicatesView.as_view(), name="api-spend-duplicates"),
]
