"""Webhook endpoints and deliveries for the ERP: endpoints (list, read, create with the secret shown once,
change, delete, rotate the secret, send a test event) and deliveries (list with filters, read, redeliver).
An administrator's key scope (``admin``) is needed for all of it. Registered by sourcing/urls.py from ``routes``.

Bodies go to the services as sent; they check every value and name the field of each problem.
"""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from sourcing.api.base import TenantAPIRequest, TenantViewSet
from sourcing.api.bodies import InputSerializer, json_body, require_fields
from sourcing.roles import Scope
from sourcing.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from sourcing.webhooks.selectors import webhooks as selectors
from sourcing.webhooks.services import deliveries, endpoints
from sourcing.webhooks.services.access import access_webhook_delivery, access_webhook_endpoint

MANAGE = {m: Scope.WEBHOOK_MANAGE for m in ("GET", "POST", "PUT", "PATCH", "DELETE")}


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    event_types = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_enabled",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret (`whsec_…`): shown in this answer only, never again."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInputSerializer(InputSerializer):
    url = serializers.CharField(
        max_length=2000, help_text="http(s) URL; in production a public host (private and loopback are refused)."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.CharField(), help_text="Event types to send, e.g. `supplier.blocked`, `award.published`."
    )
    is_enabled = serializers.BooleanField(required=False, help_text="Only when changing an endpoint.")


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    endpoint = serializers.UUIDField(source="endpoint_id", read_only=True)
    payload = serializers.JSONField(read_only=True, help_text="The JSON body sent: `type`, `timestamp`, `data`.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_type",
            "message_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "payload",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = MANAGE
    serializer_class = WebhookEndpointSerializer
    model = WebhookEndpoint
    access = access_webhook_endpoint

    def scoped_queryset(self) -> Any:
        return selectors.endpoint_list()

    @extend_schema(
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointSecretSerializer},
        description="Add an endpoint. The answer carries its signing secret, once.",
    )
    def create(self, request: TenantAPIRequest) -> Response:
        data = json_body(request, WebhookEndpointInputSerializer)
        require_fields(data, ["url", "event_types"])
        data.pop("is_enabled", None)
        endpoint, secret = endpoints.webhook_endpoint_create(tenant=request.auth.tenant, by=request.actor, **data)
        return Response(
            WebhookEndpointSecretSerializer(_with_secret(endpoint, secret)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=WebhookEndpointInputSerializer, responses=WebhookEndpointSerializer)
    def update(self, request: TenantAPIRequest, pk: str) -> Response:
        endpoint = self.get_object()
        data = json_body(request, WebhookEndpointInputSerializer)
        require_fields(data, ["url", "event_types"])
        return self._change(request, endpoint, {"description": "", **data})

    @extend_schema(request=WebhookEndpointInputSerializer(partial=True), responses=WebhookEndpointSerializer)
    def partial_update(self, request: TenantAPIRequest, pk: str) -> Response:
        endpoint = self.get_object()
        return self._change(request, endpoint, json_body(request, WebhookEndpointInputSerializer))

    def _change(self, request: TenantAPIRequest, endpoint: WebhookEndpoint, data: dict[str, Any]) -> Response:
        endpoint = endpoints.webhook_endpoint_update(
            tenant=request.auth.tenant, by=request.actor, endpoint_id=endpoint.pk, **data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request: TenantAPIRequest, pk: str) -> Response:
        endpoints.webhook_endpoint_delete(
            tenant=request.auth.tenant, by=request.actor, endpoint_id=self.get_object().pk
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses=WebhookEndpointSecretSerializer,
        description="Replace the signing secret; the answer carries the new one, once. Retries of earlier "
        "messages are signed with the new secret too.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate")
    def rotate_secret(self, request: TenantAPIRequest, pk: str) -> Response:
        endpoint, secret = endpoints.webhook_endpoint_rotate_secret(
            tenant=request.auth.tenant, by=request.actor, endpoint_id=self.get_object().pk
        )
        return Response(WebhookEndpointSecretSerializer(_with_secret(endpoint, secret)).data)

    @extend_schema(
        request=None,
        responses={201: WebhookDeliverySerializer},
        description="Send the `webhook.test` event to this endpoint now (enabled or not).",
    )
    @action(detail=True, methods=["post"])
    def test(self, request: TenantAPIRequest, pk: str) -> Response:
        delivery = deliveries.webhook_send_test(
            tenant=request.auth.tenant, by=request.actor, endpoint_id=self.get_object().pk
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> WebhookEndpoint:
    endpoint.secret = secret
    return endpoint


class WebhookDeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.UUIDFilter(field_name="endpoint_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.CharFilter()
    message_id = django_filters.CharFilter()

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type", "message_id"]


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    required_scopes = {"GET": Scope.WEBHOOK_MANAGE, "POST": Scope.WEBHOOK_MANAGE}
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    model = WebhookDelivery
    access = access_webhook_delivery

    def scoped_queryset(self) -> Any:
        return selectors.delivery_list()

    @extend_schema(
        request=None,
        responses={201: WebhookDeliverySerializer},
        description="Send this delivery's message again: a new delivery with the same `webhook-id` and body.",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: TenantAPIRequest, pk: str) -> Response:
        delivery = deliveries.webhook_redeliver(
            tenant=request.auth.tenant, by=request.actor, delivery_id=self.get_object().pk
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


routes = [
    ("webhook-endpoints", WebhookEndpointViewSet, "webhookendpoint"),
    ("webhook-deliveries", WebhookDeliveryViewSet, "webhookdelivery"),
]
