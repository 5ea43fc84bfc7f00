"""The qualification lifecycle as data: which action moves a supplier from which status to which, what each
action must be given, and the scope it needs. Pure: no ORM.

    prospect ──start──▶ in qualification ──approve──▶ approved ──suspend/block──▶ suspended | blocked
        │                    │  └─approve conditionally─▶ conditionally approved (conditions, expiry)   │
        └──reject──▶ rejected ◀──reject──┘                                          reinstate ◀──────────┘
    rejected ──requalify──▶ in qualification
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sourcing.roles import Scope


class SupplierStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    IN_QUALIFICATION = "in_qualification", _("In qualification")
    APPROVED = "approved", _("Approved")
    CONDITIONAL = "conditional", _("Conditionally approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    BLOCKED = "blocked", _("Blocked")


S = SupplierStatus


@dataclass(frozen=True)
class Action:
    key: str
    label: Any  # a lazily translated string
    to: str
    scope: str
    needs_reason: bool = False
    needs_conditions: bool = False  # conditions text and an expiry date
    checks_rules: bool = False  # the approval rules must all pass
    style: str = "secondary"


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in [
        Action("start", _("Start qualification"), S.IN_QUALIFICATION, Scope.SUPPLIER_WRITE, style="primary"),
        Action("approve", _("Approve"), S.APPROVED, Scope.SUPPLIER_QUALIFY, checks_rules=True, style="primary"),
        Action(
            "approve_conditionally",
            _("Approve with conditions"),
            S.CONDITIONAL,
            Scope.SUPPLIER_QUALIFY,
            needs_conditions=True,
        ),
        Action("reject", _("Reject"), S.REJECTED, Scope.SUPPLIER_QUALIFY, needs_reason=True, style="danger"),
        Action("suspend", _("Suspend"), S.SUSPENDED, Scope.SUPPLIER_QUALIFY, needs_reason=True, style="danger"),
        Action("block", _("Block"), S.BLOCKED, Scope.SUPPLIER_QUALIFY, needs_reason=True, style="danger"),
        Action("reinstate", _("Reinstate"), S.APPROVED, Scope.SUPPLIER_QUALIFY, checks_rules=True),
        Action("requalify", _("Qualify again"), S.IN_QUALIFICATION, Scope.SUPPLIER_QUALIFY),
    ]
}

ALLOWED: dict[str, tuple[str, ...]] = {
    S.PROSPECT: ("start", "reject"),
    S.IN_QUALIFICATION: ("approve", "approve_conditionally", "reject"),
    S.CONDITIONAL: ("approve", "approve_conditionally", "suspend", "block", "reject"),
    S.APPROVED: ("suspend", "block"),
    S.SUSPENDED: ("reinstate", "block"),
    S.BLOCKED: ("reinstate",),
    S.REJECTED: ("requalify",),
}

# Statuses under which a supplier may be awarded business (onboarding aside).
AWARDABLE = frozenset({S.APPROVED, S.CONDITIONAL})


def actions_from(status: str) -> list[Action]:
    return [ACTIONS[key] for key in ALLOWED.get(status, ())]
