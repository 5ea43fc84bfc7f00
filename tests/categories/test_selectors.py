"""Reads of the tree: the flat list in tree order with depths, filters, subtrees, and the Kraljic matrix with
spend rolled up the tree (checked against totals worked out by hand)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from sourcing.categories.models import Category
from sourcing.categories.selectors import categories as selectors
from sourcing.errors import NotFoundError
from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.spend.selectors.imports import category_spend_totals
from sourcing.tenancy import tenant_scope
from tests.categories.spend import book_spend

MakeCategory = Callable[..., Category]


@pytest.fixture
def kitchen(tenant: Tenant, make_category: MakeCategory) -> dict[str, Category]:
    """100 Kitchenware > 110 Cookware > 111 Pots (4/3), 112 Pans (4/4); 100 > 120 Tools (2/2);
    200 Textiles (5/1) > 210 Bedding (1/5); 500 Indirect (unscored)."""
    made: dict[str, Category] = {}
    made["100"] = make_category(tenant, "100", name="Kitchenware", segment="strategic")
    made["110"] = make_category(tenant, "110", name="Cookware", parent=made["100"], description="pots and pans")
    made["112"] = make_category(
        tenant, "112", name="Non-stick pans", parent=made["110"], profit_impact=4, supply_risk=4
    )
    made["111"] = make_category(
        tenant, "111", name="Stainless pots", parent=made["110"], profit_impact=4, supply_risk=3
    )
    made["120"] = make_category(tenant, "120", name="Tools", parent=made["100"], profit_impact=2, supply_risk=2)
    made["200"] = make_category(tenant, "200", name="Textiles", profit_impact=5, supply_risk=1, segment="operational")
    made["210"] = make_category(tenant, "210", name="Bedding", parent=made["200"], profit_impact=1, supply_risk=5)
    made["500"] = make_category(tenant, "500", name="Indirect", segment="transactional")
    return made


def _rows(nodes: list[selectors.CategoryNode]) -> list[tuple[str, int, int, bool]]:
    return [(n.category.code, n.depth, n.children_count, n.matched) for n in nodes]


def test_list_is_in_tree_order_with_depths_and_children(tenant: Tenant, kitchen: dict[str, Category]) -> None:
    with tenant_scope(tenant):
        nodes = selectors.category_list()
    assert _rows(nodes) == [
        ("100", 0, 2, True),
        ("110", 1, 2, True),
        ("111", 2, 0, True),
        ("112", 2, 0, True),
        ("120", 1, 0, True),
        ("200", 0, 1, True),
        ("210", 1, 0, True),
        ("500", 0, 0, True),
    ]
    # parents come attached, so showing them costs no query
    assert nodes[2].category.parent is not None and nodes[2].category.parent.code == "110"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"search": "PANS"}, [("100", False), ("110", True), ("112", True)]),  # name and description, any case
        ({"segment": "operational"}, [("200", True)]),
        ({"position": "strategic"}, [("100", False), ("110", False), ("111", True), ("112", True)]),
        ({"position": "bottleneck"}, [("200", False), ("210", True)]),
        ({"position": "unscored"}, [("100", True), ("110", True), ("500", True)]),
        ({"search": "nothing like it"}, []),
    ],
)
def test_filters_keep_the_ancestors_of_matches_for_context(
    tenant: Tenant, kitchen: dict[str, Category], filters: dict[str, str], expected: list[tuple[str, bool]]
) -> None:
    with tenant_scope(tenant):
        nodes = selectors.category_list(**filters)  # type: ignore[arg-type]
    assert [(n.category.code, n.matched) for n in nodes] == expected


def test_filter_by_owner_and_by_nobody(tenant: Tenant, make_member: Any, make_category: MakeCategory) -> None:
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    make_category(tenant, "100", owner_id=manager.pk)
    make_category(tenant, "200")
    with tenant_scope(tenant):
        mine = selectors.category_list(owner=str(manager.pk))
        nobodys = selectors.category_list(owner=selectors.NO_OWNER)
        exported = selectors.category_list(position="strategic", context=False)
    assert [n.category.code for n in mine] == ["100"]
    assert [n.category.code for n in nobodys] == ["200"]
    assert exported == []


def test_tree_nests_children(tenant: Tenant, kitchen: dict[str, Category]) -> None:
    with tenant_scope(tenant):
        roots = selectors.category_tree()
    assert [r.category.code for r in roots] == ["100", "200", "500"]
    assert [c.category.code for c in roots[0].children] == ["110", "120"]
    assert [c.category.code for c in roots[0].children[0].children] == ["111", "112"]


def test_descendants_of_is_the_subtree(tenant: Tenant, kitchen: dict[str, Category]) -> None:
    with tenant_scope(tenant):
        assert selectors.descendants_of(kitchen["110"].pk) == {kitchen[c].pk for c in ("110", "111", "112")}
        assert selectors.descendants_of(str(kitchen["500"].pk)) == {kitchen["500"].pk}


def test_descendants_of_another_tenants_category_is_not_found(
    tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory
) -> None:
    theirs = make_category(other_tenant, "100")
    with tenant_scope(tenant):
        for missing in (theirs.pk, uuid.uuid4(), "nonsense"):
            with pytest.raises(NotFoundError):
                selectors.descendants_of(missing)


def test_category_get_answers_the_same_for_missing_and_foreign_ids(
    tenant: Tenant, other_tenant: Tenant, make_category: MakeCategory
) -> None:
    theirs = make_category(other_tenant, "100")
    mine = make_category(tenant, "100")
    with tenant_scope(tenant):
        assert selectors.category_get(category_id=mine.pk).pk == mine.pk
        messages = set()
        for missing in (theirs.pk, uuid.uuid4(), "nonsense", None):
            with pytest.raises(NotFoundError) as caught:
                selectors.category_get(category_id=missing)
            messages.add(caught.value.message)
    assert messages == {"Not found."}


def test_kraljic_matrix_rolls_spend_up_the_tree(
    tenant: Tenant, other_tenant: Tenant, kitchen: dict[str, Category], make_category: MakeCategory
) -> None:
    # given spend on pots (100 + 50.50), pans (200), cookware itself (10), tools (7), bedding (1000),
    # indirect (3), none at all (40), and globex spend that must not count
    book_spend(tenant, kitchen["111"], "100.00", "50.50")
    book_spend(tenant, kitchen["112"], "200.00")
    book_spend(tenant, kitchen["110"], "10.00")
    book_spend(tenant, kitchen["120"], "7.00")
    book_spend(tenant, kitchen["210"], "1000.00")
    book_spend(tenant, kitchen["500"], "3.00")
    book_spend(tenant, None, "40.00")
    book_spend(other_tenant, make_category(other_tenant, "111", profit_impact=4, supply_risk=3), "99999.00")
    # when the matrix is read
    with tenant_scope(tenant):
        matrix = selectors.kraljic_matrix(spend=category_spend_totals())
    # then each scored category carries its subtree's spend, largest first
    assert [(p.category.code, p.position, p.spend) for p in matrix.points] == [
        ("200", "leverage", Decimal("1000.00")),  # its own 0 + bedding's 1000
        ("210", "bottleneck", Decimal("1000.00")),
        ("112", "strategic", Decimal("200.00")),
        ("111", "strategic", Decimal("150.50")),
        ("120", "non_critical", Decimal("7.00")),
    ]
    # each line counts once in the quadrant totals, under the most specific scored category
    assert {q: (v.count, v.spend) for q, v in matrix.quadrants.items()} == {
        "strategic": (2, Decimal("350.50")),
        "leverage": (1, Decimal("0")),
        "bottleneck": (1, Decimal("1000.00")),
        "non_critical": (1, Decimal("7.00")),
    }
    # spend above or beside the scored categories, and the unscored ones, are accounted for
    assert matrix.unscored == 3  # 100, 110, 500
    assert matrix.unscored_spend == Decimal("13.00")  # cookware's own 10 + indirect's 3
    assert matrix.total_spend == Decimal("1370.50")  # everything on a category; the 40 without one is not


def test_kraljic_matrix_with_no_spend(tenant: Tenant, kitchen: dict[str, Category]) -> None:
    with tenant_scope(tenant):
        matrix = selectors.kraljic_matrix(spend=category_spend_totals())
    assert len(matrix.points) == 5
    assert {p.spend for p in matrix.points} == {Decimal(0)}
    assert matrix.total_spend == Decimal(0)


def test_owner_choices_are_active_managers_and_admins(tenant: Tenant, make_member: Any) -> None:
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    admin = make_member(tenant, Role.ADMIN)
    make_member(tenant, Role.BUYER)
    make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        assert {m.pk for m in selectors.owner_choices()} == {manager.pk, admin.pk}
