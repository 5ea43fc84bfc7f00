"""Spend import endpoints for the ERP: imports (a file, or lines as JSON). Registered by sourcing/urls.py from
``routes`` and ``api_patterns``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantAPIView, TenantViewSet
from sourcing.errors import DomainError
from sourcing.roles import Scope
from sourcing.spend.columns import CANONICAL_COLUMNS
from sourcing.spend.models import SpendImport
from sourcing.spend.selectors import imports as selectors
from sourcing.spend.services import imports as services
from sourcing.spend.services.access import access_spend_import


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
    access = access_spend_import
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


routes: list[tuple[str, Any, str]] = [
    ("spend/imports", SpendImportViewSet, "spendimport"),
]
api_patterns: list[URLPattern] = [
    path("spend/lines/bulk/", SpendLinesBulkView.as_view(), name="api-spend-lines-bulk"),
]
