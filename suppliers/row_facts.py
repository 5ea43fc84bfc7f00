"""What a row of the supplier list shows beyond the supplier's own columns, computed from its sources. Pure:
the service that keeps these with the supplier (``suppliers.services.row_facts``), the migration that filled
them in and the tests share it.

A certificate is *current* unless a later one replaces it: the same type and name, for the same site (or
both for no site), ending after it. A renewed certificate is history; it makes no supplier "expired"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

CertificateRow = tuple[Any, str, str, Any, datetime.date]  # supplier id, type, name, site id, valid until


def certificate_ends(rows: Iterable[CertificateRow]) -> dict[Any, list[str]]:
    """The end dates (ISO, ascending) of each supplier's current certificates."""
    latest: dict[tuple[Any, str, str, Any], datetime.date] = {}
    ends: list[tuple[tuple[Any, str, str, Any], datetime.date]] = []
    for supplier_id, cert_type, name, site_id, valid_until in rows:
        key = (supplier_id, cert_type, name, site_id)
        ends.append((key, valid_until))
        if key not in latest or valid_until > latest[key]:
            latest[key] = valid_until
    result: dict[Any, list[str]] = {}
    for key, valid_until in ends:
        if valid_until == latest[key]:  # two certificates ending the same last day are both current
            result.setdefault(key[0], []).append(valid_until.isoformat())
    return {supplier_id: sorted(dates) for supplier_id, dates in result.items()}


def expired(ends: Iterable[str], today: datetime.date) -> int:
    """How many of these end dates are before ``today``."""
    day = today.isoformat()
    return sum(1 for end in ends if end < day)


def expiring(ends: Iterable[str], today: datetime.date, days: int) -> int:
    """How many of these end dates fall from ``today`` to ``days`` after it, both included."""
    first, last = today.isoformat(), (today + datetime.timedelta(days=days)).isoformat()
    return sum(1 for end in ends if first <= end <= last)
