"""Reads of spend findings and frozen baselines, shared by pages, the API and exports. Callers are inside
``tenant_scope``."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from sourcing.categories.models import Category
from sourcing.categories.selectors import categories as category_selectors
from sourcing.errors import DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.models import AuditEvent, Membership
from sourcing.roles import INTERNAL_ROLES, ROLE_SCOPES, Scope
from sourcing.selectors import audit_event_list
from sourcing.spend.models import Baseline, Finding, FindingKind, FindingStatus, SpendLine, Vendor

CENT = Decimal("0.01")
# Not yet closed or dismissed: the savings still to be won.
OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_PROGRESS)
UNASSIGNED = "none"  # the assignee filter's value for findings nobody holds
# Who may hold a finding: people of this organisation who can open it (never a partner agent).
ASSIGNEE_ROLES = tuple(sorted(r.value for r in INTERNAL_ROLES if Scope.SPEND_READ in ROLE_SCOPES[r]))


def money_text(value: Decimal) -> str:
    """An amount as stored in a baseline: two decimals, no exponent."""
    return format(Decimal(value).quantize(CENT), "f")


# Findings


def finding_queryset() -> QuerySet[Finding]:
    return Finding.objects.select_related("category", "assignee__user")


def finding_list(
    *,
    status: str = "",
    kind: str = "",
    category_id: Any = None,
    assignee: str = "",
    mine: Membership | None = None,
) -> QuerySet[Finding]:
    """Findings, largest estimated saving first. ``category_id`` takes in its whole subtree; ``assignee`` is
    a membership id or ``"none"``; ``mine`` keeps the findings that member holds. ``status`` may also be
    ``"active"`` (open or in progress)."""
    qs = finding_queryset().order_by("-estimated_saving", "-created_at", "-id")
    if status == "active":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if category_id:
        qs = in_category(qs, category_id)
    if assignee:
        qs = held_by(qs, assignee)
    if mine is not None:
        qs = qs.filter(assignee_id=mine.pk)
    return qs


def in_category(qs: QuerySet[Finding], category_id: Any) -> QuerySet[Finding]:
    """Findings on the category or anywhere below it; none for an id that is not one of this tenant's."""
    try:
        return qs.filter(category_id__in=category_selectors.descendants_of(category_id))
    except NotFoundError:
        return qs.none()


def held_by(qs: QuerySet[Finding], assignee: str) -> QuerySet[Finding]:
    """Findings held by a membership id, or by nobody (``"none"``)."""
    if assignee == UNASSIGNED:
        return qs.filter(assignee__isnull=True)
    pk = as_uuid(assignee)
    return qs.filter(assignee_id=pk) if pk else qs.none()


def finding_get(*, finding_id: Any) -> Finding:
    """A finding of the current tenant; missing, malformed and another tenant's ids raise the same error."""
    pk = as_uuid(finding_id)
    finding = finding_queryset().filter(pk=pk).first() if pk else None
    if finding is None:
        raise NotFoundError()
    return finding


@dataclass
class KindTotal:
    kind: str
    label: str
    count: int
    saving: Decimal


@dataclass
class FindingTotals:
    open_count: int
    open_saving: Decimal
    by_kind: list[KindTotal]


def finding_totals(findings: QuerySet[Finding] | None = None) -> FindingTotals:
    """Open findings (open or in progress) of ``findings`` (all by default): how many, and their estimated
    saving, in all and by kind (largest saving first). One query."""
    qs = (findings if findings is not None else Finding.objects.all()).filter(status__in=OPEN_STATUSES)
    rows = qs.order_by().values("kind").annotate(count=Count("id"), saving=Sum("estimated_saving"))
    labels = dict(FindingKind.choices)
    by_kind = [
        KindTotal(row["kind"], str(labels.get(row["kind"], row["kind"])), row["count"], row["saving"] or Decimal(0))
        for row in rows
    ]
    by_kind.sort(key=lambda t: (-t.saving, t.label))
    return FindingTotals(
        open_count=sum(t.count for t in by_kind),
        open_saving=sum((t.saving for t in by_kind), Decimal(0)),
        by_kind=by_kind,
    )


