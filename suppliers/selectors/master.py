"""Reads of suppliers. Agents see only suppliers granted to them (object permissions, never model-wide)."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, UUIDField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sourcing.ids import as_uuid
from sourcing.models import User
from suppliers import row_facts
from suppliers.governance import OWNER_ROLES
from suppliers.models import (
    EXPIRING_DAYS,
    Certification,
    RiskFlag,
    Supplier,
    SupplierAgentGrant,
    SupplierCategory,
    SupplierStatus,
    SupplierType,
    Tier,
)
from suppliers.names import display_name, name_key

VIEW_SUPPLIER = "suppliers.view_supplier"


def assigned_supplier_ids(*, user: User) -> list[uuid.UUID]:
    """The ids of the suppliers granted to this agent (direct object grants only: guardian's group tables carry
    no tenant), read first, by the agent's user, from the grants. Every read of what an agent may see then
    filters by this short list (``supplier_id IN (…)``), an index look-up whatever the planner knows: a join
    or subquery on the grants could be planned as a nested loop over a whole table when the statistics are
    cold (right after a bulk load, before ANALYZE), as slow as 36 s a request."""
    app_label, codename = VIEW_SUPPLIER.split(".")
    grants = SupplierAgentGrant.objects.filter(
        user_id=user.pk, permission__content_type__app_label=app_label, permission__codename=codename
    )
    return list(grants.values_list("content_object_id", flat=True).order_by("content_object_id"))


def suppliers_assigned_to(*, user: User) -> QuerySet[Supplier]:
    """The suppliers granted to this agent: the one list of what an agent may see, which the access functions
    (``suppliers.services.access``) and the partner list pages build on (the grants are read at once)."""
    return Supplier.objects.filter(pk__in=assigned_supplier_ids(user=user)).order_by("legal_name")


def supplier_counts_by_country() -> list[dict[str, Any]]:
    return list(Supplier.objects.values("country").annotate(n=Count("id")).order_by("-n", "country"))


def assignments_for_agents(*, user_ids: list[Any]) -> dict[Any, list[Supplier]]:
    """Suppliers assigned to each of these agents, in one query."""
    from suppliers.models import SupplierAgentGrant

    result: dict[Any, list[Supplier]] = {uid: [] for uid in user_ids}
    grants = (
        SupplierAgentGrant.objects.filter(user_id__in=user_ids, permission__codename="view_supplier")
        .select_related("content_object")
        .order_by("content_object__legal_name")
    )
    for grant in grants:
        result[grant.user_id].append(grant.content_object)
    return result


def supplier_choices() -> list[Supplier]:
    """Suppliers to pick from in an assignment form: id and name only."""
    return list(Supplier.objects.only("id", "legal_name", "local_name").order_by("legal_name"))


@dataclass(frozen=True)
class SupplierFilter:
    """The supplier list's filters, as the page's form and the API's query parse them."""

    q: str = ""
    status: str = ""
    tier: str = ""
    supplier_type: str = ""
    country: str = ""
    province: str = ""
    category_id: Any = None
    owner_id: Any = None
    risk: str = ""  # "" | "any" | a RiskKind value
    certificates: str = ""  # "" | "expiring" (within 30 days) | "expired"


def started(today: datetime.date) -> Q:
    """Certificates whose validity has begun on ``today`` (those without a start date always have)."""
    return Q(valid_from__isnull=True) | Q(valid_from__lte=today)


def renewed(today: datetime.date | None = None) -> Exists:
    """True for a certificate that a later one replaces on ``today`` (the viewer's today unless given): the
    same type and name (the name tells apart the certificates of the type Other) for the same site, or both for
    no site, ending after it and started by then. One dated to start next month renews nothing until that day
    (``suppliers.row_facts``). A renewed certificate is history: it does not make its supplier's certificates
    "expired" or "expiring", and nobody is reminded about it."""
    today = today or timezone.localdate()
    no_site = Value(uuid.UUID(int=0), output_field=UUIDField())
    return Exists(
        Certification.objects.filter(
            started(today),
            supplier_id=OuterRef("supplier_id"),
            cert_type=OuterRef("cert_type"),
            name=OuterRef("name"),
            valid_until__gt=OuterRef("valid_until"),
        )
        .annotate(site_key=Coalesce("site_id", no_site))
        .filter(site_key=Coalesce(OuterRef("site_id"), no_site))
    )


