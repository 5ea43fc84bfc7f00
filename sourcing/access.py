"""The one way from an id that arrives from outside to a record of the core: ``access_<entity>(by=, id=,
need=)``, as ``suppliers.services.access`` is for the supplier side.

Each looks the id up in the current tenant (the scoped manager), checks the caller's scope and, with
``lock=True``, locks the row. A missing id and another tenant's id are the same ``NotFoundError``; a caller
without the scope gets ``ScopeError`` before anything is looked up.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.ids import as_uuid
from sourcing.models import Agency, ApiKey, Membership, PartnerToken
from sourcing.roles import Role, Scope


def _found(record: Any) -> Any:
    if record is None:
        raise NotFoundError()
    return record


def access_membership(*, by: Actor, id: Any, need: str, lock: bool = False) -> Membership:
    """A membership of this tenant, with its user and agency."""
    by.require(need)
    pk = as_uuid(id)
    queryset = Membership.objects.select_related("user", "agency")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return _found(queryset.filter(pk=pk).first() if pk else None)  # type: ignore[no-any-return]


def access_agency(*, by: Actor, id: Any, need: str, lock: bool = False) -> Agency:
    """An agency (partner firm) this tenant works with."""
    by.require(need)
    pk = as_uuid(id)
    queryset = Agency.objects.select_for_update() if lock else Agency.objects.all()
    return _found(queryset.filter(pk=pk).first() if pk else None)  # type: ignore[no-any-return]


def access_api_key(*, by: Actor, id: Any, need: str, lock: bool = False) -> ApiKey:
    """One of this tenant's ERP API keys."""
    by.require(need)
    pk = as_uuid(id)
    queryset = ApiKey.objects.select_for_update() if lock else ApiKey.objects.all()
    return _found(queryset.filter(pk=pk).first() if pk else None)  # type: ignore[no-any-return]


def own_agent_membership(by: Actor) -> Membership:
    """The caller's own agent membership: only agents hold partner tokens."""
    by.require(Scope.PORTAL)
    membership = by.membership
    if membership is None or membership.role != Role.AGENT:
        raise ScopeError(_("Only sourcing agents can create partner tokens."))
    return membership


def access_partner_token(*, by: Actor, id: Any, need: str, lock: bool = False) -> PartnerToken:
    """A partner token, with its agent. An agent reaches only their own tokens (any other is missing to them);
    anyone else needs ``need`` (the admin's ``apikey:manage``) and reaches every agent's."""
    pk = as_uuid(id)
    tokens = PartnerToken.objects.select_related("membership__user")
    if lock:
        tokens = tokens.select_for_update(of=("self",))
    if by.membership is not None and by.membership.role == Role.AGENT:
        tokens = tokens.filter(membership_id=own_agent_membership(by).pk)
    else:
        by.require(need)
    return _found(tokens.filter(pk=pk).first() if pk is not None else None)  # type: ignore[no-any-return]
