from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class RfqConfig(AppConfig):
    name = "rfq"
    label = "rfq"
    verbose_name = "RFQs"
    default_auto_field = "django.db.models.BigAutoField"

    def webhook_event_types(self) -> list[tuple[str, Any]]:
        """The webhook events this app emits (the webhooks app asks every installed app)."""
        from django.utils.translation import gettext_lazy as _

        return [
            ("award.published", _("An award was published")),
            ("award.revised", _("A published award was revised")),
        ]
