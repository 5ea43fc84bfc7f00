"""Reads of the category tree, shared by pages, the API and exports. Callers are inside ``tenant_scope``.

The whole tree of a tenant (hundreds of categories, a few thousand at most) is read in one query and walked
in memory, so every list and roll-up costs the same few queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, Q, QuerySet

from sourcing.categories import tree
from sourcing.categories.kraljic import Position
from sourcing.categories.models import Category, CategorySpec, KraljicPosition
from sourcing.errors import NotFoundError
from sourcing.ids import as_uuid
from sourcing.models import Membership
from sourcing.roles import Role

# Who may own (manage) a category.
OWNER_ROLES = (Role.CATEGORY_MANAGER, Role.ADMIN)
UNSCORED = "unscored"  # the Kraljic filter's value for categories not scored on both axes yet
NO_OWNER = "none"  # the owner filter's value for categories nobody manages


@dataclass
class CategoryNode:
    """A category in the flat, indented list."""

    category: Category
    depth: int
    children_count: int
    matched: bool = True  # False for an ancestor shown only to place a filtered match in the tree


@dataclass
class TreeNode:
    category: Category
    children: list[TreeNode] = field(default_factory=list)


def _sort_key(category: Category) -> tuple[str, str]:
    return (category.code.casefold(), category.code)


def _load() -> tuple[dict[Any, Category], dict[Any, Any]]:
    """Every category of the tenant with its owner, each one's parent attached from the same rows."""
    categories = {c.pk: c for c in Category.objects.select_related("owner__user").order_by()}
    for category in categories.values():
        category.parent = categories.get(category.parent_id)
    return categories, {pk: c.parent_id for pk, c in categories.items()}


def parent_map() -> dict[Any, Any]:
    """Each category id → its parent's id (None for a root), in one query."""
    return dict(Category.objects.order_by().values_list("id", "parent_id"))


def _matches(category: Category, *, search: str, segment: str, position: str, owner: str) -> bool:
    if search:
        haystack = f"{category.code}\n{category.name}\n{category.description}".casefold()
        if search.casefold() not in haystack:
            return False
    if segment and category.segment != segment:
        return False
    if position and (category.kraljic_position or UNSCORED) != position:
        return False
    owned_by = str(category.owner_id) if category.owner_id else NO_OWNER
    return not owner or owned_by == owner


class CategoryFilters(TypedDict):
    search: str
    segment: str
    position: str
    owner: str


NO_FILTERS = CategoryFilters(search="", segment="", position="", owner="")


def category_list(
    *, search: str = "", segment: str = "", position: str = "", owner: str = "", context: bool = True
) -> list[CategoryNode]:
    """The tree as a flat list in tree order (parents before children, siblings by code), with depths.

    With filters, the categories that match, and (``context``) their ancestors marked as not matching, so a
    match is still shown where it sits in the tree. ``owner`` is a membership id or ``"none"``; ``position``
    a Kraljic position or ``"unscored"``.
    """
    categories, parents = _load()
    children = tree.children_of(parents)
    nodes = [
        CategoryNode(categories[pk], depth, len(children[pk]))
        for pk, depth in tree.ordered(parents, lambda pk: _sort_key(categories[pk]))
    ]
    search = search.strip()
    if not (search or segment or position or owner):
        return nodes
    matched = {
        n.category.pk
        for n in nodes
        if _matches(n.category, search=search, segment=segment, position=position, owner=owner)
    }
    shown = set(matched)
    if context:
        for pk in matched:
            shown.update(tree.ancestors(pk, parents))
    result = []
    for node in nodes:
        if node.category.pk in shown:
            node.matched = node.category.pk in matched
            result.append(node)
    return result


def category_tree() -> list[TreeNode]:
    """The tree as nested nodes, roots first, siblings by code."""
    categories, parents = _load()
    nodes = {pk: TreeNode(category) for pk, category in categories.items()}
    roots: list[TreeNode] = []
    for pk, depth in tree.ordered(parents, lambda pk: _sort_key(categories[pk])):
        if depth:
            nodes[parents[pk]].children.append(nodes[pk])
        else:
            roots.append(nodes[pk])
    return roots


def category_queryset() -> QuerySet[Category]:
    """Categories with what a row shows (parent, owner, number of children), for the API list."""
    return Category.objects.select_related("parent", "owner__user").annotate(children_count=Count("children"))


def category_get(*, category_id: Any) -> Category:
    """A category of the current tenant; missing, malformed and another tenant's ids raise the same error."""
    pk = as_uuid(category_id)
    category = category_queryset().filter(pk=pk).first() if pk else None
    if category is None:
        raise NotFoundError()
    return category


