"""Supplier master data. This is the first slice: identity and agent assignment; qualification,
certifications, audits and onboarding build on it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.permissions import AgentGrantBase, grant_constraints
from sourcing.tenancy import TenantScopedModel


class SupplierType(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    TRADING_COMPANY = "trading_company", _("Trading company")
    OTHER = "other", _("Other")


class Supplier(TenantScopedModel):
    legal_name = models.CharField(_("legal name"), max_length=255)
    local_name = models.CharField(_("local name"), max_length=255, blank=True)
    supplier_type = models.CharField(
        _("type"), max_length=32, choices=SupplierType.choices, default=SupplierType.MANUFACTURER
    )
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="supplier_unique_external_id_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name


class SupplierAgentGrant(AgentGrantBase):
    content_object = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="agent_grants")

    class Meta(AgentGrantBase.Meta):
        constraints = grant_constraints("supplier_agent_grant")