def assignee_choices(*, include: Iterable[Any] = ()) -> list[Membership]:
    """Members who may hold a finding (and whoever is named in ``include``, so a form can show the current
    holder even if they have left)."""
    wanted = Q(is_active=True, role__in=ASSIGNEE_ROLES)
    extra = [pk for pk in include if pk]
    if extra:
        wanted |= Q(pk__in=extra)
    return list(Membership.objects.filter(wanted).select_related("user").order_by("user__full_name", "user__email"))


def finding_events(*, finding: Finding, limit: int = 100) -> list[AuditEvent]:
    """The finding's audit trail, newest first."""
    return list(audit_event_list(object_type=Finding._meta.label_lower, object_id=str(finding.pk))[:limit])


# Baselines


def baseline_list() -> QuerySet[Baseline]:
    """Baselines, latest period first; the frozen rows are left out (a list shows totals)."""
    return Baseline.objects.select_related("frozen_by").defer("by_category").order_by("-period_end", "name", "-id")


def baseline_get(*, baseline_id: Any) -> Baseline:
    pk = as_uuid(baseline_id)
    baseline = Baseline.objects.select_related("frozen_by").filter(pk=pk).first() if pk else None
    if baseline is None:
        raise NotFoundError()
    return baseline


def lines_in_period(start: datetime.date, end: datetime.date) -> QuerySet[SpendLine]:
    """Spend lines invoiced from ``start`` to ``end``, both included.

    A line's id begins with its invoice day (sourcing.spend.normalise.line_id), so the date range is also an
    id range, which the primary key's index serves; the date condition states the meaning.
    """
    low = uuid.UUID(f"{start.toordinal():08x}-0000-0000-0000-000000000000")
    high = uuid.UUID(f"{end.toordinal():08x}-ffff-ffff-ffff-ffffffffffff")
    return SpendLine.objects.filter(pk__gte=low, pk__lte=high, invoice_date__gte=start, invoice_date__lte=end)


def _supplier_keys(vendor_ids: set[Any]) -> dict[Any, Any]:
    """Each vendor id → who it is as a supplier: the vendor it was merged into, if any (followed to the
    end of the chain), then that vendor's supplier if it is linked to one, else that vendor itself."""
    vendors = {v["id"]: v for v in Vendor.objects.order_by().values("id", "supplier_id", "merged_into_id")}
    keys: dict[Any, Any] = {}
    for vendor_id in vendor_ids:
        current, seen = vendor_id, {vendor_id}
        while (target := vendors.get(current, {}).get("merged_into_id")) is not None and target not in seen:
            seen.add(target)
            current = target
        supplier_id = vendors.get(current, {}).get("supplier_id")
        keys[vendor_id] = ("supplier", supplier_id) if supplier_id else ("vendor", current)
    return keys


@dataclass
class SpendSnapshot:
    total: Decimal
    line_count: int
    # [{"category_id", "code", "name", "amount", "lines", "suppliers"}]; amounts as text with two decimals
    by_category: list[dict[str, Any]]


def spend_snapshot(start: datetime.date, end: datetime.date) -> SpendSnapshot:
    """Spend invoiced in a period, in the base currency, by the category each line is booked on (not rolled
    up the tree), largest first, with an "uncategorised" row (category_id None, always present) last.
    ``suppliers`` counts distinct suppliers (see ``_supplier_keys``). Three queries, whatever the volume."""
    amounts: dict[Any, Decimal] = defaultdict(Decimal)
    lines: dict[Any, int] = defaultdict(int)
    vendors_of: dict[Any, set[Any]] = defaultdict(set)
    grouped = (
        lines_in_period(start, end)
        .order_by()
        .values("category_id", "vendor_id")
        .annotate(amount=Sum("amount_base"), lines=Count("id"))
    )
    for row in grouped:
        amounts[row["category_id"]] += row["amount"] or Decimal(0)
        lines[row["category_id"]] += row["lines"]
        vendors_of[row["category_id"]].add(row["vendor_id"])
    keys = _supplier_keys({v for ids in vendors_of.values() for v in ids}) if vendors_of else {}
    names = {
        c["id"]: c
        for c in Category.objects.filter(pk__in=[pk for pk in amounts if pk is not None]).values("id", "code", "name")
    }

    def row_of(category_id: Any) -> dict[str, Any]:
        category = names.get(category_id, {}) if category_id is not None else {}
        return {
            "category_id": str(category_id) if category_id is not None else None,
            "code": category.get("code", ""),
            "name": category.get("name", ""),
            "amount": money_text(amounts.get(category_id, Decimal(0))),
            "lines": lines.get(category_id, 0),
            "suppliers": len({keys[v] for v in vendors_of.get(category_id, set())}),
        }

    categorised = sorted(
        (pk for pk in amounts if pk is not None), key=lambda pk: (-amounts[pk], names.get(pk, {}).get("code", ""))
    )
    rows = [row_of(pk) for pk in categorised] + [row_of(None)]
    return SpendSnapshot(
        total=sum(amounts.values(), Decimal(0)).quantize(CENT), line_count=sum(lines.values()), by_category=rows
    )


