"""Geometry of the Kraljic matrix drawn as inline SVG: supply risk across, profit impact up, each scored
category a bubble whose area is proportional to its spend. No ORM, no drawing library."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sourcing.categories.kraljic import HIGH_FROM, SCORES, Position

SIZE = 520  # the whole drawing, square
MARGIN = 56  # room for the axis titles and tick labels
PLOT = SIZE - 2 * MARGIN
CELL = PLOT / len(SCORES)
MIN_RADIUS = 5.0
MAX_RADIUS = CELL * 0.45


@dataclass(frozen=True)
class Bubble:
    key: Any
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class Tick:
    score: int
    x: float  # where the score sits on the risk axis
    y: float  # and on the impact axis


@dataclass(frozen=True)
class Frame:
    size: int = SIZE
    left: float = MARGIN
    top: float = MARGIN
    plot: float = PLOT
    # where "high" starts on each axis (between scores HIGH_FROM - 1 and HIGH_FROM)
    split_x: float = MARGIN + (HIGH_FROM - 1) * CELL
    split_y: float = MARGIN + (len(SCORES) - HIGH_FROM + 1) * CELL
    right: float = MARGIN + PLOT
    bottom: float = MARGIN + PLOT
    middle: float = MARGIN + PLOT / 2
    tick_x_y: float = MARGIN + PLOT + 16  # baseline of the risk axis's tick labels
    tick_y_x: float = MARGIN - 10  # right edge of the impact axis's tick labels
    title_x_y: float = SIZE - 14  # baseline of the risk axis's title

    @property
    def ticks(self) -> list[Tick]:
        return [Tick(score, x_of(score), y_of(score)) for score in SCORES]

    @property
    def quadrants(self) -> list[Quadrant]:
        """The four areas in the usual Kraljic layout: leverage and strategic on top (high impact),
        non-critical and bottleneck below; low supply risk on the left."""
        left_w, right_w = self.split_x - self.left, self.right - self.split_x
        top_h, bottom_h = self.split_y - self.top, self.bottom - self.split_y
        return [
            Quadrant(Position.LEVERAGE, self.left, self.top, left_w, top_h),
            Quadrant(Position.STRATEGIC, self.split_x, self.top, right_w, top_h),
            Quadrant(Position.NON_CRITICAL, self.left, self.split_y, left_w, bottom_h),
            Quadrant(Position.BOTTLENECK, self.split_x, self.split_y, right_w, bottom_h),
        ]


# Fill of each area and of its bubbles.
COLOURS = {
    Position.STRATEGIC: ("#fdecec", "#c0392b"),
    Position.LEVERAGE: ("#eaf2fd", "#2463b5"),
    Position.BOTTLENECK: ("#fdf4e3", "#b7700f"),
    Position.NON_CRITICAL: ("#f1f3f5", "#5f6b7a"),
}


@dataclass(frozen=True)
class Quadrant:
    position: Position
    x: float
    y: float
    width: float
    height: float

    @property
    def fill(self) -> str:
        return COLOURS[self.position][0]

    @property
    def label_x(self) -> float:
        return self.x + 8

    @property
    def label_y(self) -> float:
        return self.y + 18


def bubble_colour(position: str) -> str:
    return COLOURS[Position(position)][1]


def x_of(supply_risk: float) -> float:
    return MARGIN + (supply_risk - SCORES.start + 0.5) * CELL


def y_of(profit_impact: float) -> float:
    return MARGIN + (SCORES.stop - 0.5 - profit_impact) * CELL


def radius(spend: Decimal, largest: Decimal, largest_radius: float = MAX_RADIUS) -> float:
    """Area (above the smallest bubble's) proportional to spend: twice the spend looks twice as big, not four
    times. The largest spend gets ``largest_radius``; no spend gets the smallest bubble."""
    if largest <= 0 or spend <= 0:
        return MIN_RADIUS
    return MIN_RADIUS + (largest_radius - MIN_RADIUS) * math.sqrt(float(spend / largest))


def bubbles(points: Sequence[tuple[Any, int, int, Decimal]]) -> list[Bubble]:
    """Bubbles for ``(key, profit_impact, supply_risk, spend)``, largest first so smaller ones draw on top.

    Categories with the same two scores share a cell; they are set around its centre instead of on top of
    each other, in a fixed order so the picture does not change from one load to the next.
    """
    largest = max((spend for *_, spend in points), default=Decimal(0))
    by_cell: dict[tuple[int, int], list[tuple[Any, Decimal]]] = defaultdict(list)
    for key, impact, risk, spend in points:
        by_cell[(impact, risk)].append((key, spend))
    # One scale for the whole chart, small enough for the most crowded cell, so sizes compare everywhere.
    crowd = max((len(members) for members in by_cell.values()), default=1)
    largest_radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) / math.sqrt(crowd)
    result: list[Bubble] = []
    for (impact, risk), members in by_cell.items():
        cx, cy = x_of(risk), y_of(impact)
        count = len(members)
        spread = CELL * 0.25 if count > 1 else 0.0
        for index, (key, spend) in enumerate(members):
            angle = -math.pi / 2 + 2 * math.pi * index / count
            result.append(
                Bubble(
                    key,
                    round(cx + spread * math.cos(angle), 1),
                    round(cy + spread * math.sin(angle), 1),
                    round(radius(spend, largest, largest_radius), 1),
                )
            )
    result.sort(key=lambda b: -b.r)
    return result
