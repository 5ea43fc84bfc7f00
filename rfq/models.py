"""The tables landed cost reads, each the tenant's own and editable: the effective-dated U.S. duty table, the
freight lane rates, and the landed-cost settings (cost of capital, insurance, per-entry charges, customs fees
and their limits per fiscal year, the Chinese New Year shutdown). Rates are data: the defaults below are the
public figures of the domain reference (§1.4, §1.5, §8), there to be changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sourcing.models import validate_currency
from sourcing.tenancy import TenantScopedModel

# CBP Dec. 25-10 (90 FR 34665): FY2026 from 1 October 2025; FY2025's limits before it.
DEFAULT_MPF_LIMITS: dict[str, dict[str, str]] = {
    "2025": {"minimum": "32.71", "maximum": "634.62"},
    "2026": {"minimum": "33.58", "maximum": "651.50"},
}


def default_mpf_limits() -> dict[str, dict[str, str]]:
    return {year: dict(limits) for year, limits in DEFAULT_MPF_LIMITS.items()}


class TransportMode(models.TextChoices):
    OCEAN = "ocean", _("Ocean")
    AIR = "air", _("Air")


def _money(label: Any, **kwargs: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kwargs)


def _pct(label: Any, **kwargs: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=9, decimal_places=4, **kwargs)


class DutyRate(TenantScopedModel):
    """The U.S. duty on goods whose HTS number starts with ``hts_prefix``, from ``effective_from`` to
    ``effective_to`` (the last day in force; open when empty): the MFN rate and every additional duty
    (``[{"program": "Section 301 List 3", "rate_pct": "25"}]``). On a date, the longest matching prefix wins."""

    hts_prefix = models.CharField(_("HTS number or prefix"), max_length=10)
    description = models.CharField(_("description"), max_length=200, blank=True)
    mfn_rate_pct = _pct(_("MFN rate (%)"))
    additional_duties = models.JSONField(_("additional duties"), default=list, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("duty rate")
        verbose_name_plural = _("duty rates")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "hts_prefix", "effective_from"], name="duty_rate_unique_start"),
        ]
        indexes = [models.Index(fields=["tenant", "hts_prefix"], name="duty_rate_prefix")]

    def __str__(self) -> str:
        return f"{self.hts_prefix} {self.effective_from}"

    def total_rate_pct(self) -> Decimal:
        return Decimal(self.mfn_rate_pct) + sum((Decimal(a["rate_pct"]) for a in self.additional_duties), Decimal(0))


class LaneRate(TenantScopedModel):
    """Freight from ``origin_port`` to ``destination_port`` (UN/LOCODEs) by ``mode``, in ``currency``, from
    ``effective_from`` to ``effective_to``: per container (ocean), per CBM (ocean, LCL), per kg (air)."""

    origin_port = models.CharField(_("port of loading"), max_length=5)
    destination_port = models.CharField(_("port of discharge"), max_length=5)
    mode = models.CharField(_("mode"), max_length=5, choices=TransportMode.choices)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    per_20 = _money(_("per 20' container"), null=True, blank=True)
    per_40 = _money(_("per 40' container"), null=True, blank=True)
    per_40hc = _money(_("per 40' high cube"), null=True, blank=True)
    per_cbm = _money(_("per CBM"), null=True, blank=True)
    per_kg = _money(_("per kg"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("freight lane rate")
        verbose_name_plural = _("freight lane rates")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "origin_port", "destination_port", "mode", "effective_from"],
                name="lane_rate_unique_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_port}→{self.destination_port} {self.mode} {self.effective_from}"


class LandedCostSettings(TenantScopedModel):
    """A tenant's landed-cost settings (one row per tenant, created with the defaults on first change)."""

    cost_of_capital_pct = _pct(_("annual cost of capital (%)"), default=Decimal("8"))
    insurance_rate_pct = _pct(_("cargo insurance rate (%)"), default=Decimal("0.3"))
    insurance_cover_pct = _pct(_("insured share of the CFR value (%)"), default=Decimal("110"))
    charges_currency = models.CharField(
        _("currency of the charges"), max_length=3, default="USD", validators=[validate_currency]
    )
    broker_fee = _money(_("customs broker per entry"), default=Decimal("150"))
    inland_charge = _money(_("inland delivery per entry"), default=Decimal("800"))
    origin_charge = _money(_("origin charges per entry (EXW)"), default=Decimal("0"))
    mpf_rate_pct = _pct(_("MPF rate (%)"), default=Decimal("0.3464"))
    hmf_rate_pct = _pct(_("HMF rate (%)"), default=Decimal("0.125"))
    mpf_limits = models.JSONField(_("MPF minimum and maximum per fiscal year (USD)"), default=default_mpf_limits)
    cny_days_before = models.PositiveIntegerField(_("shut before Chinese New Year (days)"), default=14)
    cny_days_after = models.PositiveIntegerField(_("shut after Chinese New Year (days)"), default=21)

    class Meta:
        verbose_name = _("landed-cost settings")
        verbose_name_plural = _("landed-cost settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="landed_cost_settings_one_per_tenant")]

    def __str__(self) -> str:
        return "landed-cost settings"
