"""Factory audit endpoints of the partner API (``/api/partner/v1/audits/``): an agent's audits, on suppliers
still assigned to them. They show what the partner audit page shows, and write through the same services;
anything not assigned to the caller (unassigned, missing, another tenant's) is the same 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from sourcing.api.bodies import MULTI_LINE, InputSerializer, json_body
from sourcing.api.partner import PartnerAPIRequest, PartnerViewSet
from sourcing.errors import DomainError
from sourcing.ids import as_uuid
from sourcing.roles import Scope
from suppliers.models import (
    AnswerChoice,
    AuditEvidence,
    AuditFinding,
    AuditItem,
    AuditStatus,
    FactoryAudit,
)
from suppliers.selectors import audits as audit_selectors
from suppliers.services import audits as audit_services
from suppliers.services.access import access_audit

READ_WRITE = {"GET": Scope.PORTAL, "POST": Scope.PORTAL}


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
    description = serializers.CharField(
        source="display_description", read_only=True, help_text="In the request's language when the system wrote it."
    )

    class Meta:
        model = AuditFinding
        fields = ["id", "item", "severity", "description", "action", "due_on"]
        read_only_fields = fields


class PartnerAuditSerializer(serializers.ModelSerializer[FactoryAudit]):
    supplier_name = serializers.CharField(source="supplier.display_name", read_only=True)
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


class AnswerSerializer(InputSerializer):
    item = serializers.UUIDField(help_text="A checklist item of this audit.")
    answer = serializers.ChoiceField(
        choices=AnswerChoice.choices, allow_blank=True, help_text="Empty leaves the item unanswered."
    )
    comment = serializers.CharField(required=False, allow_blank=True, help_text="What was seen.", style=MULTI_LINE)


class AnswersSerializer(InputSerializer):
    answers = AnswerSerializer(many=True)


class EvidenceUploadSerializer(InputSerializer):
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, image, Word or Excel.")
    item = serializers.UUIDField(required=False, allow_null=True, help_text="The checklist item it shows.")
    caption = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SubmitSerializer(InputSerializer):
    summary = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)
    performed_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day of the visit (today when not given)."
    )


ANSWER_FIELDS = ["item", "answer", "comment"]


def _answers(request: Any) -> list[tuple[str, str, str]]:
    """The batch as (item id, answer, comment), its shape checked; every problem named ``answers[i].field``."""
    data = json_body(request, AnswersSerializer)
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
    access = access_audit

    def get_serializer_class(self) -> Any:
        return PartnerAuditDetailSerializer if self.action != "list" else PartnerAuditSerializer

    def scoped_queryset(self) -> Any:
        membership = self.request.membership  # type: ignore[attr-defined]  # set by PartnerAPIMixin
        audits = audit_selectors.audits_assigned_to(membership=membership)
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
