"""What stands between a supplier and approval, read from the categories it is qualified for: each required
certification valid, each required audit passed with no open critical finding, and (when its tier requires
onboarding) every required onboarding step done. The page shows these messages as they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sourcing.categories.models import Category
from suppliers.governance import governance_for
from suppliers.models import OnboardingTask, StatusChange, Supplier, SupplierStatus

BLOCKER_LABELS = {
    "certification": gettext_lazy("Certificate"),
    "audit": gettext_lazy("Audit"),
    "onboarding": gettext_lazy("Onboarding"),
}


@dataclass(frozen=True)
class Blocker:
    kind: str  # "certification" | "audit" | "onboarding"
    message: str

    @property
    def label(self) -> str:
        """The kind in the viewer's language, for the badge (never the code)."""
        return str(BLOCKER_LABELS.get(self.kind, self.kind))


def requirements(supplier: Supplier) -> tuple[list[str], list[str]]:
    """The certification and audit types the supplier's categories require (each once, in first-seen order)."""
    certifications: list[str] = []
    audits: list[str] = []
    for required_certs, required_audits in Category.objects.filter(supplier_links__supplier_id=supplier.pk).values_list(
        "required_certifications", "required_audits"
    ):
        certifications += [c for c in required_certs or [] if c not in certifications]
        audits += [a for a in required_audits or [] if a not in audits]
    return certifications, audits


def approval_blockers(supplier: Supplier) -> list[Blocker]:
    from sourcing.categories.requirements import CertificationType
    from suppliers.selectors.audits import audit_blockers
    from suppliers.selectors.evidence import certifications_missing
    from suppliers.selectors.onboarding import onboarding_missing

    blockers: list[Blocker] = []
    labels = dict(CertificationType.choices)
    for cert_type in certifications_missing(supplier):
        blockers.append(
            Blocker("certification", _("No valid %(type)s certificate.") % {"type": labels.get(cert_type, cert_type)})
        )
    _certs, audits = requirements(supplier)
    blockers += [Blocker("audit", message) for message in audit_blockers(supplier, audits)]
    if governance_for(supplier.tier).onboarding_required:
        if not OnboardingTask.objects.filter(supplier_id=supplier.pk).exists():
            blockers.append(Blocker("onboarding", _("Onboarding has not been started.")))
        for task in onboarding_missing(supplier):
            blockers.append(Blocker("onboarding", _("Onboarding step not done: %(title)s.") % {"title": task.title}))
    return blockers


def status_timeline(supplier: Supplier) -> list[StatusChange]:
    return list(StatusChange.objects.filter(supplier_id=supplier.pk).order_by("-at"))


def board(*, per_column: int = 40) -> list[dict[str, Any]]:
    """The qualification board: for each status, its count and the first suppliers by name (three queries)."""
    counts = dict(
        Supplier.objects.filter(merged_into__isnull=True).values_list("status").annotate(n=Count("id")).order_by()
    )
    columns = []
    for status, label in SupplierStatus.choices:
        columns.append({"status": status, "label": label, "count": counts.get(status, 0), "suppliers": []})
    by_status = {c["status"]: c for c in columns}
    ranked = (
        Supplier.objects.filter(merged_into__isnull=True)
        .annotate(rank=Window(RowNumber(), partition_by=[F("status")], order_by=[F("legal_name").asc(), F("id")]))
        .select_related("owner__user")
        .order_by("status", "legal_name", "id")
    )
    for supplier in ranked.filter(rank__lte=per_column):
        by_status[supplier.status]["suppliers"].append(supplier)
    return columns