def current_certifications(today: datetime.date | None = None) -> QuerySet[Certification]:
    """The certificates no later one replaces on ``today`` (``renewed``), not yet valid ones included."""
    return Certification.objects.filter(~renewed(today))


def _certificates_in(state: str, today: datetime.date) -> Q:
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    if state == "expired":
        return Q(valid_until__lt=today)
    return started(today) & Q(valid_until__gte=today, valid_until__lte=soon)


def supplier_list(f: SupplierFilter = SupplierFilter()) -> QuerySet[Supplier]:
    """The live suppliers (not merged away) matching ``f``, by name."""
    today = timezone.localdate()
    queryset = (
        Supplier.objects.filter(merged_into__isnull=True).select_related("owner__user").order_by("legal_name", "id")
    )
    if f.q:
        words = f.q.strip()
        queryset = queryset.filter(
            Q(legal_name__icontains=words)
            | Q(local_name__icontains=words)
            | Q(external_id__iexact=words)
            | Q(credit_code__iexact=words.upper())
            | Q(name_key__contains=name_key(words) or words)
        )
    for name in ("status", "tier", "supplier_type", "country"):
        value = getattr(f, name)
        if value:
            queryset = queryset.filter(**{name: value})
    if f.province:
        queryset = queryset.filter(Q(province__iexact=f.province) | Q(sites__province__iexact=f.province)).distinct()
    if f.category_id:
        from sourcing.categories.selectors.categories import descendants_of

        queryset = queryset.filter(
            pk__in=SupplierCategory.objects.filter(category_id__in=descendants_of(f.category_id)).values("supplier_id")
        )
    if f.owner_id:
        queryset = queryset.filter(owner_id=f.owner_id)
    if f.risk:
        flags = RiskFlag.objects.filter(supplier_id=OuterRef("pk"), is_open=True)
        queryset = queryset.filter(Exists(flags if f.risk == "any" else flags.filter(kind=f.risk)))
    if f.certificates in {"expiring", "expired"}:
        certs = current_certifications(today).filter(supplier_id=OuterRef("pk"))
        queryset = queryset.filter(Exists(certs.filter(_certificates_in(f.certificates, today))))
    return queryset


def category_refs(categories: Iterable[Any]) -> dict[str, CategoryRef]:
    """The tenant's categories (as the list's filter has read them already) by id, for ``categories_of``."""
    return {str(c.pk): CategoryRef(c.pk, c.code, c.name) for c in categories}


def categories_of(supplier: Supplier, refs: dict[str, CategoryRef]) -> list[CategoryRef]:
    """The supplier's categories as its row holds them (``Supplier.category_ids``), by code: no query."""
    return sorted((refs[pk] for pk in supplier.category_ids if pk in refs), key=lambda c: c.code)


# What a row of the supplier list shows (the page reads no more of the supplier than this, and joins nothing).
ROW_COLUMNS = [
    "id",
    "legal_name",
    "local_name",
    "status",
    "tier",
    "supplier_type",
    "country",
    "province",
    "city",
    "owner_id",  # named from the tenant's members, which the page's owner filter reads anyway
    "open_flag_count",
    "certificate_ends",
    "category_ids",
]


@dataclass(frozen=True)
class SupplierRow:
    """A row of the supplier list, made from ``.values()`` of ``ROW_COLUMNS``: a page needs no model instances."""

    pk: Any
    legal_name: str
    local_name: str
    status: str
    tier: str
    supplier_type: str
    country: str
    province: str
    city: str
    owner: Any  # the owner's membership (with its user), or None
    open_flag_count: int
    certs_expired: int
    certs_expiring: int
    categories: list[CategoryRef]

    @property
    def display_name(self) -> str:
        return display_name(self.legal_name, self.local_name)

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_tier_display(self) -> str:
        return str(_TIER_LABELS.get(self.tier, self.tier))

    def get_supplier_type_display(self) -> str:
        return str(_TYPE_LABELS.get(self.supplier_type, self.supplier_type))


