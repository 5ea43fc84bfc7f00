"""The factory calendar on real 2026 and 2027 dates: the State Council's 2026 schedule (notice of 4 Nov 2025:
Spring Festival 15–23 Feb, make-up Saturdays 14 and 28 Feb, New Year make-up Sunday 4 Jan, Mid-Autumn and
National Day make-up days 20 Sep and 10 Oct) and the New Year shutdown window."""

from __future__ import annotations

import datetime

import pytest

from rfq.factory_calendar import (
    ShutdownWindow,
    is_official_working_day,
    new_year_day,
    ready_date,
    shutdown_days,
    working_days_between,
)

d = datetime.date
NO_SHUTDOWN = ShutdownWindow(before=0, after=0)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (d(2026, 1, 2), False),  # New Year holiday (substituted)
        (d(2026, 1, 4), True),  # Sunday make-up day
        (d(2026, 2, 14), True),  # Saturday make-up day
        (d(2026, 2, 16), False),  # New Year's Eve
        (d(2026, 2, 20), False),
        (d(2026, 2, 23), False),  # the Monday of the nine-day holiday
        (d(2026, 2, 24), True),
        (d(2026, 2, 28), True),  # Saturday make-up day
        (d(2026, 3, 1), False),  # an ordinary Sunday
        (d(2026, 5, 5), False),  # Labour Day
        (d(2026, 5, 9), True),  # Saturday make-up day
        (d(2026, 9, 20), True),  # Sunday make-up day
        (d(2026, 10, 7), False),  # National Day
        (d(2026, 10, 10), True),  # Saturday make-up day
        (d(2027, 2, 8), False),  # Spring Festival 2027
        (d(2027, 2, 11), True),
    ],
)
def test_official_working_days(day: datetime.date, working: bool) -> None:
    assert is_official_working_day(day) is working


def test_new_year_days_and_the_default_window() -> None:
    assert new_year_day(2026) == d(2026, 2, 17)
    assert new_year_day(2027) == d(2027, 2, 6)
    assert shutdown_days(2026, ShutdownWindow()) == (d(2026, 2, 3), d(2026, 3, 10))
    assert shutdown_days(2027, ShutdownWindow()) == (d(2027, 1, 23), d(2027, 2, 27))
    assert shutdown_days(2026, ShutdownWindow(before=7, after=15)) == (d(2026, 2, 10), d(2026, 3, 4))


# (start, working days, window, ready date)
READY_CASES = [
    # the official calendar alone: 13 and 14 (make-up) Feb, then 24, 25 and 26 Feb (chinesecalendar's find_workday)
    (d(2026, 2, 12), 5, NO_SHUTDOWN, d(2026, 2, 26)),
    (d(2026, 2, 12), 2, NO_SHUTDOWN, d(2026, 2, 14)),
    (d(2026, 9, 18), 3, NO_SHUTDOWN, d(2026, 9, 22)),  # Sunday 20 Sep is worked
    (d(2026, 9, 30), 1, NO_SHUTDOWN, d(2026, 10, 8)),  # National Day 1–7 Oct
    (d(2026, 1, 1), 1, NO_SHUTDOWN, d(2026, 1, 4)),
    # with the default shutdown (3 Feb to 10 Mar 2026): 2 Feb, then 11, 12, 13 and 16 Mar
    (d(2026, 1, 30), 5, ShutdownWindow(), d(2026, 3, 16)),
    (d(2026, 2, 12), 5, ShutdownWindow(), d(2026, 3, 17)),  # make-up Saturdays inside the window are not worked
    (d(2026, 6, 1), 30, ShutdownWindow(), d(2026, 7, 14)),  # Dragon Boat Festival 19 Jun
    # 2027: shut from 23 Jan to 27 Feb
    (d(2027, 1, 20), 3, ShutdownWindow(), d(2027, 3, 1)),  # 21 and 22 Jan, then Monday 1 Mar
    (d(2026, 12, 28), 0, ShutdownWindow(), d(2026, 12, 28)),
    (d(2026, 12, 28), 10, ShutdownWindow(), d(2027, 1, 12)),  # 29–31 Dec, 1 Jan off, 4–8 and 11–12 Jan
    (d(2026, 12, 28), 20, ShutdownWindow(), d(2027, 3, 2)),  # … 13–15 and 18–22 Jan, shut to 27 Feb, 1–2 Mar
]


@pytest.mark.parametrize(("start", "days", "window", "ready"), READY_CASES)
def test_ready_date(start: datetime.date, days: int, window: ShutdownWindow, ready: datetime.date) -> None:
    assert ready_date(start, days, window) == ready
    assert working_days_between(start, ready, window) == days


def test_working_days_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        ready_date(d(2026, 1, 1), -1)
