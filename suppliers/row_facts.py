"""What a row of the supplier list shows beyond the supplier's own columns, computed from its sources. Pure:
the service that keeps these with the supplier (``suppliers.services.row_facts``), the migrations that filled
them in and the tests share it.

A certificate is *not yet valid* before its ``valid_from``. It is *renewed* once a later one replaces it: the
same type and name, for the same site (or both for no site), ending after it, and started (its ``valid_from``
on or before the day, or none). A renewed certificate is history; it makes no supplier "expired". A
certificate dated to start next month renews nothing until that day, so whether a certificate is current
depends on the day it is read: the row keeps each certificate's span and the day it is renewed from, and the
list reads them on the viewer's today without any write (``current_ends``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

# supplier id, type, name, site id, valid from (or None), valid until
CertificateRow = tuple[Any, str, str, Any, datetime.date | None, datetime.date]
# [valid until, valid from or None, renewed from or None], ISO dates: what ``certificate_ends`` keeps per certificate
Span = list[str | None]


def certificate_ends(rows: Iterable[CertificateRow]) -> dict[Any, list[Span]]:
    """Each supplier's certificates as spans (ascending): the end, the start, and the first day a later
    certificate of its kind has started (when it is renewed from). A certificate renewed by one without a
    start date is history on every day and is left out."""
    groups: dict[tuple[Any, str, str, Any], list[tuple[datetime.date | None, datetime.date]]] = {}
    for supplier_id, cert_type, name, site_id, valid_from, valid_until in rows:
        groups.setdefault((supplier_id, cert_type, name, site_id), []).append((valid_from, valid_until))
    result: dict[Any, list[Span]] = {}
    for key, spans in groups.items():
        for valid_from, valid_until in spans:
            # two certificates ending the same last day do not renew each other
            starts = [start for start, end in spans if end > valid_until]
            if starts and None in starts:
                continue
            renewed_from = min(s for s in starts if s is not None).isoformat() if starts else None
            start = valid_from.isoformat() if valid_from else None
            result.setdefault(key[0], []).append([valid_until.isoformat(), start, renewed_from])
    return {supplier_id: sorted(spans, key=_order) for supplier_id, spans in result.items()}


def _order(span: Span) -> tuple[str, str, str]:
    return (span[0] or "", span[1] or "", span[2] or "")


def current_ends(spans: Iterable[Span], today: datetime.date) -> list[str]:
    """The end dates of the certificates current on ``today``: started, and not renewed by then."""
    day = today.isoformat()
    return [
        end  # type: ignore[misc]
        for end, start, renewed_from in spans
        if (start is None or start <= day) and (renewed_from is None or renewed_from > day)
    ]


def expired(ends: Iterable[str], today: datetime.date) -> int:
    """How many of these end dates are before ``today``."""
    day = today.isoformat()
    return sum(1 for end in ends if end < day)


def expiring(ends: Iterable[str], today: datetime.date, days: int) -> int:
    """How many of these end dates fall from ``today`` to ``days`` after it, both included."""
    first, last = today.isoformat(), (today + datetime.timedelta(days=days)).isoformat()
    return sum(1 for end in ends if first <= end <= last)
