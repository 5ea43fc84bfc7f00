"""The one way from an id that arrives from outside to a record of the core: ``access_<entity>(by=, id=,
need=)``, as ``suppliers.services.access`` is for the supplier side.

Each looks the id up in the current tenant (the scoped manager), checks the caller's scope and, with
``lock=True``, locks the row. A missing id and another tenant's id are the same ``NotFoundError``; a caller
without the scope gets ``ScopeError`` before anything is looked up.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.ids import as_uuid
from sourcing.models import Agency, ApiKey, AuditEvent, ExportJob, Membership, PartnerToken
from sourcing.roles import Role, Scope


def access_in(queryset: QuerySet[Any], *, by: Actor, id: Any, need: str, lock: bool = False) -> Any:
    """The record of ``queryset`` with this id, for a caller who holds ``need``: the scope first (before any
    query), then the look-up in the current tenant, locked with ``lock``. A malformed, missing or another
    tenant's id is the same NotFoundError. The access functions of every app build on it."""
    by.require(need)
    pk = as_uuid(id)
    if pk is None:
        raise NotFoundError()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise NotFoundError()
    return record


def access_membership(*, by: Actor, id: Any, need: str, lock: bool = False) -> Membership:
    """A membership of this tenant, with its user and agency."""
    queryset = Membership.objects.select_related("user", "agency")
    return access_in(queryset, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_agency(*, by: Actor, id: Any, need: str, lock: bool = False) -> Agency:
    """An agency (partner firm) this tenant works with."""
    return access_in(Agency.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_api_key(*, by: Actor, id: Any, need: str, lock: bool = False) -> ApiKey:
    """One of this tenant's ERP API keys."""
    return access_in(ApiKey.objects.all(), by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_audit_event(*, by: Actor, id: Any, need: str) -> AuditEvent:
    """An event of this tenant's audit log (events are never changed, so there is nothing to lock)."""
    return access_in(AuditEvent.objects.all(), by=by, id=id, need=need)  # type: ignore[no-any-return]


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
    tokens = PartnerToken.objects.select_related("membership__user")
    if by.membership is not None and by.membership.role == Role.AGENT:
        tokens = tokens.filter(membership_id=own_agent_membership(by).pk)
        need = Scope.PORTAL  # what own_agent_membership has just checked
    return access_in(tokens, by=by, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_export_job(*, by: Actor, id: Any, need: str, lock: bool = False) -> ExportJob:
    """An export job of the caller's own, while they may still see the list it exports: an export holds what
    its requester was allowed to see, so anyone else (another member, whatever their role) finds it missing,
    and so does its requester once their role no longer shows that list."""
    from sourcing.export_job_services import export_kinds

    if by.user is None:
        raise NotFoundError()
    jobs = ExportJob.objects.filter(requested_by_id=by.user.pk)
    job: ExportJob = access_in(jobs, by=by, id=id, need=need, lock=lock)
    kind = export_kinds().get(job.kind)
    if kind is None or kind.scope not in by.scopes:
        raise NotFoundError()
    return job
