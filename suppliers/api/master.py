"""Supplier endpoints for the ERP: suppliers (list with filters, read, upsert by ``external_id``, change, the
duplicate check, lifecycle transitions, and whether a supplier may be awarded business), and their sites and
contacts. Every write goes through the services; bodies are passed as sent and checked there, field by field."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.api.bodies import MULTI_LINE, InputSerializer, json_body, json_flag, require_fields
from sourcing.roles import Scope
from suppliers.models import Contact, RiskFlag, RiskKind, Site, SiteKind, Supplier, SupplierStatus, SupplierType, Tier
from suppliers.selectors import master as selectors
from suppliers.selectors.duplicates import Probe, duplicate_candidates
from suppliers.selectors.qualification import approval_blockers
from suppliers.services import master as services
from suppliers.services import qualification as qualification_services
from suppliers.services import sites_contacts as site_services
from suppliers.services.access import access_contact, access_site, access_supplier_or_merged


class SupplierSerializer(serializers.ModelSerializer[Supplier]):
    owner_email = serializers.EmailField(source="owner.user.email", read_only=True, allow_null=True, default=None)
    category_ids = serializers.ListField(child=serializers.UUIDField(), read_only=True)
    open_risk_flags = serializers.IntegerField(source="open_flag_count", read_only=True)
    certificates_expiring = serializers.IntegerField(source="certs_expiring", read_only=True)
    certificates_expired = serializers.IntegerField(source="certs_expired", read_only=True)
    display_name = serializers.CharField(
        read_only=True, help_text="The English legal name, or the registered Chinese name while there is none."
    )

    class Meta:
        model = Supplier
        fields = [
            "id",
            "external_id",
            "display_name",
            "legal_name",
            "local_name",
            "aliases",
            "supplier_type",
            "tier",
            "status",
            "status_reason",
            "approval_conditions",
            "approval_expires_on",
            "credit_code",
            "country",
            "province",
            "city",
            "address",
            "website",
            "phone",
            "year_founded",
            "employees",
            "capacity_notes",
            "owner",
            "owner_email",
            "category_ids",
            "internal_notes",
            "risk_notes",
            "open_risk_flags",
            "certificates_expiring",
            "certificates_expired",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SupplierInputSerializer(InputSerializer):
    """For the schema: what a client may send (values are checked by the service, which names each field)."""

    external_id = serializers.CharField(required=False, help_text="The ERP's id; a POST with a known one updates.")
    legal_name = serializers.CharField(
        required=False, help_text="English. A new supplier needs it or local_name (the English name may follow)."
    )
    local_name = serializers.CharField(required=False, help_text="The registered Chinese name (营业执照).")
    aliases = serializers.ListField(child=serializers.CharField(), required=False)
    supplier_type = serializers.ChoiceField(choices=SupplierType.choices, required=False)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    credit_code = serializers.CharField(required=False, help_text="Unified social credit code (GB 32100).")
    country = serializers.CharField(required=False)
    province = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    address = serializers.CharField(required=False, style=MULTI_LINE)
    website = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    year_founded = serializers.IntegerField(required=False, allow_null=True)
    employees = serializers.IntegerField(required=False, allow_null=True)
    capacity_notes = serializers.CharField(required=False, style=MULTI_LINE)
    owner_id = serializers.UUIDField(required=False, allow_null=True, help_text="A membership id.")
    category_ids = serializers.ListField(child=serializers.UUIDField(), required=False)
    internal_notes = serializers.CharField(required=False, style=MULTI_LINE)
    risk_notes = serializers.CharField(required=False, style=MULTI_LINE)
    allow_duplicates = serializers.BooleanField(
        required=False, help_text="Create even though possible duplicates exist (answered with 409 otherwise)."
    )


class DuplicateCheckSerializer(InputSerializer):
    """The names and identifiers a duplicate check compares."""

    legal_name = serializers.CharField(required=False)
    local_name = serializers.CharField(required=False)
    credit_code = serializers.CharField(required=False, help_text="Unified social credit code (GB 32100).")
    website = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)


class TransitionSerializer(InputSerializer):
    action = serializers.ChoiceField(
        choices=["start", "approve", "approve_conditionally", "reject", "suspend", "block", "reinstate", "requalify"]
    )
    reason = serializers.CharField(required=False, style=MULTI_LINE)
    conditions = serializers.CharField(required=False, style=MULTI_LINE)
    expires_on = serializers.DateField(required=False)


class SupplierFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SupplierStatus.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    supplier_type = django_filters.ChoiceFilter(choices=SupplierType.choices)
    country = django_filters.CharFilter()
    province = django_filters.CharFilter(field_name="province", lookup_expr="iexact")
    external_id = django_filters.CharFilter()
    category = django_filters.UUIDFilter(field_name="category_links__category_id", distinct=True)
    risk = django_filters.ChoiceFilter(
        choices=[("any", "any"), *RiskKind.choices], method="filter_risk", help_text="Suppliers with an open flag."
    )
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the English or local name, or the ERP id.")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Supplier
        fields = ["status", "tier", "supplier_type", "country", "province", "external_id", "category"]

    def filter_risk(self, queryset: Any, name: str, value: str) -> Any:
        flags = RiskFlag.objects.filter(supplier_id=OuterRef("pk"), is_open=True)
        return queryset.filter(Exists(flags if value == "any" else flags.filter(kind=value)))

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(Q(legal_name__icontains=value) | Q(local_name__icontains=value) | Q(external_id=value))


class SupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.SUPPLIER_READ, "POST": Scope.SUPPLIER_WRITE, "PATCH": Scope.SUPPLIER_WRITE}
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    model = Supplier
    access = access_supplier_or_merged

    def scoped_queryset(self) -> Any:
        return selectors.supplier_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SupplierSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(self.get_object())

    def _answer(self, supplier: Supplier, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.supplier_list().filter(pk=supplier.pk).first() or supplier
        return Response(SupplierSerializer(fresh).data, status=code)

    @extend_schema(request=SupplierInputSerializer, responses={200: SupplierSerializer, 201: SupplierSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        """Upsert by ``external_id``: a new one is created (a prospect), a known one updated. A new supplier
        that looks like an existing one is answered 409 ``possible_duplicate`` with the candidates in
        ``error.details``, unless ``allow_duplicates`` is true."""
        data = json_body(request, SupplierInputSerializer)
        allow = json_flag(data, "allow_duplicates")
        data.pop("allow_duplicates", None)
        supplier, created = services.supplier_upsert(
            tenant=request.auth.tenant,
            by=request.actor,
            fields=services.SupplierFields.of(data),
            allow_duplicates=allow,
        )
        return self._answer(supplier, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=SupplierInputSerializer, responses=SupplierSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        supplier = self.get_object()
        data = json_body(request, SupplierInputSerializer)
        allow = json_flag(data, "allow_duplicates")
        data.pop("allow_duplicates", None)
        services.supplier_update(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_id=supplier.pk,
            fields=services.SupplierFields.of(data),
            allow_duplicates=allow,
        )
        return self._answer(supplier)

    @extend_schema(request=TransitionSerializer, responses=SupplierSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: TenantAPIRequest, pk: str) -> Response:
        """Move the supplier along the qualification lifecycle. A refused approval names what blocks it."""
        supplier = self.get_object()
        data = json_body(request, TransitionSerializer)
        require_fields(data, ["action"])
        qualification_services.supplier_transition(
            tenant=request.auth.tenant,
            by=request.actor,
            supplier_id=supplier.pk,
            action=str(data["action"]),
            reason=str(data.get("reason") or ""),
            conditions=str(data.get("conditions") or ""),
            expires_on=data.get("expires_on"),
        )
        return self._answer(supplier)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def approval(self, request: TenantAPIRequest, pk: str) -> Response:
        """What blocks approval, and whether the supplier may be awarded business (the rule RFQ awards use)."""
        from suppliers.services.onboarding import supplier_award_blockers

        supplier = self.get_object()
        award = supplier_award_blockers(supplier)
        return Response(
            {
                "status": supplier.status,
                "approval_blockers": [{"kind": b.kind, "message": b.message} for b in approval_blockers(supplier)],
                "can_be_awarded": not award,
                "award_blockers": award,
            }
        )

    @extend_schema(request=DuplicateCheckSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"], url_path="duplicate-check")
    def duplicate_check(self, request: TenantAPIRequest) -> Response:
        """The suppliers a new one with these names and identifiers would probably duplicate; writes nothing."""
        data = json_body(request, DuplicateCheckSerializer)
        probe = Probe.of(**{k: str(v or "") for k, v in data.items()})
        return Response({"candidates": services.PossibleDuplicate(duplicate_candidates(probe)).details})


class SiteSerializer(serializers.ModelSerializer[Site]):
    class Meta:
        model = Site
        fields = [
            "id",
            "supplier",
            "name",
            "kind",
            "country",
            "province",
            "city",
            "address",
            "processes",
            "capacity",
            "external_id",
            "created_at",
        ]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer[Contact]):
    class Meta:
        model = Contact
        fields = [
            "id",
            "supplier",
            "name",
            "title",
            "language",
            "email",
            "phone",
            "wechat",
            "time_zone",
            "is_primary",
            "external_id",
            "created_at",
        ]
        read_only_fields = fields


class SiteChangeSerializer(InputSerializer):
    """What a PATCH of a site may send (documents the body, which the service checks field by field)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=SiteKind.choices, required=False)
    country = serializers.CharField(max_length=2, required=False, help_text="ISO 3166 two-letter code, e.g. CN.")
    province = serializers.CharField(max_length=100, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, style=MULTI_LINE)
    processes = serializers.ListField(child=serializers.CharField(), required=False, max_length=30)
    capacity = serializers.CharField(max_length=500, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="The ERP's id.")


