"""Risk flags: reasons to watch a supplier."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.tenancy import TenantScopedModel
from suppliers import system_text
from suppliers.models.audits import Severity
from suppliers.models.master import Supplier


class RiskKind(models.TextChoices):
    REGION = "region", _("Region")
    COMPLIANCE = "compliance", _("Compliance")
    DEPENDENCY = "dependency", _("Dependency")
    MANUAL = "manual", _("Manual")


class RiskFlag(TenantScopedModel):
    """A reason to watch a supplier. Region, compliance and dependency flags are raised (and closed) by
    ``suppliers.services.risk`` from the data; manual flags by people. ``source`` names what raised an
    automatic flag, so raising it again refreshes it instead of adding another."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(_("kind"), max_length=20, choices=RiskKind.choices)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices, default=Severity.MAJOR)
    title = models.CharField(_("title"), max_length=300)
    # An automatic flag's title as a code and its parameters (``suppliers.system_text``), put into words in the
    # viewer's language when shown; ``title`` keeps the English words. Empty for flags people typed.
    title_code = models.CharField(max_length=50, blank=True, editable=False)
    title_params = models.JSONField(default=dict, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(max_length=200, blank=True, editable=False)
    owner = models.ForeignKey(
        "sourcing.Membership", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True
    )
    is_open = models.BooleanField(default=True)
    raised_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "supplier", "source"],
                condition=models.Q(is_open=True) & ~models.Q(source=""),
                name="risk_flag_one_open_per_source",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the viewer's language: put into words from its code, or as typed."""
        return system_text.render(self.title_code, self.title_params) or self.title
