"""Webhook pages, under /t/<tenant_slug>/admin/webhooks/."""

from django.urls import URLPattern, path

from sourcing.webhooks.views import endpoints as views

page_patterns: list[URLPattern] = [
    path("", views.webhook_endpoint_list, name="webhook_endpoint_list"),
    path("new/", views.webhook_endpoint_create, name="webhook_endpoint_create"),
    path("<uuid:endpoint_id>/", views.webhook_endpoint_detail, name="webhook_endpoint_detail"),
    path("<uuid:endpoint_id>/edit/", views.webhook_endpoint_edit, name="webhook_endpoint_edit"),
    path("<uuid:endpoint_id>/rotate-secret/", views.webhook_endpoint_rotate, name="webhook_endpoint_rotate"),
    path("<uuid:endpoint_id>/delete/", views.webhook_endpoint_delete, name="webhook_endpoint_delete"),
    path("<uuid:endpoint_id>/test/", views.webhook_endpoint_test, name="webhook_endpoint_test"),
    path(
        "deliveries/<uuid:delivery_id>/redeliver/", views.webhook_delivery_redeliver, name="webhook_delivery_redeliver"
    ),
]
