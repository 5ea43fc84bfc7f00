"""What every supplier service starts with: the supplier it acts on, found in the tenant scope, and the caller's
right to act on it. An internal caller needs the scope; an agent needs the portal and a grant on that supplier.
A missing, another tenant's, or (for an agent) unassigned supplier is the same NotFoundError."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError
from sourcing.ids import as_uuid
from sourcing.roles import Scope
from suppliers.models import Supplier


def is_agent(by: Actor) -> bool:
    return by.membership is not None and by.membership.role == "agent"


def supplier_for(by: Actor, supplier_id: Any, *, scope: str, agents: bool = False, lock: bool = False) -> Supplier:
    """The supplier ``by`` may act on with ``scope``; with ``agents=True`` an agent may too, on a supplier
    granted to them. ``lock`` takes a row lock, so concurrent writes to one supplier queue up."""
    pk = as_uuid(supplier_id)
    if pk is None:
        raise NotFoundError()
    if is_agent(by):
        if not agents or not by.has(Scope.PORTAL) or by.user is None:
            by.require(scope)  # raises: agents hold no internal scope
        from suppliers.selectors.master import supplier_list_for_agent

        queryset = supplier_list_for_agent(user=by.user)  # type: ignore[arg-type]
    else:
        by.require(scope)
        queryset = Supplier.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    # A record merged into another is history: everything is done on the supplier it became.
    supplier = queryset.filter(pk=pk, merged_into__isnull=True).first()
    if supplier is None:
        raise NotFoundError()
    return supplier


def check_supplier_step(by: Actor, supplier: Supplier, *, scopes: tuple[str, ...], agents: bool = False) -> None:
    """For a step that is handed a supplier already loaded: ``by`` must hold one of ``scopes`` or, with
    ``agents=True``, be an agent the supplier is granted to (anything else: NotFoundError, as for a missing
    supplier). Critical steps check again even when their caller has, so no new caller can skip the check;
    an internal caller or a system actor costs no query."""
    if is_agent(by):
        if not agents or not by.has(Scope.PORTAL) or by.user is None:
            by.require(scopes[0])  # raises: agents hold no internal scope
        from suppliers.selectors.master import supplier_list_for_agent

        if not supplier_list_for_agent(user=by.user).filter(pk=supplier.pk).exists():  # type: ignore[arg-type]
            raise NotFoundError()
        return
    if not any(by.has(scope) for scope in scopes):
        by.require(scopes[0])  # raises, with the one message for a missing permission


def invalid(errors: dict[str, list[str]]) -> DomainError:
    """One error naming every field that is wrong."""
    return DomainError(_("Please correct the fields below."), fields=errors)
