"""Reads of the landed-cost tables (duty rates, lane rates, settings), shared by pages, the API and the
landed-cost service. Callers are inside ``tenant_scope``."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from rfq.models import DutyRate, LandedCostSettings, LaneRate
from rfq.rate_checks import hts_digits
from sourcing.tenancy import current_tenant


def _in_force(on: datetime.date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def duty_rate_list(*, hts: str = "", on: datetime.date | None = None) -> QuerySet[DutyRate]:
    """Rows by prefix, latest first; ``hts`` keeps the rows that apply to that number (any prefix of it) or
    start with it, ``on`` those in force that day."""
    qs = DutyRate.objects.order_by("hts_prefix", "-effective_from")
    digits = hts_digits(hts)
    if digits:
        prefixes = [digits[:n] for n in range(2, len(digits) + 1)]
        qs = qs.filter(Q(hts_prefix__in=prefixes) | Q(hts_prefix__startswith=digits))
    if on:
        qs = qs.filter(_in_force(on))
    return qs


def duty_rate_in_force(*, hts_code: str, on: datetime.date) -> DutyRate | None:
    """The row that sets the duty on ``hts_code`` on ``on``: the longest prefix of the number in force that
    day (one query)."""
    digits = hts_digits(hts_code)
    prefixes = [digits[:n] for n in range(2, min(len(digits), 10) + 1)]
    if not prefixes:
        return None
    return (
        DutyRate.objects.filter(_in_force(on), hts_prefix__in=prefixes)
        .order_by(Length("hts_prefix").desc(), "-effective_from")
        .first()
    )


def duty_rate_overlapping(
    *, hts_prefix: str, start: datetime.date, end: datetime.date | None, exclude_id: object = None
) -> DutyRate | None:
    """Another row of the same prefix whose period meets ``start``–``end``."""
    qs = DutyRate.objects.filter(hts_prefix=hts_prefix).filter(_meets(start, end)).exclude(pk=exclude_id)
    return qs.order_by("effective_from").first()


def _meets(start: datetime.date, end: datetime.date | None) -> Q:
    after_start = Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    return after_start if end is None else after_start & Q(effective_from__lte=end)


def lane_rate_list(*, origin: str = "", destination: str = "", mode: str = "") -> QuerySet[LaneRate]:
    qs = LaneRate.objects.order_by("origin_port", "destination_port", "mode", "-effective_from")
    if origin:
        qs = qs.filter(origin_port=origin.strip().upper())
    if destination:
        qs = qs.filter(destination_port=destination.strip().upper())
    if mode:
        qs = qs.filter(mode=mode)
    return qs


def lane_rate_in_force(*, origin: str, destination: str, mode: str, on: datetime.date) -> LaneRate | None:
    """The lane's rate in force on ``on`` (the latest to start, should two overlap)."""
    qs = LaneRate.objects.filter(
        _in_force(on), origin_port=origin.strip().upper(), destination_port=destination.strip().upper(), mode=mode
    )
    return qs.order_by("-effective_from").first()


def lane_rate_overlapping(
    *,
    origin: str,
    destination: str,
    mode: str,
    start: datetime.date,
    end: datetime.date | None,
    exclude_id: object = None,
) -> LaneRate | None:
    qs = LaneRate.objects.filter(origin_port=origin, destination_port=destination, mode=mode)
    return qs.filter(_meets(start, end)).exclude(pk=exclude_id).order_by("effective_from").first()


def landed_cost_settings_find() -> LandedCostSettings:
    """The tenant's settings row, or an unsaved one with the defaults when none was saved yet (no write)."""
    return LandedCostSettings.objects.first() or LandedCostSettings(tenant=current_tenant())
