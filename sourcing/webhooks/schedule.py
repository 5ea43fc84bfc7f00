"""When a failed delivery is tried again: the Standard Webhooks specification's example schedule.

Attempt 1 goes at once; after a failure, attempt n + 1 waits ``RETRY_DELAYS[n - 1]``: 5 seconds, 5 minutes,
30 minutes, 2 hours, 5 hours, 10 hours and 10 hours. After the eighth attempt fails the delivery gives up
(about 27 hours 35 minutes after the first).
"""

from __future__ import annotations

import datetime

RETRY_DELAYS: tuple[datetime.timedelta, ...] = (
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def delay_after(attempts: int) -> datetime.timedelta | None:
    """How long to wait after ``attempts`` failed attempts before the next one; None once it should give up."""
    if attempts < 1:
        return datetime.timedelta(0)
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts - 1]


RETRY_AFTER_MAX = datetime.timedelta(hours=24)


def delay_for(attempts: int, retry_after: int | None) -> datetime.timedelta | None:
    """The wait after ``attempts`` failed attempts, stretched to the receiver's ``Retry-After`` (seconds, at most a
    day) when it asked for longer; None once it should give up."""
    delay = delay_after(attempts)
    if delay is None or retry_after is None:
        return delay
    return max(delay, min(datetime.timedelta(seconds=retry_after), RETRY_AFTER_MAX))


def is_success(status: int) -> bool:
    """Any 2xx; a redirect is a failure (it is not followed)."""
    return 200 <= status < 300


GONE = 410  # the receiver says the endpoint is gone for good: disable it