_STATUS_LABELS: dict[str, Any] = dict(SupplierStatus.choices)
_TIER_LABELS: dict[str, Any] = dict(Tier.choices)
_TYPE_LABELS: dict[str, Any] = dict(SupplierType.choices)


# The list's sortable columns: key → the supplier's field (the id breaks ties).
SUPPLIER_SORTS = {
    "name": "legal_name",
    "status": "status",
    "tier": "tier",
    "type": "supplier_type",
    "location": "country",
    "flags": "open_flag_count",
}


@dataclass(frozen=True)
class SupplierPage:
    rows: list[SupplierRow]
    next_cursor: str  # '' on the last page
    total: int  # every supplier the filter finds
    start: int  # the first row's place in the list, from 1


def list_page(
    queryset: QuerySet[Supplier],
    after: Any,
    size: int,
    *,
    members: dict[Any, Any],
    refs: dict[str, CategoryRef],
    today: datetime.date,
    sort: str = "name",
    descending: bool = False,
) -> SupplierPage:
    """One page of the list (``page_after``) as rows, in one query, and where it stands in the list in one
    more: owners named from ``members`` (``members_by_id``), categories from ``refs`` (``category_refs``),
    certificate states on ``today``."""
    field = SUPPLIER_SORTS[sort]
    values, cursor, position = page_after(
        queryset.select_related(None).values(*ROW_COLUMNS), after, size, field=field, descending=descending
    )
    rows = []
    for v in values:
        ends = row_facts.current_ends(v["certificate_ends"], today) if v["certificate_ends"] else []
        rows.append(
            SupplierRow(
                pk=v["id"],
                legal_name=v["legal_name"],
                local_name=v["local_name"],
                status=v["status"],
                tier=v["tier"],
                supplier_type=v["supplier_type"],
                country=v["country"],
                province=v["province"],
                city=v["city"],
                owner=members.get(v["owner_id"]),
                open_flag_count=v["open_flag_count"],
                certs_expired=row_facts.expired(ends, today) if ends else 0,
                certs_expiring=row_facts.expiring(ends, today, EXPIRING_DAYS) if ends else 0,
                categories=sorted((refs[c] for c in v["category_ids"] if c in refs), key=lambda c: c.code),
            )
        )
    if position is None or position.start is not None:
        # the first page starts at 1, and a page reached by its cursor knows its place: one count, the total
        start = position.start if position is not None and position.start is not None else 1
        return SupplierPage(rows, cursor, queryset.order_by().count(), start)
    before = _before(field, (position.value, position.pk), descending)
    counts = queryset.order_by().aggregate(total=Count("id"), before=Count("id", filter=before))
    return SupplierPage(rows, cursor, counts["total"], counts["before"] + 1)


def _before(field: str, position: tuple[Any, Any], descending: bool) -> Q:
    """The rows up to and including the cursor's, in the list's order."""
    value, pk = position
    if descending:
        return Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gte": pk})
    return Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lte": pk})


@dataclass(frozen=True)
class Position:
    """Where a cursor points: after the row (``value``, ``pk``); ``start`` is the place of the page's first row
    (from 1) when the cursor carries it (the list's own next links do), so showing "501–550 of N" needs no
    second count. It only labels the page: which rows come is decided by (value, pk) alone."""

    value: Any
    pk: Any
    start: int | None = None


def page_after(
    queryset: QuerySet[Any], after: Any, size: int, *, field: str = "legal_name", descending: bool = False
) -> tuple[list[Any], str, Position | None]:
    """One page of ``queryset`` ordered by ``field`` then id (both descending with ``descending``) after the
    cursor ``after``, the cursor of the next page ('' on the last), and the cursor's position (None on the
    first page). Keyset paging: page 1,000 costs what page 1 does. The cursor carries the last row's value and
    id themselves, so renaming or removing that row moves no page; a cursor of another sort starts over."""
    queryset = queryset.order_by(f"-{field}", "-id") if descending else queryset.order_by(field, "id")
    position = _cursor_position(after, field)
    if position is not None:
        value, pk = position.value, position.pk
        # (value, id) past the cursor's: a range on the column's index, then that one value's ties dropped
        if descending:
            queryset = queryset.filter(**{f"{field}__lte": value}).exclude(**{field: value, "id__gte": pk})
        else:
            queryset = queryset.filter(**{f"{field}__gte": value}).exclude(**{field: value, "id__lte": pk})
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not (more and rows):
        return rows, "", position
    last = rows[-1]
    start = position.start if position is not None else 1
    following = start + len(rows) if start is not None else None
    if isinstance(last, dict):  # a page of .values()
        return rows, cursor_for(last[field], last["id"], field=field, start=following), position
    return rows, cursor_for(getattr(last, field), last.pk, field=field, start=following), position


