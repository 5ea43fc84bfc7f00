"""A tenant's webhook endpoints and every delivery of an event to one of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.tenancy import TenantScopedModel
from sourcing.webhooks.targets import URL_MAX, shown_url

ERROR_MAX = 500  # the last error kept on a delivery, truncated


class WebhookEndpoint(TenantScopedModel):
    url = models.URLField(_("URL"), max_length=URL_MAX)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    # Kept readable: every attempt is signed with it. Shown once, when created or rotated.
    secret = models.CharField(max_length=120, editable=False)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return shown_url(self.url)  # never the path or query: they often hold the receiver's token


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookDelivery(TenantScopedModel):
    """One message to one endpoint, with its attempts. A redelivery is a new row with the same message id."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(_("event"), max_length=100)
    message_id = models.CharField(_("message id"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=ERROR_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["tenant", "status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["tenant", "message_id"], name="webhook_delivery_message"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"
