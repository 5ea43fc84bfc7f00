"""The tree walks on plain data: children, subtrees, ancestors, loops, ordering and the spend roll-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sourcing.categories import tree

# 1 ─┬─ 2 ─┬─ 4
#    │     └─ 5 ── 7
#    └─ 3
# 6 (a second root)
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: None, 7: 5}


def test_children_of_lists_every_node() -> None:
    # given the tree above, when its children are listed
    children = tree.children_of(PARENTS)
    # then every node has an entry and leaves have none
    assert children == {1: [2, 3], 2: [4, 5], 3: [], 4: [], 5: [7], 6: [], 7: []}


@pytest.mark.parametrize(
    ("node", "expected"),
    [(1, {1, 2, 3, 4, 5, 7}), (2, {2, 4, 5, 7}), (5, {5, 7}), (7, {7}), (6, {6})],
)
def test_subtree_includes_the_node_itself(node: int, expected: set[int]) -> None:
    assert tree.subtree(node, tree.children_of(PARENTS)) == expected


@pytest.mark.parametrize(("node", "expected"), [(7, [5, 2, 1]), (3, [1]), (1, []), (6, [])])
def test_ancestors_nearest_first(node: int, expected: list[int]) -> None:
    assert tree.ancestors(node, PARENTS) == expected


@pytest.mark.parametrize(
    ("node", "new_parent", "cycles"),
    [
        (2, 2, True),  # itself
        (2, 7, True),  # a grandchild's child
        (1, 4, True),  # deep below
        (2, 3, False),  # a sibling
        (7, 1, False),  # moving up
        (1, 6, False),  # under another root
        (4, None, False),  # to the top level
    ],
)
def test_would_cycle(node: int, new_parent: int | None, cycles: bool) -> None:
    assert tree.would_cycle(node, new_parent, PARENTS) is cycles


def test_cycle_through_names_the_loop() -> None:
    # given 1 → 2 → 3 → 1 and 4 hanging under the loop
    parents: dict[int, int | None] = {1: 2, 2: 3, 3: 1, 4: 1}
    # then each node of the loop sees it, starting from itself; a node under it is not in it
    assert tree.cycle_through(1, parents) == [1, 2, 3]
    assert tree.cycle_through(3, parents) == [3, 1, 2]
    assert tree.cycle_through(4, parents) is None
    assert tree.cycle_through(7, PARENTS) is None


def test_ordered_is_depth_first_with_siblings_sorted() -> None:
    # given names that sort differently from the ids
    names = {1: "b", 2: "z", 3: "a", 4: "m", 5: "c", 6: "a", 7: "x"}
    # when the tree is ordered by name
    result = tree.ordered(PARENTS, lambda n: names[n])
    # then parents come before children, siblings by name, with depths
    assert result == [(6, 0), (1, 0), (3, 1), (2, 1), (5, 2), (7, 3), (4, 2)]


def test_ordered_keeps_nodes_of_a_loop() -> None:
    parents: dict[int, int | None] = {1: None, 2: 3, 3: 2}
    assert tree.ordered(parents, lambda n: n) == [(1, 0), (2, 0), (3, 0)]


def test_roll_up_against_hand_computed_totals() -> None:
    # given spend booked on 1 (10), 2 (20), 4 (4), 7 (0.70), 6 (6) and on a node that is not in the tree
    amounts = {
        1: Decimal("10"),
        2: Decimal("20"),
        4: Decimal("4"),
        7: Decimal("0.70"),
        6: Decimal("6"),
        99: Decimal("1000"),
    }
    # when rolled up
    totals = tree.roll_up(PARENTS, amounts)
    # then each node carries its own amount plus its subtree's
    assert totals == {
        1: Decimal("34.70"),  # 10 + 20 + 4 + 0.70
        2: Decimal("24.70"),  # 20 + 4 + 0.70
        3: Decimal("0"),
        4: Decimal("4"),
        5: Decimal("0.70"),
        6: Decimal("6"),
        7: Decimal("0.70"),
    }


@st.composite
def forests(draw: st.DrawFn) -> dict[int, int | None]:
    """Random forests: each node's parent is an earlier node or none."""
    size = draw(st.integers(min_value=1, max_value=25))
    return {n: draw(st.one_of(st.none(), st.integers(0, n - 1))) if n else None for n in range(size)}


@given(forests(), st.data())
def test_a_move_allowed_by_would_cycle_keeps_a_forest(parents: dict[int, int | None], data: st.DataObject) -> None:
    # given any forest and any proposed move
    node = data.draw(st.sampled_from(sorted(parents)))
    new_parent = data.draw(st.one_of(st.none(), st.sampled_from(sorted(parents))))
    moved = {**parents, node: new_parent}
    # then the move is refused exactly when it creates a loop
    assert tree.would_cycle(node, new_parent, parents) is (tree.cycle_through(node, moved) is not None)
    # and the roll-up of a forest conserves the total of its roots
    if not tree.would_cycle(node, new_parent, parents):
        totals = tree.roll_up(moved, {n: Decimal(1) for n in moved})
        assert sum(totals[n] for n, p in moved.items() if p is None) == len(moved)
