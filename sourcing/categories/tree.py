"""The category tree as plain data: a mapping of each node to its parent. No ORM, so the walks that pages,
services and the spend roll-up share can be tested exhaustively and fast."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)


def children_of(parent_of: Mapping[K, K | None]) -> dict[K, list[K]]:
    """Each node's direct children (every node has an entry, leaves an empty list)."""
    children: dict[K, list[K]] = {node: [] for node in parent_of}
    for node, parent in parent_of.items():
        if parent is not None and parent in children:
            children[parent].append(node)
    return children


def subtree(node: K, children: Mapping[K, Iterable[K]]) -> set[K]:
    """``node`` and everything below it. Safe on a malformed tree: a node is visited once."""
    found: set[K] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return found


def ancestors(node: K, parent_of: Mapping[K, K | None]) -> list[K]:
    """The chain from ``node``'s parent up to its root, nearest first. Stops at a cycle instead of looping."""
    chain: list[K] = []
    seen = {node}
    parent = parent_of.get(node)
    while parent is not None and parent not in seen:
        chain.append(parent)
        seen.add(parent)
        parent = parent_of.get(parent)
    return chain


def cycle_through(node: K, parent_of: Mapping[K, K | None]) -> list[K] | None:
    """If following parents from ``node`` comes back to ``node``, that loop (``node`` first); else None."""
    chain = [node]
    parent = parent_of.get(node)
    while parent is not None:
        if parent == node:
            return chain
        if parent in chain:
            return None  # a loop further up that does not pass through this node
        chain.append(parent)
        parent = parent_of.get(parent)
    return None


def would_cycle(node: K, new_parent: K | None, parent_of: Mapping[K, K | None]) -> bool:
    """Whether making ``new_parent`` the parent of ``node`` would put ``node`` inside its own subtree."""
    if new_parent is None:
        return False
    return new_parent == node or node in ancestors(new_parent, parent_of)


def ordered(parent_of: Mapping[K, K | None], sort_key: Callable[[K], Any]) -> list[tuple[K, int]]:
    """Every node once, depth-first (parents before their children, siblings by ``sort_key``), with its depth.

    Nodes caught in a cycle, which the services never let happen, are listed last at depth 0 rather than lost.
    """
    children = children_of(parent_of)
    roots = [node for node, parent in parent_of.items() if parent is None or parent not in parent_of]
    result: list[tuple[K, int]] = []
    seen: set[K] = set()
    stack = [(root, 0) for root in sorted(roots, key=sort_key, reverse=True)]
    while stack:
        node, depth = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        result.append((node, depth))
        stack.extend((child, depth + 1) for child in sorted(children[node], key=sort_key, reverse=True))
    result.extend((node, 0) for node in sorted(set(parent_of) - seen, key=sort_key))
    return result


def roll_up(parent_of: Mapping[K, K | None], amounts: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Each node's own amount plus everything booked below it. Amounts of nodes not in the tree are ignored."""
    totals = {node: Decimal(0) for node in parent_of}
    for node, amount in amounts.items():
        if node not in totals:
            continue
        totals[node] += amount
        for ancestor in ancestors(node, parent_of):
            totals[ancestor] += amount
    return totals
