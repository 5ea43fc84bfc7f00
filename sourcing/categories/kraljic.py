"""Kraljic's purchasing portfolio (P. Kraljic, "Purchasing must become supply management", Harvard Business
Review, 1983): a category's profit impact and supply risk place it in one of four quadrants, each with its
own sourcing strategy. Both axes are scored 1 (low) to 5 (high); 3 and above counts as high."""

from __future__ import annotations

from enum import StrEnum

SCORES = range(1, 6)
HIGH_FROM = 3


class Position(StrEnum):
    STRATEGIC = "strategic"  # high impact, high risk: partner, develop, dual-source where possible
    LEVERAGE = "leverage"  # high impact, low risk: compete, tender, consolidate volume
    BOTTLENECK = "bottleneck"  # low impact, high risk: secure supply, buffer stock, find alternatives
    NON_CRITICAL = "non_critical"  # low impact, low risk: simplify, catalogue, automate


def position(*, profit_impact: int | None, supply_risk: int | None) -> Position | None:
    """The quadrant for two 1–5 scores; ``None`` until both are scored."""
    if profit_impact is None or supply_risk is None:
        return None
    if profit_impact not in SCORES or supply_risk not in SCORES:
        raise ValueError("Kraljic scores run from 1 to 5.")
    high_impact, high_risk = profit_impact >= HIGH_FROM, supply_risk >= HIGH_FROM
    if high_impact:
        return Position.STRATEGIC if high_risk else Position.LEVERAGE
    return Position.BOTTLENECK if high_risk else Position.NON_CRITICAL