def period_length(start: datetime.date, end: datetime.date) -> int:
    """Days from ``start`` to ``end``, both included."""
    return (end - start).days + 1


def comparison_period(
    baseline: Baseline, period_start: datetime.date | None = None, period_end: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The period a baseline is compared with: as long as the baseline's, starting on ``period_start`` (by
    default the day after the baseline ends). A given ``period_end`` must close a period of that length."""
    days = period_length(baseline.period_start, baseline.period_end)
    start = period_start or baseline.period_end + datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=days - 1)
    if period_end is not None and period_end != end:
        message = _("The comparison period must be as long as the baseline's (%(days)s days): to %(end)s.") % {
            "days": days,
            "end": end.isoformat(),
        }
        raise DomainError(message, fields={"period_end": [message]})
    return start, end


@dataclass
class ComparisonRow:
    category_id: str | None
    code: str
    name: str
    baseline: Decimal
    current: Decimal
    in_baseline: bool

    @property
    def difference(self) -> Decimal:
        return self.current - self.baseline

    @property
    def pct(self) -> Decimal | None:
        """The change in percent of the baseline amount, to one decimal; None when the baseline had none."""
        if not self.baseline:
            return None
        return (self.difference * 100 / self.baseline).quantize(Decimal("0.1"))


@dataclass
class Comparison:
    period_start: datetime.date
    period_end: datetime.date
    currency: str
    rows: list[ComparisonRow]
    total: ComparisonRow


def baseline_compare(
    *,
    baseline: Baseline,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
) -> Comparison:
    """Each category of the baseline, its frozen amount against the spend booked on it in a period of the
    same length (``comparison_period``), then categories with spend there but none in the baseline; the
    uncategorised row last, and a total. Current spend is in the tenant's base currency, as the baseline's
    was when it was frozen. At most two queries."""
    start, end = comparison_period(baseline, period_start, period_end)
    current: dict[Any, Decimal] = {
        (str(row["category_id"]) if row["category_id"] is not None else None): row["amount"] or Decimal(0)
        for row in lines_in_period(start, end).order_by().values("category_id").annotate(amount=Sum("amount_base"))
    }
    rows: list[ComparisonRow] = []
    uncategorised = ComparisonRow(None, "", "", Decimal(0), current.get(None, Decimal(0)), False)
    frozen_ids = set()
    for frozen in baseline.by_category:
        category_id = frozen.get("category_id")
        if category_id is None:
            uncategorised.baseline = Decimal(frozen["amount"])
            uncategorised.in_baseline = True
            continue
        frozen_ids.add(category_id)
        rows.append(
            ComparisonRow(
                category_id,
                frozen.get("code", ""),
                frozen.get("name", ""),
                Decimal(frozen["amount"]),
                current.get(category_id, Decimal(0)),
                True,
            )
        )
    new_ids = [pk for pk in current if pk is not None and pk not in frozen_ids]
    if new_ids:
        names = {str(c["id"]): c for c in Category.objects.filter(pk__in=new_ids).values("id", "code", "name")}
        new_rows = [
            ComparisonRow(
                pk, names.get(pk, {}).get("code", ""), names.get(pk, {}).get("name", ""), Decimal(0), amount, False
            )
            for pk, amount in current.items()
            if pk in new_ids
        ]
        rows += sorted(new_rows, key=lambda r: (-r.current, r.code))
    rows.append(uncategorised)
    total = ComparisonRow(
        None,
        "",
        "",
        Decimal(baseline.total),
        sum((r.current for r in rows), Decimal(0)),
        True,
    )
    return Comparison(period_start=start, period_end=end, currency=baseline.currency, rows=rows, total=total)
