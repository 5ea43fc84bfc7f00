"""Webhook pages for administrators: the endpoints, the form (the secret is shown once, on create and on
rotate), and each endpoint's delivery log with redeliver and a test event."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from sourcing.webhooks.forms.endpoints import DeliveryFilterForm, EndpointForm
from sourcing.webhooks.selectors import webhooks as selectors
from sourcing.webhooks.services import deliveries, endpoints
from sourcing.webhooks.services.access import access_webhook_delivery, access_webhook_endpoint


@tenant_view(Scope.WEBHOOK_MANAGE)
def webhook_endpoint_list(request: TenantRequest) -> HttpResponse:
    rows = list(selectors.endpoint_list())
    return render(
        request, "webhooks/endpoint_list.html", {"endpoints": rows, "event_types": selectors.subscribable_event_types()}
    )


def _secret_page(request: TenantRequest, endpoint: Any, secret: str) -> HttpResponse:
    return render(request, "webhooks/endpoint_secret.html", {"endpoint": endpoint, "secret": secret})


@tenant_view(Scope.WEBHOOK_MANAGE)
@never_cache  # the new secret is shown once, in this response
def webhook_endpoint_create(request: TenantRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, event_types=selectors.subscribable_event_types())
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = endpoints.webhook_endpoint_create(
                tenant=request.tenant, by=request.actor, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            return _secret_page(request, endpoint, secret)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@tenant_view(Scope.WEBHOOK_MANAGE)
def webhook_endpoint_edit(request: TenantRequest, endpoint_id: str) -> HttpResponse:
    endpoint = access_webhook_endpoint(by=request.actor, id=endpoint_id, need=Scope.WEBHOOK_MANAGE)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "is_enabled": endpoint.is_enabled,
    }
    form = EndpointForm(
        request.POST or None, initial=initial, event_types=selectors.subscribable_event_types(), editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            endpoints.webhook_endpoint_update(
                tenant=request.tenant, by=request.actor, endpoint_id=endpoint.pk, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhook_endpoint_detail", tenant_slug=request.tenant.slug, endpoint_id=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@tenant_view(Scope.WEBHOOK_MANAGE)
@require_POST
@never_cache
def webhook_endpoint_rotate(request: TenantRequest, endpoint_id: str) -> HttpResponse:
    endpoint, secret = endpoints.webhook_endpoint_rotate_secret(
        tenant=request.tenant, by=request.actor, endpoint_id=endpoint_id
    )
    return _secret_page(request, endpoint, secret)


@tenant_view(Scope.WEBHOOK_MANAGE)
@require_POST
def webhook_endpoint_delete(request: TenantRequest, endpoint_id: str) -> HttpResponse:
    endpoints.webhook_endpoint_delete(tenant=request.tenant, by=request.actor, endpoint_id=endpoint_id)
    messages.success(request, _("Endpoint deleted."))
    return redirect("webhook_endpoint_list", tenant_slug=request.tenant.slug)


@tenant_view(Scope.WEBHOOK_MANAGE)
def webhook_endpoint_detail(request: TenantRequest, endpoint_id: str) -> HttpResponse:
    """The endpoint and its delivery log, newest first."""
    endpoint = access_webhook_endpoint(by=request.actor, id=endpoint_id, need=Scope.WEBHOOK_MANAGE)
    form = DeliveryFilterForm(request.GET or None)
    page = list_page(request, selectors.delivery_list(endpoint_id=endpoint.pk, **form.filters()))
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "page": page, "event_types": selectors.event_types()},
    )


@tenant_view(Scope.WEBHOOK_MANAGE)
@require_POST
def webhook_endpoint_test(request: TenantRequest, endpoint_id: str) -> HttpResponse:
    delivery = deliveries.webhook_send_test(tenant=request.tenant, by=request.actor, endpoint_id=endpoint_id)
    messages.success(request, _("Test event %(id)s queued.") % {"id": delivery.message_id})
    return redirect("webhook_endpoint_detail", tenant_slug=request.tenant.slug, endpoint_id=delivery.endpoint_id)


@tenant_view(Scope.WEBHOOK_MANAGE)
@require_POST
def webhook_delivery_redeliver(request: TenantRequest, delivery_id: str) -> HttpResponse:
    original = access_webhook_delivery(by=request.actor, id=delivery_id, need=Scope.WEBHOOK_MANAGE)
    delivery = deliveries.webhook_redeliver(tenant=request.tenant, by=request.actor, delivery_id=original.pk)
    messages.success(request, _("Message %(id)s queued again.") % {"id": delivery.message_id})
    return redirect("webhook_endpoint_detail", tenant_slug=request.tenant.slug, endpoint_id=delivery.endpoint_id)
