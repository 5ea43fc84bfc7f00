from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "sourcing.spend"
    label = "spend"
    verbose_name = "Spend"
    default_auto_field = "django.db.models.BigAutoField"

    # The categories app asks every installed app these two questions (see "Imports run one way" in
    # docs/architecture.md), so it depends on none of the apps after it.

    def category_in_use(self, category_id: Any) -> list[str]:
        """What spend keeps on a category, in people's words; a category with any of it cannot be deleted."""
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

        from sourcing.spend.models import CategoryRule, SpendLine

        reasons = []
        if SpendLine.objects.filter(category_id=category_id).exists():
            reasons.append(_("spend is booked on it"))
        rules = CategoryRule.objects.filter(category_id=category_id).count()
        if rules:
            reasons.append(
                ngettext("%(n)d spend rule files lines under it", "%(n)d spend rules file lines under it", rules)
                % {"n": rules}
            )
        return reasons

    def export_kinds(self) -> list[Any]:
        """The lists the core's export jobs may write (sourcing/export_job_services.py asks every app)."""
        from sourcing.spend.selectors.exports import SPEND_LINES

        return [SPEND_LINES]

    def category_tree_changed(self) -> None:
        """A category's production-material flag or place changed: direct spend is spend in production material,
        that category's and everything below it, so the lines booked under it are filed again."""
        from sourcing.spend.services.importer import reclassify_by_category

        reclassify_by_category()
