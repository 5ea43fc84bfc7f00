"""Reads shared by pages and the API. Callers are inside ``tenant_scope`` unless a function says otherwise."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from sourcing.models import USABLE_MEMBERSHIP, Agency, ApiKey, AuditEvent, Membership, User
from sourcing.roles import Role
from sourcing.tenancy import USER_SETTING, db_setting


def memberships_of_user(user: User) -> list[Membership]:
    """Every active membership of one person, across tenants (for the tenant switcher and the home page).

    Deliberately unscoped: it runs before a tenant is chosen. On PostgreSQL the SELECT-only bootstrap
    policies let ``app.user_id`` see that person's own memberships and their agencies, and nothing else.
    """
    with db_setting(USER_SETTING, str(user.pk)):
        return list(
            Membership.objects.unscoped()
            .filter(USABLE_MEMBERSHIP, user_id=user.pk, tenant__is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )


def member_list(*, role: str | None = None, active: bool | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("user", "agency").order_by("user__email")
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def agency_list() -> QuerySet[Any]:
    return Agency.objects.annotate(agent_count=Count("agents", filter=Q(agents__is_active=True))).order_by("name")


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by").order_by("-created_at")


def audit_event_list(
    *,
    action: str = "",
    actor: str = "",
    actor_id: Any = None,
    object_type: str = "",
    object_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    tz: Any = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all().order_by("-id")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    zone = tz or timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=zone))
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        qs = qs.filter(created_at__lt=end)
    return qs


def members_by_role() -> list[dict[str, Any]]:
    counts = dict(
        Membership.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    return [{"role": role, "label": role.label, "count": counts.get(role.value, 0)} for role in Role]


def audit_object_types() -> list[str]:
    """The kinds of object this tenant's audit log mentions, for the filter."""
    return sorted(t for t in AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct() if t)


@dataclass(frozen=True)
class MoneyTotal:
    """A list's totals in one currency: how many rows, and the sum of each money column."""

    currency: str
    count: int
    sums: dict[str, Decimal]


def money_totals(rows: QuerySet[Any], *, sums: Sequence[str], currency: str = "currency") -> list[MoneyTotal]:
    """The totals of every row of ``rows`` (the filtered list, not one page), per currency, in one aggregate
    query: ``currency`` names the rows' currency field, or is a currency code itself (three capitals) for a
    list whose amounts are all in that currency (the base). Largest first by the first sum."""
    aggregates: dict[str, Any] = {"_count": Count("pk"), **{f"_sum_{name}": Sum(name) for name in sums}}
    plain = rows.order_by()
    if len(currency) == 3 and currency.isupper():
        grouped = [{**plain.aggregate(**aggregates), "_currency": currency}]
    else:
        grouped = list(plain.values(_currency=F(currency)).annotate(**aggregates))
    totals = [
        MoneyTotal(
            currency=row["_currency"] or "",
            count=row["_count"] or 0,
            sums={name: row[f"_sum_{name}"] or Decimal(0) for name in sums},
        )
        for row in grouped
        if row["_count"]
    ]
    return sorted(totals, key=lambda t: (-t.sums[sums[0]] if sums else 0, t.currency))
