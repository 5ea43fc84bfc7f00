"""One duplicate check at a time per company key, so two requests for the same company cannot both pass it.

The check reads the suppliers that exist and the insert follows it: two transactions that check the same new
name at once both find nothing and both insert. Before checking, a transaction takes a transaction-level
advisory lock per comparison key it is about to look up (name keys, credit code, website, phone), in the
tenant; a second transaction with any of the same keys waits until the first commits or rolls back, and then
finds the supplier the first created. On SQLite writes are serialised already, so nothing is taken there.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection

from suppliers.selectors.duplicates import Probe


def _lock_id(tenant_id: Any, kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"supplier-key:{tenant_id}:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)  # PostgreSQL's advisory lock ids are signed 64-bit


def duplicate_check_lock(*, tenant_id: Any, probe: Probe) -> None:
    """Hold, until the transaction ends, the locks of every key ``probe`` will be compared by."""
    if connection.vendor != "postgresql":
        return
    keys = [
        ("name", probe.name),
        ("name", probe.local_name),  # a legal name is compared with local names too, so both share a space
        ("credit_code", probe.credit_code),
        ("website", probe.website),
        ("phone", probe.phone),
    ]
    # Always in the same order, so two transactions with several keys in common cannot wait for each other.
    ids = sorted({_lock_id(tenant_id, kind, value) for kind, value in keys if value})
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
