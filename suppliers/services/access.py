"""The one way from an id that arrives from outside (a URL, a form or JSON body, a query string, the partner
API) to a supplier-side record: ``access_<entity>(by=, id=, need=)``.

Each looks the id up in the current tenant (the scoped manager), checks that ``by`` may reach it with
``need`` and, with ``lock=True``, takes the row locks a write needs. A missing id, another tenant's id and,
for an agent, a record of a supplier not assigned to them are the same ``NotFoundError``; a caller without
the scope gets ``ScopeError``.

``need`` is the scope the action needs, or a tuple of scopes any one of which suffices. An internal caller
(a member, an API key, the system) must hold it. An agent holds no internal scope: an agent passes only when
``need`` names a scope of the agent role (``Scope.PORTAL``), and then reaches exactly the suppliers granted
to them (``suppliers_assigned_to``) and what belongs to those. So a step open to internal people and agents
alike asks for ``need=(Scope.SUPPLIER_EVIDENCE, Scope.PORTAL)``; one for internal people only names the
internal scope, and an agent calling it is refused as for any missing scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.ids import as_uuid
from sourcing.roles import ROLE_SCOPES, Role, Scope
from suppliers.models import (
    AuditEvidence,
    AuditFinding,
    AuditQuestion,
    AuditTemplate,
    BankAccount,
    Certification,
    Contact,
    Document,
    DocumentVersion,
    FactoryAudit,
    OnboardingItem,
    OnboardingTask,
    OnboardingTemplate,
    RiskFlag,
    Site,
    Supplier,
)
from suppliers.selectors.audits import audit_rows, audits_assigned_to
from suppliers.selectors.master import assigned_supplier_ids, suppliers_assigned_to

Need = str | Sequence[str]

AGENT_SCOPES = ROLE_SCOPES[Role.AGENT]


def is_agent(by: Actor) -> bool:
    return by.membership is not None and by.membership.role == Role.AGENT


def _needs(need: Need) -> tuple[str, ...]:
    return (need,) if isinstance(need, str) else tuple(need)


def _refuse(by: Actor, needs: tuple[str, ...]) -> NoReturn:
    by.require(needs[0])  # raises, with the one message for a missing permission
    raise ScopeError(_("You do not have permission to do this."), code="permission_denied")


def by_grant(by: Actor, need: Need) -> bool:
    """Whether ``by`` reaches records through an agent's grants (True) or through an internal scope (False);
    a caller with neither is refused (ScopeError). Costs no query."""
    needs = _needs(need)
    if is_agent(by):
        if by.user is not None and any(n in AGENT_SCOPES and by.has(n) for n in needs):
            return True
        _refuse(by, needs)
    if not any(by.has(n) for n in needs):
        _refuse(by, needs)
    return False


def _assigned_ids(by: Actor) -> list[Any]:
    return assigned_supplier_ids(user=by.user)  # type: ignore[arg-type]


def _pk(id: Any) -> Any:
    pk = as_uuid(id)
    if pk is None:
        raise NotFoundError()
    return pk


def _found(record: Any) -> Any:
    if record is None:
        raise NotFoundError()
    return record


# Suppliers and what hangs directly off them


def access_supplier(*, by: Actor, id: Any, need: Need, lock: bool = False, merged: bool = False) -> Supplier:
    """The supplier ``by`` may act on with ``need``. ``lock`` takes its row lock, so concurrent writes to one
    supplier queue up. A record merged into another is history: writes act on the supplier it became, so it
    is found only with ``merged=True`` (its pages still show it)."""
    pk = _pk(id)
    granted = by_grant(by, need)
    queryset = suppliers_assigned_to(user=by.user) if granted else Supplier.objects.all()  # type: ignore[arg-type]
    # a write locks the row; a page shows the owner and proposer
    queryset = queryset.select_for_update() if lock else queryset.select_related("owner__user", "proposed_by__user")
    if not merged:
        queryset = queryset.filter(merged_into__isnull=True)
    return _found(queryset.filter(pk=pk).first())


def access_supplier_or_merged(*, by: Actor, id: Any, need: Need) -> Supplier:
    """A supplier as ``access_supplier`` finds it, a record merged into another included (reads show it)."""
    return access_supplier(by=by, id=id, need=need, merged=True)


def check_supplier_access(*, by: Actor, supplier: Supplier, need: Need) -> None:
    """For a step that is handed a supplier already loaded: ``by`` must hold ``need`` and, as an agent, have
    the supplier assigned (else NotFoundError, as for a missing supplier). Critical steps check again even
    when their caller has, so no new caller can skip the check; an internal caller or the system costs no
    query."""
    if by_grant(by, need) and not suppliers_assigned_to(user=by.user).filter(pk=supplier.pk).exists():  # type: ignore[arg-type]
        raise NotFoundError()


def _child(model: Any, *, by: Actor, supplier: Supplier | None, id: Any, need: Need, lock: bool) -> Any:
    granted = by_grant(by, need)  # a supplier given was reached already; the need is checked again
    pk = as_uuid(id)
    queryset = model.objects.select_for_update() if lock else model.objects.all()
    if supplier is not None:
        queryset = queryset.filter(supplier_id=supplier.pk)
    elif granted:
        queryset = queryset.filter(supplier_id__in=_assigned_ids(by))
    return _found(queryset.filter(pk=pk).first() if pk else None)


def access_site(*, by: Actor, id: Any, need: Need, supplier: Supplier | None = None, lock: bool = False) -> Site:
    """A site of ``supplier`` (a supplier ``by`` has been given by ``access_supplier``), or, named by its id
    alone (the ERP API's sites), a site of a supplier ``by`` reaches."""
    return _child(Site, by=by, supplier=supplier, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


def access_contact(*, by: Actor, id: Any, need: Need, supplier: Supplier | None = None, lock: bool = False) -> Contact:
    """A contact of ``supplier``, or of a supplier ``by`` reaches (as ``access_site``)."""
    return _child(Contact, by=by, supplier=supplier, id=id, need=need, lock=lock)  # type: ignore[no-any-return]


# Evidence: certificates and documents


def access_certification(*, by: Actor, id: Any, need: Need, lock: bool = False) -> Certification:
    """A certificate. With ``lock``, its supplier (live, locked first: the order an upload takes) and the
    certificate are locked, and ``certification.supplier`` is that locked supplier."""
    granted = by_grant(by, need)
    pk = _pk(id)
    queryset = Certification.objects.select_related("supplier", "site").filter(pk=pk)
    if granted:
        queryset = queryset.filter(supplier_id__in=_assigned_ids(by))
    found = _found(queryset.first())
    if not lock:
        return found  # type: ignore[no-any-return]
    supplier = access_supplier(by=by, id=found.supplier_id, need=need, lock=True)
    certification = _found(
        Certification.objects.select_for_update(of=("self",)).select_related("site").filter(pk=found.pk).first()
    )
    certification.supplier = supplier
    return certification  # type: ignore[no-any-return]


def access_document(*, by: Actor, id: Any, need: Need, lock: bool = False) -> Document:
    """A document. With ``lock``, its supplier (live, locked first) and the document are locked, and
    ``document.supplier`` is that locked supplier."""
    granted = by_grant(by, need)
    pk = _pk(id)
    queryset = Document.objects.select_related("supplier").filter(pk=pk)
    if granted:
        queryset = queryset.filter(supplier_id__in=_assigned_ids(by))
    found = _found(queryset.first())
    if not lock:
        return found  # type: ignore[no-any-return]
    supplier = access_supplier(by=by, id=found.supplier_id, need=need, lock=True)
    document = _found(Document.objects.select_for_update().filter(pk=found.pk).first())  # removed a moment ago
    document.supplier = supplier
    return document  # type: ignore[no-any-return]


def access_document_version(*, by: Actor, id: Any, need: Need) -> DocumentVersion:
    """A stored version of a document (versions are never changed, so there is nothing to lock)."""
    granted = by_grant(by, need)
    pk = _pk(id)
    queryset = DocumentVersion.objects.select_related("document", "document__supplier").filter(pk=pk)
    if granted:
        queryset = queryset.filter(document__supplier_id__in=_assigned_ids(by))
    return _found(queryset.first())  # type: ignore[no-any-return]


# Factory audits


def _agent_auditor(by: Actor, need: Need) -> bool:
    """Whether ``by`` reaches audits as an agent. An agent reaches only the audits they are the auditor of, on
    suppliers still assigned to them; an agent without the portal finds none (NotFoundError)."""
    if is_agent(by) and (by.membership is None or not by.has(Scope.PORTAL)) and Scope.PORTAL in _needs(need):
        raise NotFoundError()
    return by_grant(by, need)


def access_audit(*, by: Actor, id: Any, need: Need, lock: bool = False) -> FactoryAudit:
    """A factory audit. An agent reaches only the audits assigned to them (see ``audits_assigned_to``). With
    ``lock`` the audit row is locked (its auditor and supplier come with it, unlocked)."""
    granted = _agent_auditor(by, need)
    pk = _pk(id)
    if granted:
        queryset = audits_assigned_to(membership=by.membership)  # type: ignore[arg-type]
        if lock:
            queryset = queryset.select_related(None).select_for_update(of=("self",))
        return _found(queryset.filter(pk=pk).first())  # type: ignore[no-any-return]
    if lock:
        return _found(  # type: ignore[no-any-return]
            FactoryAudit.objects.select_for_update(of=("self",))
            .select_related("auditor__user", "supplier")
            .filter(pk=pk)
            .first()
        )
    return _found(audit_rows(FactoryAudit.objects.filter(pk=pk)).first())  # type: ignore[no-any-return]


def access_audit_evidence(*, by: Actor, id: Any, need: Need) -> AuditEvidence:
    """A file of an audit's evidence; an agent's only from an audit assigned to them."""
    granted = _agent_auditor(by, need)
    pk = _pk(id)
    queryset = AuditEvidence.objects.filter(pk=pk)
    if granted:
        queryset = queryset.filter(audit__in=audits_assigned_to(membership=by.membership).values("pk"))  # type: ignore[arg-type]
    return _found(queryset.first())  # type: ignore[no-any-return]


def access_audit_finding(*, by: Actor, id: Any, need: Need, lock: bool = False) -> AuditFinding:
    """A finding of an audit (internal people: agents add findings to their audits but do not act on them)."""
    granted = by_grant(by, need)
    pk = _pk(id)
    if granted:
        raise NotFoundError()
    if lock:
        return _found(AuditFinding.objects.select_for_update().filter(pk=pk).first())  # type: ignore[no-any-return]
    return _found(AuditFinding.objects.select_related("audit").filter(pk=pk).first())  # type: ignore[no-any-return]


# Onboarding, bank details, risk


def access_onboarding_task(*, by: Actor, id: Any, need: Need, lock: bool = False) -> OnboardingTask:
    """An onboarding task (internal people). With ``lock`` the task row is locked."""
    if by_grant(by, need):
        raise NotFoundError()
    pk = as_uuid(id)
    if lock:
        return _found(OnboardingTask.objects.select_for_update().filter(pk=pk).first())  # type: ignore[no-any-return]
    return _found(OnboardingTask.objects.select_related("supplier").filter(pk=pk).first())  # type: ignore[no-any-return]


def access_bank_account(*, by: Actor, id: Any, need: Need, lock: bool = False) -> BankAccount:
    """A row of a supplier's bank details (a change request, pending or decided). With ``lock``, the supplier
    is locked first, then the row: the order a request takes, so a request and a decision never deadlock."""
    if by_grant(by, need):
        raise NotFoundError()
    pk = as_uuid(id)
    if not lock:
        return _found(BankAccount.objects.select_related("supplier").filter(pk=pk).first())  # type: ignore[no-any-return]
    supplier_id = _found(
        BankAccount.objects.filter(pk=pk).values_list("supplier_id", flat=True).first() if pk else None
    )
    Supplier.objects.select_for_update().filter(pk=supplier_id).first()
    return _found(  # type: ignore[no-any-return]
        BankAccount.objects.select_for_update(of=("self",)).select_related("supplier").filter(pk=pk).first()
    )


def access_risk_flag(*, by: Actor, id: Any, need: Need, lock: bool = False) -> RiskFlag:
    """A risk flag (internal people). With ``lock``, its supplier (live) is locked first, then the flag: the
    order a merge, and every supplier writer, locks them in."""
    if by_grant(by, need):
        raise NotFoundError()
    pk = as_uuid(id)
    if not lock:
        return _found(RiskFlag.objects.select_related("supplier").filter(pk=pk).first())  # type: ignore[no-any-return]
    supplier_id = _found(RiskFlag.objects.filter(pk=pk).values_list("supplier_id", flat=True).first())
    access_supplier(by=by, id=supplier_id, need=need, lock=True)
    return _found(RiskFlag.objects.select_for_update().filter(pk=pk).first())  # type: ignore[no-any-return]


# Checklists: audit templates and onboarding templates, kept by internal people


def _internal(by: Actor, need: Need) -> None:
    if by_grant(by, need):
        raise NotFoundError()  # an agent reaches no checklist, whatever ``need`` names


def access_audit_template(*, by: Actor, id: Any, need: Need, lock: bool = False) -> AuditTemplate:
    """An audit checklist template. With ``lock`` its row is locked (questions are added and moved one at a
    time per template)."""
    _internal(by, need)
    pk = as_uuid(id)
    queryset = AuditTemplate.objects.select_for_update() if lock else AuditTemplate.objects.all()
    return _found(queryset.filter(pk=pk).first() if pk else None)  # type: ignore[no-any-return]


def access_audit_question(*, by: Actor, id: Any, need: Need, lock: bool = False) -> AuditQuestion:
    """A question of an audit checklist template (without ``lock``, with its template)."""
    _internal(by, need)
    pk = as_uuid(id)
    queryset = AuditQuestion.objects.select_for_update() if lock else AuditQuestion.objects.select_related("template")
    return _found(queryset.filter(pk=pk).first() if pk else None)  # type: ignore[no-any-return]


def access_onboarding_template(*, by: Actor, id: Any, need: Need, lock: bool = False) -> OnboardingTemplate:
    """A tier's onboarding checklist."""
    _internal(by, need)
    queryset = OnboardingTemplate.objects.select_for_update() if lock else OnboardingTemplate.objects.all()
    return _found(queryset.filter(pk=as_uuid(id)).first())  # type: ignore[no-any-return]


def access_onboarding_item(*, by: Actor, id: Any, need: Need, lock: bool = False) -> OnboardingItem:
    """An item of an onboarding checklist, with its template (locked too, with ``lock``)."""
    _internal(by, need)
    queryset = OnboardingItem.objects.select_related("template")
    if lock:
        queryset = queryset.select_for_update()
    return _found(queryset.filter(pk=as_uuid(id)).first())  # type: ignore[no-any-return]
