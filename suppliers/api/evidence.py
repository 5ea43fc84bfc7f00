"""Certification and document endpoints for the ERP. Reads need ``supplier:read``, writes
``supplier:evidence``; every write goes through the services. Files are sent as multipart (field ``file``);
a certification may also be created from JSON, without a file."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import URLPattern
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.api.bodies import MULTI_LINE, InputSerializer
from sourcing.categories.requirements import CertificationType
from sourcing.errors import DomainError
from sourcing.roles import Scope
from suppliers.models import Certification, CertificationState, Document, DocumentType, DocumentVersion
from suppliers.selectors import evidence as selectors
from suppliers.selectors.master import renewed, started
from suppliers.services import certifications as cert_services
from suppliers.services import documents as doc_services
from suppliers.services.access import access_certification, access_document


def _today(request: Any) -> datetime.date:
    return selectors.tenant_today(request.auth.tenant)


# The state today in the tenant's time zone, by the dates alone; ``renewed`` says whether a later one replaces it.
STATE_FIELD = serializers.ChoiceField(choices=CertificationState.choices)


class CertificationSerializer(serializers.ModelSerializer[Certification]):
    state = serializers.SerializerMethodField()
    renewed = serializers.BooleanField(
        source="is_renewed",
        read_only=True,
        help_text="A later certificate of the same type, name and site, valid by today, renews it.",
    )
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = [
            "id",
            "supplier",
            "site",
            "cert_type",
            "name",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "state",
            "renewed",
            "has_file",
            "file_name",
            "content_type",
            "size",
            "uploaded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(STATE_FIELD)
    def get_state(self, obj: Certification) -> str:
        return str(obj.state(self.context.get("today")))

    def get_has_file(self, obj: Certification) -> bool:
        return bool(obj.file)


class CertificationInputSerializer(InputSerializer):
    supplier = serializers.UUIDField(help_text="The supplier's id.")
    cert_type = serializers.ChoiceField(choices=CertificationType.choices)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField()
    site = serializers.UUIDField(required=False, allow_null=True, help_text="One of the supplier's sites.")
    file = serializers.FileField(required=False, allow_empty_file=True, help_text="PDF, image, Word or Excel.")

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "supplier" in data:
            data["supplier_id"] = data.pop("supplier")
        if "site" in data:
            data["site_id"] = data.pop("site")
        upload = data.get("file")
        if upload is not None:
            data["file_name"] = upload.name or ""
        return data


class CertificationUpdateSerializer(CertificationInputSerializer):
    supplier = None  # type: ignore[assignment]  # a certificate stays with its supplier


class CertificationFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    cert_type = django_filters.ChoiceFilter(choices=CertificationType.choices)
    state = django_filters.ChoiceFilter(choices=CertificationState.choices, method="filter_state")
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring_within", help_text="Days: unexpired certificates that end within this many days."
    )

    class Meta:
        model = Certification
        fields = ["supplier", "cert_type", "state", "expiring_within"]

    def filter_state(self, queryset: QuerySet[Certification], name: str, value: str) -> QuerySet[Certification]:
        """A renewed certificate is neither expired nor expiring: nothing is to be done about it."""
        queryset = queryset.filter(selectors.state_bounds(value, _today(self.request)))
        if value in {CertificationState.VALID, CertificationState.NOT_YET_VALID}:
            return queryset
        return queryset.filter(is_renewed=False)  # type: ignore[misc]  # annotated by scoped_queryset

    def filter_expiring_within(
        self, queryset: QuerySet[Certification], name: str, value: Any
    ) -> QuerySet[Certification]:
        if value is None or value < 0 or value > 3660:
            raise DomainError(
                _("Give a number of days from 0 to 3660."),
                fields={"expiring_within": [_("Give a number of days from 0 to 3660.")]},
            )
        today = _today(self.request)
        ending = queryset.filter(
            started(today), valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=int(value))
        )
        return ending.filter(is_renewed=False)  # type: ignore[misc]  # annotated by scoped_queryset


class CertificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Certifications. POST creates one (JSON, or multipart with the file in ``file``); PATCH changes its
    fields or replaces its file; DELETE removes it. ``state`` is the state today in the tenant's time zone."""

    required_scopes = {
        "GET": Scope.SUPPLIER_READ,
        "POST": Scope.SUPPLIER_EVIDENCE,
        "PATCH": Scope.SUPPLIER_EVIDENCE,
        "DELETE": Scope.SUPPLIER_EVIDENCE,
    }
    serializer_class = CertificationSerializer
    filterset_class = CertificationFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    model = Certification
    access = access_certification

    def scoped_queryset(self) -> Any:
        today = None if getattr(self, "swagger_fake_view", False) else _today(self.request)
        return Certification.objects.annotate(is_renewed=renewed(today)).order_by("valid_until", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["today"] = _today(self.request)
        return context

    def _answer(self, certification: Certification, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.scoped_queryset().get(pk=certification.pk)
        return Response(CertificationSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CertificationInputSerializer, responses={201: CertificationSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        serializer = CertificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certification = cert_services.certification_create(
            tenant=request.auth.tenant, by=request.actor, **serializer.service_arguments()
        )
        return self._answer(certification, status.HTTP_201_CREATED)

    @extend_schema(request=CertificationUpdateSerializer, responses=CertificationSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        certification = self.get_object()
        serializer = CertificationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        certification = cert_services.certification_update(
            tenant=request.auth.tenant,
            by=request.actor,
            certification_id=certification.pk,
            **serializer.service_arguments(),
        )
        return self._answer(certification)

    @extend_schema(responses={204: None})
    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        certification = self.get_object()
        cert_services.certification_delete(
            tenant=request.auth.tenant, by=request.actor, certification_id=certification.pk
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentVersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    class Meta:
        model = DocumentVersion
        fields = ["id", "version", "file_name", "content_type", "size", "note", "uploaded_at"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer[Document]):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "supplier", "doc_type", "title", "expires_on", "created_at", "versions"]
        read_only_fields = fields


class DocumentUploadSerializer(InputSerializer):
    supplier = serializers.UUIDField(help_text="The supplier's id.")
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, image, Word or Excel.")
    document = serializers.UUIDField(
        required=False, allow_null=True, help_text="Add the file as the next version of this document."
    )
    doc_type = serializers.ChoiceField(choices=DocumentType.choices, required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    expires_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, style=MULTI_LINE)


class DocumentUpdateSerializer(InputSerializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    expires_on = serializers.DateField(required=False, allow_null=True)


class DocumentFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    doc_type = django_filters.ChoiceFilter(choices=DocumentType.choices)

    class Meta:
        model = Document
        fields = ["supplier", "doc_type"]


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Documents with every version (newest first). POST (multipart) uploads a version: of ``document`` when
    given, else of the supplier's document with the same title and type, else of a new document. PATCH changes
    a document's title, type or expiry; DELETE removes it with every version and file."""

    required_scopes = {
        "GET": Scope.SUPPLIER_READ,
        "POST": Scope.SUPPLIER_EVIDENCE,
        "PATCH": Scope.SUPPLIER_EVIDENCE,
        "DELETE": Scope.SUPPLIER_EVIDENCE,
    }
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    parser_classes = [
        MultiPartParser,
        FormParser,
        JSONParser,
    ]  # JSON for PATCH, and for POST to be told the file is missing
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    model = Document
    access = access_document

    def scoped_queryset(self) -> Any:
        from django.db.models import Prefetch

        return Document.objects.prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.order_by("-version"))
        ).order_by("created_at", "id")

    @extend_schema(request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        version = doc_services.document_upload(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_id=data.pop("supplier"),
            document_id=data.pop("document", None),
            file=upload,
            file_name=upload.name or "",
            **data,
        )
        document = self.scoped_queryset().get(pk=version.document_id)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DocumentUpdateSerializer, responses=DocumentSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        document = self.get_object()
        serializer = DocumentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        doc_services.document_update(
            tenant=request.auth.tenant, by=request.actor, document_id=document.pk, **serializer.validated_data
        )
        return Response(DocumentSerializer(self.scoped_queryset().get(pk=document.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        document = self.get_object()
        doc_services.document_delete(tenant=request.auth.tenant, by=request.actor, document_id=document.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = [
    ("certifications", CertificationViewSet, "certification"),
    ("documents", DocumentViewSet, "document"),
]
api_patterns: list[URLPattern] = []
