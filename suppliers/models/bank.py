"""Bank details, changed only with a second person's approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.tenancy import TenantScopedModel
from suppliers.models.master import Supplier


class BankStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


class BankAccount(TenantScopedModel):
    """Bank details. A change is a new row that waits for a second person's approval; only then does it
    become the active one (and the previous one superseded). Finance and admins only, never agents."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="bank_accounts")
    account_name = models.CharField(_("account name"), max_length=255)
    bank_name = models.CharField(_("bank"), max_length=255)
    account_number = models.CharField(_("account number"), max_length=64)
    swift_code = models.CharField(_("SWIFT/BIC"), max_length=11, blank=True)
    bank_address = models.TextField(_("bank address"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(max_length=20, choices=BankStatus.choices, default=BankStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "supplier"], condition=models.Q(status="active"), name="bank_one_active"
            ),
            models.UniqueConstraint(
                fields=["tenant", "supplier"], condition=models.Q(status="pending"), name="bank_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return f"•••• {self.account_number[-4:]}" if len(self.account_number) > 4 else "••••"
