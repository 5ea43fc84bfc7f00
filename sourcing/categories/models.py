"""The category tree and what each category requires of its suppliers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.categories import kraljic
from sourcing.categories.fields import CODE_MAX, NAME_MAX
from sourcing.categories.requirements import Segment
from sourcing.tenancy import TenantScopedModel


class KraljicPosition(models.TextChoices):
    STRATEGIC = kraljic.Position.STRATEGIC.value, _("Strategic")
    LEVERAGE = kraljic.Position.LEVERAGE.value, _("Leverage")
    BOTTLENECK = kraljic.Position.BOTTLENECK.value, _("Bottleneck")
    NON_CRITICAL = kraljic.Position.NON_CRITICAL.value, _("Non-critical")


_SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Category(TenantScopedModel):
    code = models.CharField(_("code"), max_length=CODE_MAX)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    owner = models.ForeignKey(
        "sourcing.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category manager"),
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, blank=True)
    profit_impact = models.PositiveSmallIntegerField(_("profit impact (1–5)"), null=True, blank=True, validators=_SCORE)
    supply_risk = models.PositiveSmallIntegerField(_("supply risk (1–5)"), null=True, blank=True, validators=_SCORE)
    # Spend in a production-material category is direct spend; everything else is indirect (see spend rules).
    is_production_material = models.BooleanField(_("production material"), default=False)
    expected_lead_time_days = models.PositiveIntegerField(_("expected lead time (days)"), null=True, blank=True)
    compliance_requirements = models.JSONField(_("compliance requirements"), default=list, blank=True)
    required_certifications = models.JSONField(_("required certifications"), default=list, blank=True)
    required_audits = models.JSONField(_("required audits"), default=list, blank=True)
    service_levels = models.TextField(_("service levels"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="category_unique_code_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(profit_impact__isnull=True) | models.Q(profit_impact__range=(1, 5)),
                name="category_profit_impact_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(supply_risk__isnull=True) | models.Q(supply_risk__range=(1, 5)),
                name="category_supply_risk_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kraljic_position(self) -> str | None:
        found = kraljic.position(profit_impact=self.profit_impact, supply_risk=self.supply_risk)
        return found.value if found else None

    def get_kraljic_position_display(self) -> str:
        value = self.kraljic_position
        return str(KraljicPosition(value).label) if value else ""


class CategorySpec(TenantScopedModel):
    """A technical specification for a category. A new upload under the same title is a new version; the old
    versions stay."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="specs")
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="category-specs/%Y/%m/")
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "category", "title", "version"], name="category_spec_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
