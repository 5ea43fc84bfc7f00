"""Category rules: which category a spend line without a category code falls into. Pure; no ORM.

A rule compares one field of the line with its pattern:

- ``cost_center``: the whole cost center, ignoring case and surrounding spaces;
- ``description`` and ``supplier_name``: the pattern appears anywhere in the text, ignoring case.

Text is compared after Unicode NFKC normalisation and case folding, so full-width letters and digits (as some
Chinese ERP exports write them) match their ordinary forms. The first rule in (priority, created) order that
matches wins; a rule with an empty pattern never matches.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

COST_CENTER = "cost_center"
DESCRIPTION = "description"
SUPPLIER_NAME = "supplier_name"
FIELDS = (COST_CENTER, DESCRIPTION, SUPPLIER_NAME)


class RuleLike(Protocol):
    @property
    def priority(self) -> int: ...
    @property
    def field(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


R = TypeVar("R", bound=RuleLike)


def fold(text: str | None) -> str:
    """Text as rules compare it: NFKC-normalised, case-folded, without surrounding spaces."""
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


def ordered(rules: Iterable[R]) -> list[R]:
    """Rules in the order they are tried: lower priority first, then older first (stable for equal keys)."""
    return sorted(rules, key=lambda rule: (rule.priority, rule.created_at))


def rule_matches(
    rule: RuleLike, *, cost_center: str | None, description: str | None, supplier_name: str | None
) -> bool:
    pattern = fold(rule.pattern)
    if not pattern:
        return False
    if rule.field == COST_CENTER:
        return fold(cost_center) == pattern
    if rule.field == DESCRIPTION:
        return pattern in fold(description)
    if rule.field == SUPPLIER_NAME:
        return pattern in fold(supplier_name)
    return False


def match_category_rule(
    rules: Iterable[R], *, cost_center: str | None, description: str | None, supplier_name: str | None
) -> R | None:
    """The first rule, in (priority, created) order, that the line matches; None when none does."""
    for rule in ordered(rules):
        if rule_matches(rule, cost_center=cost_center, description=description, supplier_name=supplier_name):
            return rule
    return None
