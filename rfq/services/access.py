"""The one way from an id that arrives from outside to a row of the landed-cost tables:
``access_<entity>(by=, id=, need=)``, as ``sourcing.spend.services.access`` is for the spend. The scope first,
then the look-up in the current tenant; a missing, malformed or another tenant's id is the same
``NotFoundError``. The tables have no agent grants: only internal scopes reach them."""

from __future__ import annotations

from typing import Any

from rfq.models import DutyRate, LaneRate
from sourcing.access import access_in
from sourcing.actors import Actor


def access_duty_rate(*, by: Actor, id: Any, need: str, lock: bool = False) -> DutyRate:
    """A row of the duty table."""
    return access_in(DutyRate.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_lane_rate(*, by: Actor, id: Any, need: str, lock: bool = False) -> LaneRate:
    """A freight lane rate."""
    return access_in(LaneRate.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]
