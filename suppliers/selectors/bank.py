"""Reads of bank details. Only pages and services behind ``Scope.BANK_READ`` call these; agents never do."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from suppliers.models import BankAccount, BankStatus, Supplier


def bank_accounts_for_supplier(supplier: Supplier) -> list[BankAccount]:
    """The supplier's rows, the pending and active ones first, then the history, newest first."""
    rank: dict[str, int] = {BankStatus.PENDING: 0, BankStatus.ACTIVE: 1}
    rows = list(supplier.bank_accounts.select_related("requested_by", "decided_by").order_by("-requested_at"))
    return sorted(rows, key=lambda r: rank.get(r.status, 2))


def bank_pending_list() -> QuerySet[BankAccount]:
    """Changes waiting for a second person, the oldest first."""
    return (
        BankAccount.objects.filter(status=BankStatus.PENDING)
        .select_related("supplier", "requested_by")
        .order_by("requested_at", "id")
    )


def active_accounts_by_supplier(supplier_ids: list[Any]) -> dict[Any, BankAccount]:
    """The active row of each of these suppliers that has one, in one query."""
    rows = BankAccount.objects.filter(supplier_id__in=supplier_ids, status=BankStatus.ACTIVE)
    return {row.supplier_id: row for row in rows}