class SiteCreateSerializer(SiteChangeSerializer):
    supplier = serializers.UUIDField(help_text="The supplier's id.")


class ContactChangeSerializer(InputSerializer):
    """What a PATCH of a contact may send (documents the body, which the service checks field by field)."""

    name = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=["zh-hans", "en", "vi", "es"], required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    wechat = serializers.CharField(max_length=100, required=False, allow_blank=True)
    time_zone = serializers.CharField(required=False, allow_blank=True, help_text="IANA, e.g. Asia/Shanghai.")
    is_primary = serializers.BooleanField(required=False)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="The ERP's id.")


class ContactCreateSerializer(ContactChangeSerializer):
    """At least one of ``email``, ``phone`` and ``wechat``."""

    supplier = serializers.UUIDField(help_text="The supplier's id.")


CHILD_SCOPES = {
    "GET": Scope.SUPPLIER_READ,
    "POST": Scope.SUPPLIER_WRITE,
    "PATCH": Scope.SUPPLIER_WRITE,
    "DELETE": Scope.SUPPLIER_WRITE,
}


class _ChildWrites:
    """Add (``supplier`` in the body) and change for sites and contacts; ``_save`` is the service call."""

    create_input: type[InputSerializer]
    change_input: type[InputSerializer]
    serializer_class: Any
    _save: Any
    get_object: Any

    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, self.create_input)
        require_fields(data, ["supplier"])
        supplier_id = data.pop("supplier")
        child = self._save(request, {"supplier_id": supplier_id, **data}, None)
        return Response(self.serializer_class(child).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        child = self.get_object()
        data = json_body(request, self.change_input)
        child = self._save(request, {"supplier_id": child.supplier_id, **data}, child)
        return Response(self.serializer_class(child).data)


class SiteFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    province = django_filters.CharFilter(lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices)

    class Meta:
        model = Site
        fields = ["supplier", "province", "kind"]


class SiteViewSet(_ChildWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = CHILD_SCOPES
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    model = Site
    access = access_site
    create_input, change_input = SiteCreateSerializer, SiteChangeSerializer

    def scoped_queryset(self) -> Any:
        return Site.objects.order_by("supplier_id", "name", "id")

    def _save(self, request: TenantAPIRequest, args: dict[str, Any], child: Any) -> Any:
        return site_services.site_save(
            tenant=request.auth.tenant, by=request.actor, site_id=child.pk if child else None, **args
        )

    @extend_schema(request=SiteCreateSerializer, responses={201: SiteSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        return super().create(request)

    @extend_schema(request=SiteChangeSerializer(partial=True), responses=SiteSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        return super().partial_update(request, pk)

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        site = self.get_object()
        site_services.site_delete(
            tenant=request.auth.tenant, by=request.actor, supplier_id=site.supplier_id, site_id=site.pk
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactFilter(django_filters.FilterSet):
    supplier = django_filters.UUIDFilter(field_name="supplier_id")
    is_primary = django_filters.BooleanFilter()

    class Meta:
        model = Contact
        fields = ["supplier", "is_primary"]


class ContactViewSet(_ChildWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = CHILD_SCOPES
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    model = Contact
    access = access_contact
    create_input, change_input = ContactCreateSerializer, ContactChangeSerializer

    def scoped_queryset(self) -> Any:
        return Contact.objects.order_by("supplier_id", "name", "id")

    def _save(self, request: TenantAPIRequest, args: dict[str, Any], child: Any) -> Any:
        return site_services.contact_save(
            tenant=request.auth.tenant, by=request.actor, contact_id=child.pk if child else None, **args
        )

    @extend_schema(request=ContactCreateSerializer, responses={201: ContactSerializer})
    def create(self, request: TenantAPIRequest) -> Response:
        return super().create(request)

    @extend_schema(request=ContactChangeSerializer(partial=True), responses=ContactSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        return super().partial_update(request, pk)

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        contact = self.get_object()
        site_services.contact_delete(
            tenant=request.auth.tenant, by=request.actor, supplier_id=contact.supplier_id, contact_id=contact.pk
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


routes: list[tuple[str, Any, str]] = [
    ("suppliers", SupplierViewSet, "supplier"),
    ("supplier-sites", SiteViewSet, "supplier-site"),
    ("supplier-contacts", ContactViewSet, "supplier-contact"),
]