def cursor_for(value: Any, pk: Any, *, field: str = "legal_name", start: int | None = None) -> str:
    """The cursor of the page that starts after the supplier (value of ``field``, pk), at place ``start``."""
    token = json.dumps([field, value, str(pk), *([start] if start else [])], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _cursor_position(after: Any, field: str) -> Position | None:
    """The position a cursor of this sort carries, or None for a missing, malformed or other sort's one
    (the first page)."""
    if not after:
        return None
    try:
        text = base64.urlsafe_b64decode(str(after) + "=" * (-len(str(after)) % 4)).decode()
        cursor_field, value, raw_id, *rest = json.loads(text)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    pk = as_uuid(raw_id)
    if cursor_field != field or pk is None:
        return None
    expected = int if field == "open_flag_count" else str
    if not isinstance(value, expected) or isinstance(value, bool):
        return None
    start = rest[0] if len(rest) == 1 and type(rest[0]) is int and 1 < rest[0] < 10**9 else None
    return Position(value, pk, start)


@dataclass(frozen=True)
class CategoryRef:
    pk: Any
    code: str
    name: str


def categories_by_supplier(supplier_ids: list[Any]) -> dict[Any, list[CategoryRef]]:
    """The categories (id, code, name) of these suppliers, by code, in one query."""
    from suppliers.models import SupplierCategory

    result: dict[Any, list[CategoryRef]] = {sid: [] for sid in supplier_ids}
    links = SupplierCategory.objects.filter(supplier_id__in=supplier_ids).order_by("category__code")
    for supplier_id, pk, code, name in links.values_list(
        "supplier_id", "category_id", "category__code", "category__name"
    ):
        result[supplier_id].append(CategoryRef(pk, code, name))
    return result


def agents_of(supplier: Supplier) -> list[Any]:
    """The agents assigned to this supplier (their memberships in this tenant), in one query."""
    from sourcing.models import Membership
    from suppliers.models import SupplierAgentGrant

    users = SupplierAgentGrant.objects.filter(content_object_id=supplier.pk, permission__codename="view_supplier")
    return list(
        Membership.objects.filter(user_id__in=users.values("user_id"), role="agent")
        .select_related("user", "agency")
        .order_by("user__email")
    )


def owner_choices(members: dict[Any, Any] | None = None) -> list[Any]:
    """Members who may own suppliers: active internal members who work on them; picked from ``members``
    (``members_by_id``) when the page has read those already."""
    from sourcing.models import Membership

    if members is not None:
        found = [m for m in members.values() if m.is_active and m.role in OWNER_ROLES]
        return sorted(found, key=lambda m: (m.user.full_name, m.user.email))
    return list(
        Membership.objects.filter(is_active=True, role__in=OWNER_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def members_by_id() -> dict[Any, Any]:
    """Every membership of the tenant (with its user), by id, in one query: a few hundred at most. The list
    names its rows' owners from these (``list_page``) rather than joining two tables into its page."""
    from sourcing.models import Membership

    return {m.pk: m for m in Membership.objects.select_related("user").order_by()}


def supplier_activity(supplier: Supplier, *, limit: int = 200) -> list[Any]:
    """The audit events about this supplier (its own changes and those of its sites, contacts, evidence…),
    newest first."""
    from sourcing.models import AuditEvent

    return list(
        AuditEvent.objects.filter(object_type="suppliers.supplier", object_id=str(supplier.pk)).order_by("-created_at")[
            :limit
        ]
    )


def category_choices() -> list[Any]:
    """The tenant's categories by code, for pickers: id, code and name only."""
    from sourcing.categories.models import Category

    return list(Category.objects.only("id", "code", "name").order_by("code"))
