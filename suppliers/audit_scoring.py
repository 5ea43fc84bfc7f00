"""The score and verdict of a factory audit, from its answered checklist. No ORM: the services pass plain items.

The rule:
- the score is the weighted share of compliant items among the answered applicable ones (compliant and
  non-compliant; not applicable counts on neither side), in percent, rounded half up to 2 decimals;
- any critical item answered non-compliant fails the audit, whatever the score;
- otherwise the audit passes when its score reaches the pass score;
- an audit whose every item is not applicable has no score and does not pass (nothing was shown to comply).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

COMPLIANT = "compliant"
NON_COMPLIANT = "non_compliant"
NOT_APPLICABLE = "not_applicable"
ANSWERS = frozenset({COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE})

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Item:
    weight: int
    answer: str = ""  # one of ANSWERS, or "" while unanswered
    is_critical: bool = False


@dataclass(frozen=True)
class Result:
    score: Decimal | None
    passed: bool
    critical_failed: bool


def unanswered(items: Iterable[Item]) -> list[int]:
    """Positions (0-based, in the order given) of the items without a valid answer."""
    return [i for i, item in enumerate(items) if item.answer not in ANSWERS]


def score(items: Iterable[Item]) -> Decimal | None:
    """Weighted share of compliant among answered applicable items, in percent (2 decimals, half up);
    None when no item is applicable."""
    compliant = applicable = 0
    for item in items:
        if item.answer == COMPLIANT:
            compliant += item.weight
            applicable += item.weight
        elif item.answer == NON_COMPLIANT:
            applicable += item.weight
    if applicable == 0:
        return None
    return (Decimal(compliant) * _HUNDRED / Decimal(applicable)).quantize(_CENT, rounding=ROUND_HALF_UP)


def critical_failures(items: Iterable[Item]) -> list[int]:
    """Positions of the critical items answered non-compliant."""
    return [i for i, item in enumerate(items) if item.is_critical and item.answer == NON_COMPLIANT]


def evaluate(items: Iterable[Item], *, pass_score: Decimal | int | str) -> Result:
    """Score and verdict (see the module docstring). Unanswered items count as not applicable here; the
    caller refuses a submission while ``unanswered`` names any."""
    items = list(items)
    value = score(items)
    critical_failed = bool(critical_failures(items))
    return Result(score=value, passed=passes(value, critical_failed, pass_score), critical_failed=critical_failed)


def passes(value: Decimal | None, critical_failed: bool, pass_score: Decimal | int | str) -> bool:
    """The verdict from a score already computed (see the module docstring): no critical item failed and the
    score reaches the pass score. A reviewer accepting an agent's submission applies this to what was stored."""
    return value is not None and not critical_failed and value >= Decimal(pass_score)
