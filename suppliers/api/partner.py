"""Supplier endpoints of the partner API (``/api/partner/v1/``), for sourcing agents.

They show no more than the partner pages do (``templates/portal/``): every serializer names its fields, and
none carries bank details, internal or risk notes, risk flags, owners, spend, status reasons, ERP ids, notes of
document versions, uploaders or other agents. An agent reaches only the suppliers assigned to them and the
audits assigned to them on those suppliers; anything else (unassigned, missing, another tenant's) is the same
404. Every write goes through the services the partner pages use.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from sourcing.api.bodies import MULTI_LINE, InputSerializer, json_body, json_flag
from sourcing.api.partner import PartnerAPIRequest, PartnerViewSet
from sourcing.categories.requirements import CertificationType
from sourcing.errors import DomainError
from sourcing.roles import Scope
from sourcing.tenancy import tenant_scope
from suppliers.api.partner_audits import READ_WRITE, PartnerAuditViewSet
from suppliers.models import (
    Certification,
    CertificationState,
    Contact,
    Document,
    DocumentType,
    DocumentVersion,
    Site,
    Supplier,
    SupplierType,
)
from suppliers.selectors.evidence import tenant_today
from suppliers.selectors.master import assigned_supplier_ids, renewed, suppliers_assigned_to
from suppliers.services import certifications as cert_services
from suppliers.services import documents as doc_services
from suppliers.services import master as master_services
from suppliers.services.access import access_certification, access_document, access_supplier_or_merged
from suppliers.services.proposal_matches import proposal_match_audit


def _assigned(request: Any) -> list[Any]:
    """The ids of the suppliers assigned to the calling agent (read first: see ``assigned_supplier_ids``)."""
    return assigned_supplier_ids(user=request.membership.user)


# Suppliers


class PartnerSiteSerializer(serializers.ModelSerializer[Site]):
    class Meta:
        model = Site
        fields = ["id", "name", "kind", "country", "province", "city", "address", "processes"]
        read_only_fields = fields


class PartnerContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "email", "phone", "wechat"]
        read_only_fields = fields


class PartnerSupplierSerializer(serializers.ModelSerializer[Supplier]):
    display_name = serializers.CharField(
        read_only=True, help_text="The English legal name, or the registered Chinese name while there is none."
    )
    sites = PartnerSiteSerializer(many=True, read_only=True)
    contacts = PartnerContactSerializer(many=True, read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "display_name",
            "legal_name",
            "local_name",
            "supplier_type",
            "status",
            "credit_code",
            "country",
            "province",
            "city",
            "website",
            "sites",
            "contacts",
        ]
        read_only_fields = fields


def _suppliers_of(request: Any) -> Any:
    return suppliers_assigned_to(user=request.membership.user).prefetch_related(
        Prefetch("sites", queryset=Site.objects.order_by("name", "id")),
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name", "id")),
    )


class PartnerSupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """The suppliers assigned to you, with their sites and contacts."""

    required_scopes = {"GET": Scope.PORTAL}
    serializer_class = PartnerSupplierSerializer
    http_method_names = ["get", "head", "options"]
    model = Supplier
    access = access_supplier_or_merged

    def scoped_queryset(self) -> Any:
        return _suppliers_of(self.request)


class ProposalSerializer(InputSerializer):
    """For the schema: what a proposal may carry. The body is passed to the service as sent."""

    legal_name = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="The English legal name; may follow later. A proposal gives it or local_name, or both.",
    )
    local_name = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="The registered Chinese name, as on the business licence (营业执照).",
    )
    supplier_type = serializers.ChoiceField(choices=SupplierType.choices, required=False)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, max_length=2)
    province = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)
    website = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    year_founded = serializers.IntegerField(required=False, allow_null=True)
    employees = serializers.IntegerField(required=False, allow_null=True)
    capacity_notes = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)
    category_ids = serializers.ListField(child=serializers.UUIDField(), required=False)
    allow_duplicates = serializers.BooleanField(
        required=False, help_text="Propose it although it may already be known (after a 409 possible_duplicate)."
    )


def _partner_duplicate(exc: master_services.PossibleDuplicate, assigned: set[Any]) -> DomainError:
    """The 409 an agent gets: the candidates assigned to them, with why they matched; of any other supplier only
    that one may exist (no id, no name), as on the partner page."""
    error = DomainError(exc.message, code=exc.code).with_status(exc.status)
    error.details = {
        "candidates": [
            {
                "id": str(c.supplier.pk),
                "legal_name": c.supplier.legal_name,
                "local_name": c.supplier.local_name,
                "reasons": [str(r) for r in c.reasons],
            }
            for c in exc.candidates
            if c.supplier.pk in assigned
        ],
        "other_match": any(c.supplier.pk not in assigned for c in exc.candidates),
    }
    error.probe_audit = exc.probe_audit  # type: ignore[attr-defined]
    return error


class PartnerProposalViewSet(PartnerViewSet):
    """Propose a supplier you found: it enters as a prospect, proposed by you and assigned to you."""

    required_scopes = {"POST": Scope.PORTAL}
    http_method_names = ["post", "options"]
    model = Supplier

    def scoped_queryset(self) -> Any:
        return _suppliers_of(self.request)

    @extend_schema(request=ProposalSerializer, responses={201: PartnerSupplierSerializer})
    def create(self, request: PartnerAPIRequest) -> Response:
        data = json_body(request, ProposalSerializer)
        allow = json_flag(data, "allow_duplicates")
        data.pop("allow_duplicates", None)
        try:
            supplier = master_services.supplier_propose(
                tenant=request.auth.tenant,
                by=request.actor,
                fields=master_services.ProposalFields.of(data),
                allow_duplicates=allow,
            )
        except master_services.PossibleDuplicate as exc:
            assigned = set(suppliers_assigned_to(user=request.membership.user).values_list("pk", flat=True))
            raise _partner_duplicate(exc, assigned) from exc
        fresh = self.scoped_queryset().get(pk=supplier.pk)
        return Response(PartnerSupplierSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def handle_exception(self, exc: Exception) -> Response:
        after = getattr(exc, "probe_audit", None)
        if after is not None:
            # The service recorded the probe, but in the request's transaction, rolled back with the refusal.
            request: Any = self.request
            with tenant_scope(request.auth.tenant):
                proposal_match_audit(tenant=request.auth.tenant, by=request.actor, after=after)
        return super().handle_exception(exc)


# Certifications


class PartnerCertificationSerializer(serializers.ModelSerializer[Certification]):
    site_name = serializers.CharField(source="site.name", read_only=True, allow_null=True, default=None)
    state = serializers.SerializerMethodField()
    renewed = serializers.BooleanField(
        source="is_renewed",
        read_only=True,
        help_text="A later certificate of the same type, name and site, valid by today, renews it.",
    )

    class Meta:
        model = Certification
        fields = [
            "id",
            "supplier",
            "site",
            "site_name",
            "cert_type",
            "name",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "state",
            "renewed",
            "file_name",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CertificationState.choices))
    def get_state(self, obj: Certification) -> str:
        return str(obj.state(self.context.get("today")))


class PartnerCertificationInputSerializer(InputSerializer):
    supplier = serializers.UUIDField(help_text="One of the suppliers assigned to you.")
    cert_type = serializers.ChoiceField(choices=CertificationType.choices)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField()
    site = serializers.UUIDField(required=False, allow_null=True, help_text="One of the supplier's sites.")
    file = serializers.FileField(required=False, allow_empty_file=True, help_text="PDF, image, Word or Excel.")


class SupplierFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")


class CertificationFilter(SupplierFilter):
    class Meta:
        model = Certification
        fields = ["supplier"]


def _today_context(view: Any, context: dict[str, Any]) -> dict[str, Any]:
    if not getattr(view, "swagger_fake_view", False):
        context["today"] = tenant_today(view.request.auth.tenant)
    return context


class PartnerCertificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Certificates of the suppliers assigned to you. POST (multipart, the file in ``file``) adds one; the file
    is accepted by its content. ``state`` is the state today in the tenant's time zone."""

    required_scopes = READ_WRITE
    serializer_class = PartnerCertificationSerializer
    filterset_class = CertificationFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "head", "options"]
    model = Certification
    access = access_certification

    def scoped_queryset(self) -> Any:
        request: Any = self.request
        today = None if getattr(self, "swagger_fake_view", False) else tenant_today(request.auth.tenant)
        return (
            Certification.objects.filter(supplier_id__in=_assigned(self.request))
            .annotate(is_renewed=renewed(today))
            .select_related("site")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return _today_context(self, dict(super().get_serializer_context()))

    @extend_schema(request=PartnerCertificationInputSerializer, responses={201: PartnerCertificationSerializer})
    def create(self, request: PartnerAPIRequest) -> Response:
        serializer = PartnerCertificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.get("file")
        certification = cert_services.certification_create(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_id=data.pop("supplier"),
            site_id=data.pop("site", None),
            file_name=upload.name if upload is not None else "",
            **data,
        )
        fresh = self.scoped_queryset().get(pk=certification.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


# Documents


class PartnerDocumentVersionSerializer(serializers.ModelSerializer[DocumentVersion]):
    class Meta:
        model = DocumentVersion
        fields = ["id", "version", "file_name", "size", "uploaded_at"]
        read_only_fields = fields


class PartnerDocumentSerializer(serializers.ModelSerializer[Document]):
    versions = PartnerDocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "supplier", "doc_type", "title", "expires_on", "created_at", "versions"]
        read_only_fields = fields


class PartnerDocumentUploadSerializer(InputSerializer):
    supplier = serializers.UUIDField(help_text="One of the suppliers assigned to you.")
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, image, Word or Excel.")
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    expires_on = serializers.DateField(required=False, allow_null=True)


class PartnerVersionUploadSerializer(InputSerializer):
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, image, Word or Excel.")
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text="A new expiry date for the document, if it changed."
    )


