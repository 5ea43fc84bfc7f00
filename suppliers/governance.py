"""What a supplier's tier means for how it is governed. Pure data, no ORM: the review cadence the KPI reviews
follow, how often its factories are audited, and whether onboarding must be complete before it may be awarded
business. The onboarding checklist itself is the tenant's template for the tier (``OnboardingTemplate``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from sourcing.roles import INTERNAL_ROLES, Role


class Tier(models.TextChoices):
    """Business criticality; it sets the governance a supplier gets (below)."""

    STRATEGIC = "strategic", _("Strategic")
    CORE = "core", _("Core")
    TRANSACTIONAL = "transactional", _("Transactional")


# Who may own a supplier (be its buyer of record): the internal roles that run sourcing.
OWNER_ROLES = INTERNAL_ROLES - {Role.EXECUTIVE, Role.FINANCE}


@dataclass(frozen=True)
class Governance:
    review_cadence: str  # "monthly" | "quarterly" | "yearly"
    audit_every_months: int | None  # None: audited when a category requires it, not on a schedule
    onboarding_required: bool

    @property
    def review_cadence_label(self) -> str:
        return str(CADENCE_LABELS[self.review_cadence])


CADENCE_LABELS = {"monthly": _("Monthly"), "quarterly": _("Quarterly"), "yearly": _("Yearly")}

GOVERNANCE: dict[str, Governance] = {
    Tier.STRATEGIC: Governance(review_cadence="monthly", audit_every_months=12, onboarding_required=True),
    Tier.CORE: Governance(review_cadence="quarterly", audit_every_months=24, onboarding_required=True),
    Tier.TRANSACTIONAL: Governance(review_cadence="yearly", audit_every_months=None, onboarding_required=False),
}


def governance_for(tier: str) -> Governance:
    return GOVERNANCE[tier]
