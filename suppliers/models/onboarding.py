"""Onboarding: the checklist template of each tier and a supplier's tasks."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sourcing.tenancy import TenantScopedModel
from suppliers.models.files import StoredFile
from suppliers.models.master import Supplier, Tier


class OnboardingTemplate(TenantScopedModel):
    """The onboarding checklist for suppliers of one tier."""

    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["tier"]
        constraints = [models.UniqueConstraint(fields=["tenant", "tier"], name="onboarding_template_one_per_tier")]

    def __str__(self) -> str:
        return self.name


class OnboardingItem(TenantScopedModel):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    is_required = models.BooleanField(_("required"), default=True)
    due_days = models.PositiveSmallIntegerField(_("due after (days)"), default=14)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "template", "code"], name="onboarding_item_code")]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class OnboardingTask(TenantScopedModel, StoredFile):
    """One step of a supplier's onboarding (the evidence is the stored file)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="onboarding_tasks")
    code = models.SlugField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    is_required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        "sourcing.Membership", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by_label = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "supplier", "code"], name="onboarding_task_code")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (
            self.status == TaskStatus.OPEN and self.due_on is not None and self.due_on < (today or timezone.localdate())
        )