class DocumentFilter(SupplierFilter):
    class Meta:
        model = Document
        fields = ["supplier"]


class PartnerDocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Documents of the suppliers assigned to you, each with its versions (newest first). POST (multipart)
    uploads a file as the next version of the supplier's document with the same title and type, or as version
    1 of a new one; ``POST documents/{id}/versions/`` adds the next version of that document."""

    required_scopes = READ_WRITE
    serializer_class = PartnerDocumentSerializer
    filterset_class = DocumentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]  # JSON only to be told the file is missing
    http_method_names = ["get", "post", "head", "options"]
    model = Document
    access = access_document

    def scoped_queryset(self) -> Any:
        return Document.objects.filter(supplier_id__in=_assigned(self.request)).prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.order_by("-version"))
        )

    def _answer(self, version: DocumentVersion, code: int) -> Response:
        document = self.scoped_queryset().get(pk=version.document_id)
        return Response(PartnerDocumentSerializer(document).data, status=code)

    @extend_schema(request=PartnerDocumentUploadSerializer, responses={201: PartnerDocumentSerializer})
    def create(self, request: PartnerAPIRequest) -> Response:
        serializer = PartnerDocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        version = doc_services.document_upload(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_id=data.pop("supplier"),
            file=upload,
            file_name=upload.name or "",
            **data,
        )
        return self._answer(version, status.HTTP_201_CREATED)

    @extend_schema(request=PartnerVersionUploadSerializer, responses={201: PartnerDocumentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def versions(self, request: PartnerAPIRequest, pk: str) -> Response:
        document = self.get_object()
        serializer = PartnerVersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        version = doc_services.document_upload(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_id=document.supplier_id,
            document_id=document.pk,
            file=upload,
            file_name=upload.name or "",
            expires_on=serializer.validated_data.get("expires_on"),
        )
        return self._answer(version, status.HTTP_201_CREATED)


# (prefix, viewset, basename) for the partner router; basenames differ from the ERP API's.
routes: list[tuple[str, Any, str]] = [
    ("suppliers", PartnerSupplierViewSet, "partner-supplier"),
    ("supplier-proposals", PartnerProposalViewSet, "partner-proposal"),
    ("certifications", PartnerCertificationViewSet, "partner-certification"),
    ("documents", PartnerDocumentViewSet, "partner-document"),
    ("audits", PartnerAuditViewSet, "partner-audit"),
]
