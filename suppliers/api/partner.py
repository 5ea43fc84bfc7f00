"""Supplier endpoints of the partner API (``/api/partner/v1/``), for sourcing agents.

They show no more than the partner pages do (``templates/portal/``): every serializer names its fields, and
none carries bank details, internal or risk notes, risk flags, owners, spend, status reasons, ERP ids, notes of
document versions, uploaders or other agents. An agent reaches only the suppliers assigned to them and the
audits assigned to them on those suppliers; anything else (unassigned, missing, another tenant's) is the same
404. Every write goes through the services the partner pages use.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from sourcing.api.bodies import json_body, json_flag
from sourcing.api.partner import PartnerAPIRequest, PartnerViewSet
from sourcing.categories.requirements import CertificationType
from sourcing.errors import DomainError
from sourcing.ids import as_uuid
from sourcing.roles import Scope
from suppliers.models import (
    AnswerChoice,
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditStatus,
    Certification,
    CertificationState,
    Contact,
    Document,
    DocumentType,
    DocumentVersion,
    FactoryAudit,
    Site,
    Supplier,
    SupplierType,
)
from suppliers.selectors import audits as audit_selectors
from suppliers.selectors.evidence import tenant_today
from suppliers.selectors.master import renewed, supplier_list_for_agent
from suppliers.services import audits as audit_services
from suppliers.services import certifications as cert_services
from suppliers.services import documents as doc_services
from suppliers.services import master as master_services

READ_WRITE = {"GET": Scope.PORTAL, "POST": Scope.PORTAL}


def _assigned(request: Any) -> Any:
    """The ids of the suppliers assigned to the calling agent, as a subquery."""
    return supplier_list_for_agent(user=request.membership.user).values("pk")


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
    sites = PartnerSiteSerializer(many=True, read_only=True)
    contacts = PartnerContactSerializer(many=True, read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
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
    return supplier_list_for_agent(user=request.membership.user).prefetch_related(
        Prefetch("sites", queryset=Site.objects.order_by("name", "id")),
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name", "id")),
    )


class PartnerSupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """The suppliers assigned to you, with their sites and contacts."""

    required_scopes = {"GET": Scope.PORTAL}
    serializer_class = PartnerSupplierSerializer
    http_method_names = ["get", "head", "options"]
    model = Supplier

    def scoped_queryset(self) -> Any:
        return _suppliers_of(self.request)


class ProposalSerializer(serializers.Serializer[Any]):
    """For the schema: what a proposal may carry. The body is passed to the service as sent."""

    legal_name = serializers.CharField(max_length=255)
    local_name = serializers.CharField(required=False, allow_blank=True)
    supplier_type = serializers.ChoiceField(choices=SupplierType.choices, required=False)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    country = serializers.CharField(required=False, max_length=2)
    province = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    website = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    year_founded = serializers.IntegerField(required=False, allow_null=True)
    employees = serializers.IntegerField(required=False, allow_null=True)
    capacity_notes = serializers.CharField(required=False, allow_blank=True)
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
        data = json_body(request, [*master_services.PROPOSAL_FIELDS, "allow_duplicates"])
        allow = json_flag(data, "allow_duplicates")
        data.pop("allow_duplicates", None)
        try:
            supplier = master_services.supplier_propose(
                tenant=request.auth.tenant, by=request.actor, data=data, allow_duplicates=allow
            )
        except master_services.PossibleDuplicate as exc:
            assigned = set(supplier_list_for_agent(user=request.membership.user).values_list("pk", flat=True))
            raise _partner_duplicate(exc, assigned) from exc
        fresh = self.scoped_queryset().get(pk=supplier.pk)
        return Response(PartnerSupplierSerializer(fresh).data, status=status.HTTP_201_CREATED)


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


class PartnerCertificationInputSerializer(serializers.Serializer[Any]):
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

    def scoped_queryset(self) -> Any:
        request: Any = self.request
        today = None if getattr(self, "swagger_fake_view", False) else tenant_today(request.auth.tenant)
        return (
            Certification.objects.filter(supplier__in=_assigned(self.request))
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


class PartnerDocumentUploadSerializer(serializers.Serializer[Any]):
    supplier = serializers.UUIDField(help_text="One of the suppliers assigned to you.")
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, image, Word or Excel.")
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    expires_on = serializers.DateField(required=False, allow_null=True)


class PartnerVersionUploadSerializer(serializers.Serializer[Any]):
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

    def scoped_queryset(self) -> Any:
        return Document.objects.filter(supplier__in=_assigned(self.request)).prefetch_related(
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


# Audits


class PartnerAuditItemSerializer(serializers.ModelSerializer[AuditItem]):
    class Meta:
        model = AuditItem
        fields = ["id", "section", "position", "text", "weight", "is_critical", "answer", "comment"]
        read_only_fields = fields


class PartnerAuditEvidenceSerializer(serializers.ModelSerializer[AuditEvidence]):
    class Meta:
        model = AuditEvidence
        fields = ["id", "item", "caption", "file_name", "size", "uploaded_at"]
        read_only_fields = fields


class PartnerAuditFindingSerializer(serializers.ModelSerializer[AuditFinding]):
    class Meta:
        model = AuditFinding
        fields = ["id", "item", "severity", "description", "action", "due_on"]
        read_only_fields = fields


class PartnerAuditSerializer(serializers.ModelSerializer[FactoryAudit]):
    supplier_name = serializers.CharField(source="supplier.legal_name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = FactoryAudit
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "site",
            "site_name",
            "audit_type",
            "status",
            "planned_on",
            "performed_on",
            "score",
            "pass_score",
            "summary",
        ]
        read_only_fields = fields


class PartnerAuditDetailSerializer(PartnerAuditSerializer):
    items = PartnerAuditItemSerializer(many=True, read_only=True)
    evidence = PartnerAuditEvidenceSerializer(many=True, read_only=True)
    findings = PartnerAuditFindingSerializer(many=True, read_only=True)
    returned_note = serializers.SerializerMethodField(
        help_text="When quality returned the audit to you for correction: their note (until you submit again)."
    )
    returned_at = serializers.SerializerMethodField()

    class Meta(PartnerAuditSerializer.Meta):
        fields = [*PartnerAuditSerializer.Meta.fields, "items", "evidence", "findings", "returned_note", "returned_at"]
        read_only_fields = fields

    def _return(self, obj: FactoryAudit) -> audit_selectors.Review | None:
        """As on the partner page: the note of a return not yet answered by a new submission, never who wrote it."""
        if not hasattr(obj, "_partner_return"):
            review = audit_selectors.latest_review(audit=obj) if obj.status == AuditStatus.IN_PROGRESS else None
            obj._partner_return = review if review is not None and review.outcome == "returned" else None  # type: ignore[attr-defined]
        return obj._partner_return  # type: ignore[attr-defined,no-any-return]

    def get_returned_note(self, obj: FactoryAudit) -> str | None:
        review = self._return(obj)
        return review.note if review is not None else None

    def get_returned_at(self, obj: FactoryAudit) -> datetime.datetime | None:
        review = self._return(obj)
        return review.at if review is not None else None


class AnswerSerializer(serializers.Serializer[Any]):
    item = serializers.UUIDField(help_text="A checklist item of this audit.")
    answer = serializers.ChoiceField(
        choices=AnswerChoice.choices, allow_blank=True, help_text="Empty leaves the item unanswered."
    )
    comment = serializers.CharField(required=False, allow_blank=True, help_text="What was seen.")


class AnswersSerializer(serializers.Serializer[Any]):
    answers = AnswerSerializer(many=True)


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, image, Word or Excel.")
    item = serializers.UUIDField(required=False, allow_null=True, help_text="The checklist item it shows.")
    caption = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SubmitSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(required=False, allow_blank=True)
    performed_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day of the visit (today when not given)."
    )


ANSWER_FIELDS = ["item", "answer", "comment"]


def _answers(request: Any) -> list[tuple[str, str, str]]:
    """The batch as (item id, answer, comment), its shape checked; every problem named ``answers[i].field``."""
    data = json_body(request, ["answers"])
    rows = data.get("answers")
    if not isinstance(rows, list) or not rows:
        raise DomainError(_("Send a list of answers."), fields={"answers": [_("Send a list of answers.")]})
    errors: dict[str, list[str]] = {}
    result: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"answers[{i}]"
        if not isinstance(row, dict):
            errors[where] = [_("Send an object with item, answer and comment.")]
            continue
        for name in sorted(set(row) - set(ANSWER_FIELDS)):
            errors[f"{where}.{name}"] = [_("Unknown field.")]
        item = as_uuid(row.get("item"))
        if item is None:
            errors[f"{where}.item"] = [_("Not an item of this audit.")]
        elif str(item) in seen:
            errors[f"{where}.item"] = [_("This item is answered twice in the batch.")]
        answer, comment = row.get("answer", None), row.get("comment", "")
        if not isinstance(answer, str):
            errors[f"{where}.answer"] = [_("This field is required.")]
        elif answer and answer not in AnswerChoice.values:
            errors[f"{where}.answer"] = [_("Choose one of the listed options.")]
        if not isinstance(comment, str):
            errors[f"{where}.comment"] = [_("Enter text.")]
        if item is not None:
            seen.add(str(item))
            result.append((str(item), answer if isinstance(answer, str) else "", str(comment or "")))
    if errors:
        raise DomainError(_("Please correct the fields below."), fields=errors)
    return result


class PartnerAuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Factory audits assigned to you, on suppliers still assigned to you: read the checklist, answer it in
    batches, upload evidence and submit, with the rules of the partner audit page."""

    required_scopes = READ_WRITE
    http_method_names = ["get", "post", "head", "options"]
    model = FactoryAudit

    def get_serializer_class(self) -> Any:
        return PartnerAuditDetailSerializer if self.action != "list" else PartnerAuditSerializer

    def scoped_queryset(self) -> Any:
        membership = self.request.membership  # type: ignore[attr-defined]  # set by PartnerAPIMixin
        audits = audit_selectors.audit_list_for_agent(membership=membership)
        if self.action != "list":
            audits = audits.prefetch_related(
                Prefetch("items", queryset=AuditItem.objects.order_by("position")),
                Prefetch("evidence", queryset=AuditEvidence.objects.order_by("uploaded_at", "id")),
                Prefetch("findings", queryset=AuditFinding.objects.order_by("created_at", "id")),
            )
        return audits

    def _detail(self, audit_id: Any, code: int = status.HTTP_200_OK) -> Response:
        audit = self.scoped_queryset().get(pk=audit_id)
        return Response(PartnerAuditDetailSerializer(audit).data, status=code)

    @extend_schema(request=AnswersSerializer, responses=PartnerAuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request: PartnerAPIRequest, pk: str) -> Response:
        """Answer a batch of checklist items. Every problem is named ``answers[i].field``; a batch with any
        problem changes nothing."""
        audit = self.get_object()
        batch = _answers(request)
        try:
            audit_services.audit_answers_save(
                tenant=request.auth.tenant,
                by=request.actor,
                audit_id=audit.pk,
                answers={item: (answer, comment) for item, answer, comment in batch},
            )
        except DomainError as exc:
            if exc.code != "invalid":
                raise
            position = {f"answer_{item}": i for i, (item, _answer, _comment) in enumerate(batch)}
            fields = {
                f"answers[{position[name]}].item" if name in position else name: messages
                for name, messages in exc.fields.items()
            }
            raise DomainError(exc.message, fields=fields) from exc
        return self._detail(audit.pk)

    @extend_schema(request=EvidenceUploadSerializer, responses={201: PartnerAuditEvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def evidence(self, request: PartnerAPIRequest, pk: str) -> Response:
        """Attach an evidence file (multipart, in ``file``) to the audit or to one of its items."""
        audit = self.get_object()
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        evidence = audit_services.audit_evidence_upload(
            tenant=request.auth.tenant,
            by=request.actor,
            audit_id=audit.pk,
            file=upload,
            file_name=upload.name or "",
            item_id=serializer.validated_data.get("item"),
            caption=serializer.validated_data.get("caption", ""),
        )
        return Response(PartnerAuditEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubmitSerializer, responses=PartnerAuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: PartnerAPIRequest, pk: str) -> Response:
        """Submit the audit once every item is answered: it is scored and passes or fails."""
        audit = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        audit_services.audit_submit(
            tenant=request.auth.tenant,
            by=request.actor,
            audit_id=audit.pk,
            summary=serializer.validated_data.get("summary", ""),
            performed_on=serializer.validated_data.get("performed_on"),
        )
        return self._detail(audit.pk)


# (prefix, viewset, basename) for the partner router; basenames differ from the ERP API's.
routes: list[tuple[str, Any, str]] = [
    ("suppliers", PartnerSupplierViewSet, "partner-supplier"),
    ("supplier-proposals", PartnerProposalViewSet, "partner-proposal"),
    ("certifications", PartnerCertificationViewSet, "partner-certification"),
    ("documents", PartnerDocumentViewSet, "partner-document"),
    ("audits", PartnerAuditViewSet, "partner-audit"),
]
