"""Supplier master data: the supplier, its categories, agents' grants, status timeline, sites and contacts."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sourcing.permissions import AgentGrantBase, grant_constraints
from sourcing.tenancy import TenantScopedModel
from suppliers import row_facts
from suppliers.governance import Tier
from suppliers.lifecycle import SupplierStatus
from suppliers.names import display_name

ROW_FACTS = ("open_flag_count", "certificate_ends", "category_ids")  # see Supplier.save
EXPIRING_DAYS = 30  # a certificate is "expiring" this many days before its end (and reminders start)


class SupplierType(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    TRADING_COMPANY = "trading_company", _("Trading company")
    OTHER = "other", _("Other")


class Supplier(TenantScopedModel):
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)  # English; may follow the local name
    local_name = models.CharField(_("local name"), max_length=255, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    supplier_type = models.CharField(
        _("type"), max_length=32, choices=SupplierType.choices, default=SupplierType.MANUFACTURER
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.TRANSACTIONAL)
    status = models.CharField(
        _("status"), max_length=20, choices=SupplierStatus.choices, default=SupplierStatus.PROSPECT, db_index=True
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    approval_conditions = models.TextField(_("approval conditions"), blank=True)
    approval_expires_on = models.DateField(_("conditional approval expires"), null=True, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    capacity_notes = models.TextField(_("capacity notes"), blank=True)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "sourcing.Membership",
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_suppliers",
    )
    proposed_by = models.ForeignKey(
        "sourcing.Membership",
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_suppliers",
    )
    categories = models.ManyToManyField(
        "categories.Category", through="SupplierCategory", related_name="suppliers", blank=True
    )
    internal_notes = models.TextField(_("internal notes"), blank=True)
    risk_notes = models.TextField(_("risk notes"), blank=True)
    # Duplicate detection keys (suppliers.names), kept with the row so a check is an index look-up.
    name_key = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    local_name_key = models.CharField(max_length=255, blank=True, editable=False)
    website_key = models.CharField(max_length=255, blank=True, editable=False)
    phone_key = models.CharField(max_length=50, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from", editable=False
    )
    # What a row of the supplier list shows beyond the supplier's own columns, kept with the row by
    # suppliers.services.row_facts in the transaction that changes their source, so a page is one query.
    open_flag_count = models.PositiveIntegerField(default=0, editable=False)
    # [valid until, valid from, renewed from] of its certificates (suppliers.row_facts), read on the viewer's day
    certificate_ends = models.JSONField(default=list, blank=True, editable=False)
    category_ids = models.JSONField(default=list, blank=True, editable=False)  # as strings
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="supplier_unique_external_id_per_tenant",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "legal_name", "id"], name="supplier_list_order"),
            models.Index(fields=["tenant", "credit_code"], name="supplier_credit_code"),
            models.Index(fields=["tenant", "status", "tier"], name="supplier_status_tier"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a supplier read earlier never writes back its row facts: only their service writes those
        (``suppliers.services.row_facts``), so a stale copy cannot undo a flag or certificate added since."""
        if not self._state.adding and kwargs.get("update_fields") is None and not args:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in ROW_FACTS
            ]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """``suppliers.names.display_name``: the English legal name, else the registered Chinese name; the Chinese
        name first for a reader of Chinese."""
        chinese_first = (translation.get_language() or "").startswith("zh")
        return display_name(self.legal_name, self.local_name, chinese_first=chinese_first)

    @property
    def second_name(self) -> str:
        """The other of its two names, shown under ``display_name`` where a supplier has both ('' otherwise)."""
        if not (self.legal_name.strip() and self.local_name.strip()):
            return ""
        return self.legal_name if self.display_name == self.local_name.strip() else self.local_name

    def certificate_states(self, today: datetime.date | None = None) -> tuple[int, int]:
        """How many of its current certificates (renewed and not yet valid ones left out) have ended, and how
        many end within ``EXPIRING_DAYS``, on ``today`` (the viewer's today unless given; a list passes it once
        for its rows)."""
        if not self.certificate_ends:
            return 0, 0
        today = today or timezone.localdate()
        ends = row_facts.current_ends(self.certificate_ends, today)
        return row_facts.expired(ends, today), row_facts.expiring(ends, today, EXPIRING_DAYS)

    @property
    def certs_expired(self) -> int:
        return self.certificate_states()[0]

    @property
    def certs_expiring(self) -> int:
        return self.certificate_states()[1]


class NameIndexVersion(TenantScopedModel):
    """How often the tenant's supplier names, or which suppliers are live, have changed. The master services
    bump it in the transaction that makes the change; the duplicate check compares it with the version its
    cached name index was read at (``suppliers.selectors.duplicates``). One row per tenant."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="name_index_version_per_tenant")]


class SupplierAgentGrant(AgentGrantBase):
    content_object = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="agent_grants")

    class Meta(AgentGrantBase.Meta):
        constraints = grant_constraints("supplier_agent_grant")

    def __str__(self) -> str:
        return str(_("Agent assignment"))


class SupplierCategory(TenantScopedModel):
    """A category the supplier supplies, and is qualified against (that category's requirements apply)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey("categories.Category", on_delete=models.CASCADE, related_name="supplier_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "supplier", "category"], name="supplier_category_unique"),
        ]

    def __str__(self) -> str:
        return str(_("Supplier category"))


class StatusChange(TenantScopedModel):
    """One step of the qualification lifecycle, for the timeline on the profile."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=SupplierStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SupplierStatus.choices)
    reason = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)
    by_label = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class SiteKind(models.TextChoices):
    FACTORY = "factory", _("Factory")
    WAREHOUSE = "warehouse", _("Warehouse")
    OFFICE = "office", _("Office")


class Site(TenantScopedModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices, default=SiteKind.FACTORY)
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    processes = models.JSONField(_("processes"), default=list, blank=True)
    capacity = models.CharField(_("capacity"), max_length=500, blank=True)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "supplier", "external_id"],
                condition=~models.Q(external_id=""),
                name="site_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TenantScopedModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_primary = models.BooleanField(_("primary contact"), default=False)
    external_id = models.CharField(_("ERP id"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name
