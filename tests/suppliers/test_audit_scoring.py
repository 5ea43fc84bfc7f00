"""The audit score and verdict (suppliers.audit_scoring): weighted share of compliant among answered applicable
items, critical items that fail the audit whatever the score, all-not-applicable audits, rounding."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suppliers.audit_scoring import (
    COMPLIANT,
    NON_COMPLIANT,
    NOT_APPLICABLE,
    Item,
    critical_failures,
    evaluate,
    score,
    unanswered,
)

C, N, NA = COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE


def _items(*rows: tuple[Any, ...]) -> list[Item]:
    """Rows of (weight, answer) or (weight, answer, critical)."""
    return [Item(*row) for row in rows]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # equal weights: 3 of 4
        (_items((1, C), (1, C), (1, C), (1, N)), Decimal("75.00")),
        # weights count: 3 + 2 compliant of 3 + 2 + 5
        (_items((3, C), (2, C), (5, N)), Decimal("50.00")),
        # a heavy non-compliance weighs more than a light one
        (_items((10, C), (1, N)), Decimal("90.91")),
        (_items((1, C), (10, N)), Decimal("9.09")),
        # not applicable counts on neither side
        (_items((1, C), (1, N), (5, NA)), Decimal("50.00")),
        (_items((4, C), (10, NA)), Decimal("100.00")),
        # all compliant, all non-compliant
        (_items((2, C), (7, C)), Decimal("100.00")),
        (_items((2, N), (7, N)), Decimal("0.00")),
        # rounding half up to 2 decimals: 2/3 = 66.666… → 66.67, 1/3 → 33.33, 1/8 = 12.5 exact
        (_items((1, C), (1, C), (1, N)), Decimal("66.67")),
        (_items((1, C), (1, N), (1, N)), Decimal("33.33")),
        (_items((1, C), (7, N)), Decimal("12.50")),
        # 1/16 = 6.25 exactly; 1/160 = 0.625 → 0.63 (half up, not half even)
        (_items((1, C), (15, N)), Decimal("6.25")),
        (
            _items(
                (1, C),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (10, N),
                (9, N),
            ),
            Decimal("0.63"),
        ),
        # nothing applicable: no score
        (_items((3, NA), (1, NA)), None),
        ([], None),
    ],
)
def test_score(items: list[Item], expected: Decimal | None) -> None:
    assert score(items) == expected


@pytest.mark.parametrize(
    ("items", "pass_score", "passed", "critical_failed"),
    [
        # at the pass score passes, just under fails
        (_items((3, C), (1, N)), "75", True, False),
        (_items((3, C), (1, N)), "75.01", False, False),
        (_items((1, C), (1, C), (1, N)), "66.67", True, False),
        (_items((1, C), (1, C), (1, N)), 67, False, False),
        # a critical item non-compliant fails at 90.91 % against a pass score of 50
        (_items((10, C), (1, N, True)), "50", False, True),
        # a critical item compliant or not applicable does not fail anything
        (_items((10, C, True), (1, N)), "50", True, False),
        (_items((10, C), (1, NA, True)), "50", True, False),
        # pass score 0 still fails on a critical item
        (_items((1, N, True)), 0, False, True),
        # everything not applicable: no score, not passed (nothing was shown to comply)
        (_items((1, NA), (2, NA, True)), 0, False, False),
    ],
)
def test_evaluate(items: list[Item], pass_score: object, passed: bool, critical_failed: bool) -> None:
    result = evaluate(items, pass_score=pass_score)  # type: ignore[arg-type]
    assert (result.passed, result.critical_failed) == (passed, critical_failed)


def test_unanswered_and_critical_failures_name_positions() -> None:
    items = _items((1, C), (1, ""), (2, N, True), (1, "maybe"), (1, N), (3, N, True))
    assert unanswered(items) == [1, 3]
    assert critical_failures(items) == [2, 5]


def test_an_unanswered_item_counts_on_neither_side() -> None:
    # the service refuses to submit with unanswered items; the formula itself just leaves them out
    assert score(_items((1, C), (5, ""))) == Decimal("100.00")


_answers = st.sampled_from([C, N, NA])
_item = st.builds(Item, weight=st.integers(1, 10), answer=_answers, is_critical=st.booleans())


@given(st.lists(_item, max_size=30), st.integers(0, 100))
def test_properties(items: list[Item], pass_score: int) -> None:
    value = score(items)
    result = evaluate(items, pass_score=pass_score)
    if value is None:
        assert all(i.answer == NA for i in items) and not result.passed
        return
    assert Decimal(0) <= value <= Decimal(100)
    assert value == value.quantize(Decimal("0.01"))
    # the verdict is exactly the rule: no critical non-compliance and a score at the pass mark
    critical = any(i.is_critical and i.answer == N for i in items)
    assert result.critical_failed == critical
    assert result.passed == (not critical and value >= pass_score)


@given(st.lists(_item, min_size=1, max_size=20), st.integers(1, 10))
def test_adding_a_not_applicable_item_changes_nothing(items: list[Item], weight: int) -> None:
    assert score([*items, Item(weight=weight, answer=NA)]) == score(items)


@given(st.lists(_item, min_size=1, max_size=20), st.integers(1, 10))
def test_a_compliant_item_never_lowers_the_score(items: list[Item], weight: int) -> None:
    before = score(items)
    after = score([*items, Item(weight=weight, answer=C)])
    assert after is not None
    assert before is None or after >= before
