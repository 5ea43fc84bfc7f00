from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate  # noqa: TID251 - schema upkeep, not domain workflow


def _apply_rls_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from sourcing.rls import apply_rls

    apply_rls(connections[using])


class SourcingConfig(AppConfig):
    name = "sourcing"
    verbose_name = "Sourcewise core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # post_migrate fires once per app after *all* migrations; listening for this app alone runs it once.
        post_migrate.connect(_apply_rls_after_migrate, sender=self, dispatch_uid="sourcing.apply_rls")
