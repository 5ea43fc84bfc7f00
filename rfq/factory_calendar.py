"""A Chinese factory's calendar: production working days → the date the goods are ready. No ORM.

The rule:
- a working day is a day the State Council's schedule makes one: Monday to Friday unless a public holiday,
  and the official make-up working days (调休), which fall on Saturdays and Sundays (2026: 4 Jan, 14 Feb,
  28 Feb, 9 May, 20 Sep, 10 Oct). The ``holidays`` package's China calendar holds both: its holidays (with
  the "Day off (substituted from …)" weekdays) and ``weekend_workdays``, read through ``is_working_day``;
- on top of it, the factory is shut around Chinese New Year: from ``before`` days before the New Year's day
  (the first day of the Spring Festival) to ``after`` days after it, both ends included (default 14 and 21:
  the pre-holiday rush ends and many workers return only after the Lantern Festival; domain reference §8).
  Make-up Saturdays inside the window are not worked either;
- counting starts the day after ``start`` (the order or deposit date): the ready date is the day the last
  counted working day ends. Zero working days is ready on ``start``.

Future years the State Council has not published yet (the next year's schedule comes out in early November)
follow the package's rules, which carry no make-up days.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import holidays

SPRING_FESTIVAL = "Chinese New Year (Spring Festival)"
MAX_WORKING_DAYS = 2000  # about eight years: no production plan is longer


@dataclass(frozen=True)
class ShutdownWindow:
    """Days the factory is shut around Chinese New Year, counted from the New Year's day."""

    before: int = 14
    after: int = 21


@cache
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year, language="en_US")


@cache
def new_year_day(year: int) -> datetime.date:
    """The first day of the Spring Festival (正月初一) in ``year``."""
    return min(_calendar(year).get_named(SPRING_FESTIVAL, lookup="startswith"))


def shutdown_days(year: int, window: ShutdownWindow) -> tuple[datetime.date, datetime.date]:
    """The first and last day the factory is shut for the New Year of ``year``."""
    day = new_year_day(year)
    return day - datetime.timedelta(days=window.before), day + datetime.timedelta(days=window.after)


def is_official_working_day(day: datetime.date) -> bool:
    """A working day on the State Council's schedule: weekdays that are no holiday, and make-up days."""
    return bool(_calendar(day.year).is_working_day(day))


def is_factory_working_day(day: datetime.date, window: ShutdownWindow) -> bool:
    # The window around one New Year stays inside its calendar year (CNY falls from 21 Jan to 20 Feb).
    first, last = shutdown_days(day.year, window)
    return not first <= day <= last and is_official_working_day(day)


@cache
def _working_days(year: int, window: ShutdownWindow) -> tuple[datetime.date, ...]:
    """The factory's working days of ``year``, in order (computed once per year and window)."""
    day, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = []
    while day <= last:
        if is_factory_working_day(day, window):
            days.append(day)
        day += datetime.timedelta(days=1)
    return tuple(days)


def ready_date(start: datetime.date, working_days: int, window: ShutdownWindow | None = None) -> datetime.date:
    """The day ``working_days`` factory working days after ``start`` are done (see the module's rule)."""
    if not 0 <= working_days <= MAX_WORKING_DAYS:
        raise ValueError(f"working_days must be from 0 to {MAX_WORKING_DAYS}")
    window = window or ShutdownWindow()
    left, year, after = working_days, start.year, start
    while left:
        days = _working_days(year, window)
        first = bisect_right(days, after)
        if len(days) - first >= left:
            return days[first + left - 1]
        left -= len(days) - first
        year += 1
        after = datetime.date(year, 1, 1) - datetime.timedelta(days=1)
    return start


def working_days_between(start: datetime.date, end: datetime.date, window: ShutdownWindow | None = None) -> int:
    """Factory working days after ``start`` up to and including ``end`` (0 when ``end`` is not after it)."""
    window = window or ShutdownWindow()
    if end <= start:
        return 0
    count = 0
    for year in range(start.year, end.year + 1):
        days = _working_days(year, window)
        count += bisect_right(days, end) - bisect_right(days, start)
    return count
