from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "sourcing.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def webhook_event_types(self) -> list[tuple[str, Any]]:
        """The event every endpoint can be sent on demand, whatever it subscribes to."""
        from django.utils.translation import gettext_lazy as _

        return [("webhook.test", _("A test event, sent from the endpoint's page or the API"))]
