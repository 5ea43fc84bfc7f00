from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Suppliers"
    default_auto_field = "django.db.models.BigAutoField"

    def webhook_event_types(self) -> list[tuple[str, Any]]:
        """The webhook events this app emits (the webhooks app asks every installed app)."""
        from django.utils.translation import gettext_lazy as _

        return [("supplier.blocked", _("A supplier was blocked"))]

    def category_in_use(self, category_id: Any) -> list[str]:
        """What suppliers keep on a category, in people's words; a category with any of it cannot be deleted
        (the categories app asks every installed app; see "Imports run one way" in docs/architecture.md)."""
        from django.utils.translation import ngettext

        from suppliers.models import SupplierCategory

        suppliers = SupplierCategory.objects.filter(category_id=category_id).count()
        if not suppliers:
            return []
        return [ngettext("%(n)d supplier supplies it", "%(n)d suppliers supply it", suppliers) % {"n": suppliers}]
