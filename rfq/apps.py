from __future__ import annotations

from django.apps import AppConfig


class RfqConfig(AppConfig):
    name = "rfq"
    label = "rfq"
    verbose_name = "RFQs"
    default_auto_field = "django.db.models.BigAutoField"
