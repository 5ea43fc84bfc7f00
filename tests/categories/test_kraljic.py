"""Kraljic's four quadrants from two 1–5 scores; 3 and above is high (sourcing/categories/kraljic.py)."""

from __future__ import annotations

import pytest

from sourcing.categories.kraljic import Position, position


@pytest.mark.parametrize(
    ("impact", "risk", "expected"),
    [
        (5, 5, Position.STRATEGIC),
        (3, 3, Position.STRATEGIC),  # both exactly at the boundary: high
        (5, 1, Position.LEVERAGE),
        (3, 2, Position.LEVERAGE),  # impact at the boundary, risk just below
        (1, 5, Position.BOTTLENECK),
        (2, 3, Position.BOTTLENECK),  # impact just below, risk at the boundary
        (1, 1, Position.NON_CRITICAL),
        (2, 2, Position.NON_CRITICAL),  # both just below the boundary
        (None, 3, None),  # not scored yet
        (3, None, None),
        (None, None, None),
    ],
)
def test_position(impact: int | None, risk: int | None, expected: Position | None) -> None:
    assert position(profit_impact=impact, supply_risk=risk) == expected


@pytest.mark.parametrize(("impact", "risk"), [(0, 3), (6, 3), (3, 0), (3, 6), (-1, 2)])
def test_scores_outside_one_to_five_are_refused(impact: int, risk: int) -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        position(profit_impact=impact, supply_risk=risk)


def test_every_pair_of_scores_has_exactly_one_position() -> None:
    found = {position(profit_impact=i, supply_risk=r) for i in range(1, 6) for r in range(1, 6)}
    assert found == set(Position)
