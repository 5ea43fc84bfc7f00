"""Findings raised from the analyses: the largest price variances, maverick spend by top-level category,
duplicate vendor clusters and single-source categories. Each generated finding has a key, so raising them
again updates the open ones instead of adding copies, and leaves closed or dismissed ones alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.spend import finding_text
from sourcing.spend.models import Finding, FindingKind, FindingStatus, SpendLine
from sourcing.spend.selectors import analysis, maverick, variance
from sourcing.spend.selectors import vendors as vendor_selectors
from sourcing.spend.selectors.analysis import SpendFilter

PRICE_VARIANCES = 10
MIN_SHARE_PCT = Decimal("5")  # maverick spend below this share of a category is not worth a finding
FIELDS = ["kind", "title", "category", "suppliers", "amount", "estimated_saving"]


@dataclass
class Candidate:
    key: str
    kind: str
    title_params: dict[str, Any]  # the title is the kind's (sourcing.spend.finding_text), shown in each language
    amount: Decimal
    estimated_saving: Decimal = Decimal(0)
    category_id: Any = None
    suppliers: list[dict[str, str]] = field(default_factory=list)


def _price_variance() -> list[Candidate]:
    rows = variance.price_variance(SpendFilter(), limit=PRICE_VARIANCES)
    if not rows:
        return []
    skus = [r.item_sku for r in rows]
    categories: dict[str, Counter[Any]] = {}
    for sku, category_id in SpendLine.objects.filter(item_sku__in=skus).values_list("item_sku", "category_id"):
        categories.setdefault(sku, Counter())[category_id] += 1
    found = []
    for r in rows:
        if r.saving <= 0:
            continue
        prices = variance.sku_prices(SpendFilter(), item_sku=r.item_sku, uom=r.uom)
        found.append(
            Candidate(
                key=f"price_variance:{r.item_sku}:{r.uom}",
                kind=FindingKind.PRICE_VARIANCE,
                title_params={"sku": r.item_sku, "spread": str(r.spread_pct)},
                amount=r.spend,
                estimated_saving=r.saving,
                category_id=categories.get(r.item_sku, Counter()).most_common(1)[0][0]
                if r.item_sku in categories
                else None,
                suppliers=[{"id": p.ref.key, "name": p.ref.name} for p in prices],
            )
        )
    return found


def _maverick() -> list[Candidate]:
    rows, _overall = maverick.maverick_spend(SpendFilter(), by="category")
    found = []
    for r in rows:
        if r.header.depth != 0 or r.header.key == analysis.UNCATEGORISED or r.share < MIN_SHARE_PCT:
            continue
        found.append(
            Candidate(
                key=f"maverick:{r.header.key}",
                kind=FindingKind.MAVERICK,
                title_params={"pct": str(r.share), "category": r.header.label},
                amount=r.maverick,
                category_id=r.header.key,
            )
        )
    return found


def _duplicates() -> list[Candidate]:
    found = []
    for cluster in vendor_selectors.duplicate_clusters():
        names = [v.name for v, _spend in cluster.vendors]
        found.append(
            Candidate(
                key="duplicate:" + ",".join(sorted(str(v.pk) for v, _spend in cluster.vendors)),
                kind=FindingKind.DUPLICATE_SUPPLIERS,
                title_params={"names": names},
                amount=cluster.spend,
                suppliers=[{"id": str(v.pk), "name": v.name} for v, _spend in cluster.vendors],
            )
        )
    return found


def _single_source() -> list[Candidate]:
    found = []
    for r in analysis.category_concentration(SpendFilter()):
        if not r.single_source or r.header.key == analysis.UNCATEGORISED or r.top is None:
            continue
        found.append(
            Candidate(
                key=f"single_source:{r.header.key}",
                kind=FindingKind.SINGLE_SOURCE,
                title_params={"category": r.header.label, "supplier": r.top.name},
                amount=r.total,
                category_id=r.header.key,
                suppliers=[{"id": r.top.key, "name": r.top.name}],
            )
        )
    return found


@transaction.atomic
def findings_raise(*, tenant: Tenant, by: Actor) -> tuple[int, int]:
    """Raise or refresh the findings the analyses show, and close the raised ones they no longer show (the
    duplicate was merged, the prices came together). Returns (created, updated or closed)."""
    by.require(Scope.SPEND_WRITE)
    candidates = [*_price_variance(), *_maverick(), *_duplicates(), *_single_source()]
    existing = {f.key: f for f in Finding.objects.filter(key__in=[c.key for c in candidates])}
    created = updated = 0
    for c in candidates:
        finding = existing.get(c.key)
        if finding is not None and finding.status in {FindingStatus.CLOSED, FindingStatus.DISMISSED}:
            continue  # the team has decided on it; raising it again would undo that
        before = snapshot(finding, FIELDS) if finding is not None else None
        finding = finding or Finding(tenant=tenant, key=c.key, currency=tenant.base_currency)
        finding.kind = c.kind
        finding.title = finding_text.english(c.kind, c.title_params) or c.kind
        finding.title_code, finding.title_params = c.kind, c.title_params
        finding.category_id = c.category_id
        finding.suppliers = c.suppliers
        finding.amount = c.amount.quantize(Decimal("0.01"))
        finding.estimated_saving = c.estimated_saving.quantize(Decimal("0.01"))
        after = snapshot(finding, FIELDS)
        if before == after:
            continue
        finding.save()
        action = "finding.create" if before is None else "finding.update"
        audit_record(tenant=tenant, by=by, action=action, target=finding, before=before, after=after)
        if before is None:
            created += 1
        else:
            updated += 1
    keys = {c.key for c in candidates}
    stale = (
        Finding.objects.exclude(key="")
        .exclude(key__in=keys)
        .filter(status__in=[FindingStatus.OPEN, FindingStatus.IN_PROGRESS])
    )
    for finding in stale:
        before = snapshot(finding, ["status", "note", "closed_at"])
        finding.status = FindingStatus.CLOSED
        finding.closed_at = timezone.now()
        finding.note = "\n\n".join(
            part
            for part in (finding.note, _("Closed when findings were raised again: the analysis no longer shows it."))
            if part
        )
        finding.save(update_fields=["status", "closed_at", "note"])
        after = snapshot(finding, ["status", "note", "closed_at"])
        audit_record(tenant=tenant, by=by, action="finding.status", target=finding, before=before, after=after)
        updated += 1
    return created, updated