def category_children(*, category: Category) -> list[Category]:
    return list(
        Category.objects.filter(parent_id=category.pk)
        .select_related("owner__user")
        .annotate(children_count=Count("children"))
        .order_by("code")
    )


def category_ancestors(*, category: Category) -> list[Category]:
    """From the root down to the category's parent, for the breadcrumb."""
    parents = parent_map()
    chain = tree.ancestors(category.pk, parents)
    by_id = Category.objects.in_bulk(chain)
    return [by_id[pk] for pk in reversed(chain) if pk in by_id]


def descendants_of(category_id: Any) -> set[Any]:
    """The ids of a category's subtree, the category itself included (to roll spend up the tree)."""
    parents = parent_map()
    pk = as_uuid(category_id)
    if pk not in parents:
        raise NotFoundError()
    return tree.subtree(pk, tree.children_of(parents))


@dataclass
class SpecTitle:
    """One specification document and all its versions, newest first."""

    title: str
    versions: list[CategorySpec]

    @property
    def latest(self) -> CategorySpec:
        return self.versions[0]


def category_specs(*, category: Category) -> list[SpecTitle]:
    specs = (
        CategorySpec.objects.filter(category_id=category.pk).select_related("uploaded_by").order_by("title", "-version")
    )
    groups: dict[str, SpecTitle] = {}
    for spec in specs:
        groups.setdefault(spec.title, SpecTitle(spec.title, [])).versions.append(spec)
    return list(groups.values())


def owner_choices(*, include: Iterable[Any] = ()) -> list[Membership]:
    """Members who may manage a category: active category managers and administrators (and whoever is
    named in ``include``, so a form can still show the owner a category has)."""
    wanted = Q(is_active=True, role__in=OWNER_ROLES)
    extra = [pk for pk in include if pk]
    if extra:
        wanted |= Q(pk__in=extra)
    return list(Membership.objects.filter(wanted).select_related("user").order_by("user__full_name", "user__email"))


# Kraljic matrix


@dataclass
class KraljicPoint:
    category: Category
    profit_impact: int
    supply_risk: int
    position: str
    spend: Decimal  # booked on the category and everything below it, in the base currency

    @property
    def position_label(self) -> str:
        return str(KraljicPosition(self.position).label)


@dataclass
class KraljicQuadrant:
    position: str
    label: str
    count: int = 0
    spend: Decimal = Decimal(0)


@dataclass
class KraljicMatrix:
    points: list[KraljicPoint]  # scored categories, largest spend first
    quadrants: dict[str, KraljicQuadrant]
    unscored: int  # categories not scored on both axes
    unscored_spend: Decimal  # spend with no scored category at or above where it is booked
    total_spend: Decimal  # everything booked on any category, counted once


def kraljic_matrix(*, spend: Mapping[Any, Decimal] | None = None) -> KraljicMatrix:
    """Scored categories placed by profit impact and supply risk, each with its subtree's spend.

    ``spend`` is the spend booked directly on each category, by category id (the spend app's
    ``category_spend_totals()``); without it every bubble has the same size. A parent and its scored child are
    both shown, and the parent's bubble includes the child's spend: each bubble answers "how much do we spend in
    this category", as its manager would ask it. The quadrant totals count every line once, in the quadrant of
    the most specific scored category at or above it.
    """
    categories, parents = _load()
    totals = spend or {}
    direct = {pk: amount for pk, amount in totals.items() if pk in categories}
    rolled = tree.roll_up(parents, direct)
    quadrants = {p.value: KraljicQuadrant(p.value, str(KraljicPosition(p.value).label)) for p in Position}
    points: list[KraljicPoint] = []
    for pk, category in categories.items():
        found = category.kraljic_position
        if found is None or category.profit_impact is None or category.supply_risk is None:
            continue
        points.append(KraljicPoint(category, category.profit_impact, category.supply_risk, found, rolled[pk]))
        quadrants[found].count += 1
    unscored_spend = Decimal(0)
    for pk, amount in direct.items():
        home = next((c for c in [pk, *tree.ancestors(pk, parents)] if categories[c].kraljic_position), None)
        if home is None:
            unscored_spend += amount
        else:
            quadrants[str(categories[home].kraljic_position)].spend += amount
    points.sort(key=lambda p: (-p.spend, _sort_key(p.category)))
    return KraljicMatrix(
        points=points,
        quadrants=quadrants,
        unscored=len(categories) - len(points),
        unscored_spend=unscored_spend,
        total_spend=sum(direct.values(), Decimal(0)),
    )
