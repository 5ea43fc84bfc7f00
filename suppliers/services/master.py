"""Writes of supplier master data: create, update, ERP upsert and agents' proposals (sites and contacts are in
``suppliers.services.sites_contacts``, the merge of two records of one company in ``suppliers.services.merge``).
Every create and update runs the duplicate check first; a caller who has seen the candidates confirms with
``allow_duplicates``."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.errors import ConflictError, DomainError, NotFoundError
from sourcing.models import Tenant
from sourcing.roles import Scope
from sourcing.services import agent_assign_proposer
from sourcing.tenancy import current_tenant
from suppliers.models import NameIndexVersion, Supplier, SupplierCategory
from suppliers.names import name_key, phone_key, website_key
from suppliers.selectors.duplicates import Candidate, Probe, duplicate_candidates
from suppliers.services.access import access_supplier, is_agent
from suppliers.services.common import UNSET, Unset, invalid
from suppliers.services.duplicate_locks import duplicate_check_lock
from suppliers.services.proposal_matches import proposal_matches_check, proposal_matches_record
from suppliers.services.risk import risk_region_refresh
from suppliers.services.row_facts import row_facts_refresh
from suppliers.services.supplier_fields import (
    AUDITED,
    PROPOSAL_FIELDS,
    SUPPLIER_FIELDS,
    ProposalFields,
    SupplierFields,
    clean_fields,
    name_required,
)

__all__ = ["PROPOSAL_FIELDS", "SUPPLIER_FIELDS", "PossibleDuplicate", "ProposalFields", "SupplierFields"]


class PossibleDuplicate(DomainError):
    """The supplier looks like one that exists; the caller shows ``candidates`` and may confirm."""

    status = 409
    code = "possible_duplicate"
    probe_audit: dict[str, Any] | None = None  # an agent's proposal that hit another supplier's identifier

    def __init__(self, candidates: list[Candidate]):
        super().__init__(
            _("This supplier may already exist. Check the suppliers listed, or confirm that it is a different company.")
        )
        self.candidates = candidates
        self.details = [
            {
                "id": str(c.supplier.pk),
                "legal_name": c.supplier.legal_name,
                "local_name": c.supplier.local_name,
                "external_id": c.supplier.external_id,
                "score": c.score,
                "reasons": c.reasons,
            }
            for c in candidates
        ]


def _probe(supplier: Supplier) -> Probe:
    return Probe.of(
        legal_name=supplier.legal_name,
        local_name=supplier.local_name,
        credit_code=supplier.credit_code,
        website=supplier.website,
        phone=supplier.phone,
    )


def _set_keys(supplier: Supplier) -> None:
    supplier.name_key = name_key(supplier.legal_name)[:255]
    supplier.local_name_key = name_key(supplier.local_name)[:255]
    supplier.website_key = website_key(supplier.website)[:255]
    supplier.phone_key = phone_key(supplier.phone)[:50]


def _identity(supplier: Supplier) -> tuple[str, ...]:
    return (supplier.legal_name, supplier.local_name, supplier.credit_code, supplier.website, supplier.phone)


def _check_duplicates(supplier: Supplier, *, allow: bool) -> None:
    if allow:
        return
    probe = _probe(supplier)
    duplicate_check_lock(tenant_id=supplier.tenant_id, probe=probe)
    candidates = duplicate_candidates(probe, exclude_id=supplier.pk if supplier.pk else None)
    if candidates:
        raise PossibleDuplicate(candidates)


def _set_categories(tenant: Tenant, supplier: Supplier, category_ids: list[Any]) -> tuple[list[str], list[str]]:
    current = set(SupplierCategory.objects.filter(supplier_id=supplier.pk).values_list("category_id", flat=True))
    wanted = set(category_ids)
    SupplierCategory.objects.filter(supplier_id=supplier.pk, category_id__in=current - wanted).delete()
    SupplierCategory.objects.bulk_create(
        [SupplierCategory(tenant=tenant, supplier=supplier, category_id=c) for c in sorted(wanted - current, key=str)]
    )
    row_facts_refresh([supplier.pk])
    return sorted(str(c) for c in current), sorted(str(c) for c in wanted)


def names_changed() -> None:
    """Tell the duplicate check's cached name indexes that this tenant's supplier names, or which suppliers
    are live, change in this transaction (``NameIndexVersion``). A step of the services that do so. The new
    version is random, not the next number: a version read inside a transaction that is then rolled back must
    never come back for different names."""
    version = secrets.randbits(62)
    if NameIndexVersion.objects.update(value=version):
        return
    try:
        with transaction.atomic():
            NameIndexVersion.objects.create(tenant=current_tenant(), value=version)
    except IntegrityError:  # another transaction created it a moment ago
        NameIndexVersion.objects.update(value=version)


def _save(supplier: Supplier, *, names: bool) -> None:
    """Save the supplier; ``names`` when its name keys are new or changed (``names_changed``)."""
    supplier.updated_at = timezone.now()
    if names:
        names_changed()
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:
        if "supplier_unique_external_id_per_tenant" not in str(exc) and "external_id" not in str(exc):
            raise
        raise DomainError(
            _("Another supplier already has this ERP id."),
            fields={"external_id": [_("Another supplier already has this ERP id.")]},
        ) from exc


def _after_identity_change(tenant: Tenant, by: Actor, supplier: Supplier) -> None:
    """What follows from where a supplier is (its region's risk)."""
    risk_region_refresh(tenant=tenant, by=by, supplier_id=supplier.pk)


@transaction.atomic
def supplier_create(*, tenant: Tenant, by: Actor, fields: SupplierFields, allow_duplicates: bool = False) -> Supplier:
    """A new supplier (a prospect). Raises PossibleDuplicate, with the candidates, unless ``allow_duplicates``."""
    by.require(Scope.SUPPLIER_WRITE)
    values, category_ids = clean_fields(fields, allowed=SUPPLIER_FIELDS, creating=True)
    supplier = Supplier(tenant=tenant, **values)
    _set_keys(supplier)
    if supplier.external_id and Supplier.objects.filter(external_id=supplier.external_id).exists():
        raise invalid({"external_id": [_("Another supplier already has this ERP id.")]})
    _check_duplicates(supplier, allow=allow_duplicates)
    _save(supplier, names=True)
    if category_ids:
        _set_categories(tenant, supplier, category_ids)
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.create",
        target=supplier,
        after={**snapshot(supplier, AUDITED), "categories": [str(c) for c in category_ids or []]},
    )
    _after_identity_change(tenant, by, supplier)
    return supplier


@transaction.atomic
def supplier_update(
    *, tenant: Tenant, by: Actor, supplier_id: Any, fields: SupplierFields, allow_duplicates: bool = False
) -> Supplier:
    """Change the given fields. A change of name or identifier runs the duplicate check again."""
    supplier = access_supplier(by=by, id=supplier_id, need=Scope.SUPPLIER_WRITE, lock=True)
    values, category_ids = clean_fields(fields, allowed=SUPPLIER_FIELDS, creating=False)
    return _apply(tenant, by, supplier, values, category_ids, allow_duplicates=allow_duplicates)


def _apply(
    tenant: Tenant,
    by: Actor,
    supplier: Supplier,
    values: dict[str, Any],
    category_ids: list[Any] | None,
    *,
    allow_duplicates: bool,
) -> Supplier:
    before = snapshot(supplier, AUDITED)
    identity = _identity(supplier)
    keys = (supplier.name_key, supplier.local_name_key)
    for name, value in values.items():
        setattr(supplier, name, value)
    if not supplier.display_name:
        raise invalid({"legal_name": [name_required()]})
    _set_keys(supplier)
    if _identity(supplier) != identity:
        _check_duplicates(supplier, allow=allow_duplicates)
    after = snapshot(supplier, AUDITED)
    categories = _set_categories(tenant, supplier, category_ids) if category_ids is not None else None
    changed = after != before or (categories is not None and categories[0] != categories[1])
    if not changed:
        return supplier  # nothing new: nothing to save or audit
    _save(supplier, names=(supplier.name_key, supplier.local_name_key) != keys)
    changes_before = {k: v for k, v in before.items() if after[k] != v}
    changes_after = {k: after[k] for k in changes_before}
    if categories is not None and categories[0] != categories[1]:
        changes_before["categories"], changes_after["categories"] = categories
    audit_record(
        tenant=tenant, by=by, action="supplier.update", target=supplier, before=changes_before, after=changes_after
    )
    if _identity(supplier) != identity or "province" in changes_after:
        _after_identity_change(tenant, by, supplier)
    return supplier


@transaction.atomic
def supplier_upsert(
    *, tenant: Tenant, by: Actor, fields: SupplierFields, allow_duplicates: bool = False
) -> tuple[Supplier, bool]:
    """Create a supplier, or update the one with the same ERP ``external_id`` (following a merge to the record
    it was merged into). Returns (supplier, created). A new supplier that looks like an existing one raises
    PossibleDuplicate unless ``allow_duplicates``."""
    by.require(Scope.SUPPLIER_WRITE)
    allow = allow_duplicates
    external_id = "" if isinstance(fields.external_id, Unset) else str(fields.external_id or "").strip()
    supplier = Supplier.objects.select_for_update().filter(external_id=external_id).first() if external_id else None
    if supplier is None:
        try:
            return supplier_create(tenant=tenant, by=by, fields=fields, allow_duplicates=allow), True
        except DomainError as exc:
            if "external_id" in exc.fields and Supplier.objects.filter(external_id=external_id).exists():
                # Another request created this external_id between our look-up and our insert.
                raise ConflictError(
                    _("A supplier with this ERP id was created at the same moment; send the request again."),
                    code="conflict",
                ) from exc
            raise
    if supplier.merged_into_id is not None:
        # The ERP still has a vendor record that was merged away here: it finds the supplier it became, but
        # its data does not overwrite that supplier's (two ERP records would otherwise take turns at it).
        while supplier.merged_into_id is not None:
            supplier = Supplier.objects.select_for_update().get(pk=supplier.merged_into_id)
        return supplier, False
    update = dataclasses.replace(fields, external_id=UNSET)
    values, category_ids = clean_fields(update, allowed=SUPPLIER_FIELDS, creating=False)
    return _apply(tenant, by, supplier, values, category_ids, allow_duplicates=allow), False


def supplier_propose(*, tenant: Tenant, by: Actor, fields: ProposalFields, allow_duplicates: bool = False) -> Supplier:
    """An agent proposes a supplier they found: it enters as a prospect, proposed by them, and assigned to
    them so they can go on working on it. The duplicate check runs as for any new supplier, but what an agent
    is shown of the candidates is decided by the page (names only). Answers that another supplier may be the
    same company are few per agent (``proposal_matches``): past them, a checked proposal is refused (429)."""
    by.require(Scope.PORTAL)
    if not is_agent(by) or by.membership is None:
        raise NotFoundError()
    if not allow_duplicates:
        proposal_matches_check(by=by)
    try:
        return _propose(tenant=tenant, by=by, fields=fields, allow_duplicates=allow_duplicates)
    except PossibleDuplicate as exc:
        exc.probe_audit = proposal_matches_record(tenant=tenant, by=by, candidates=exc.candidates)
        raise


@transaction.atomic
def _propose(*, tenant: Tenant, by: Actor, fields: ProposalFields, allow_duplicates: bool) -> Supplier:
    values, category_ids = clean_fields(fields, allowed=PROPOSAL_FIELDS, creating=True)
    supplier = Supplier(tenant=tenant, proposed_by=by.membership, **values)
    _set_keys(supplier)
    _check_duplicates(supplier, allow=allow_duplicates)
    _save(supplier, names=True)
    if category_ids:
        _set_categories(tenant, supplier, category_ids)
    agent_assign_proposer(tenant=tenant, by=by, obj=supplier)
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.propose",
        target=supplier,
        after={**snapshot(supplier, [f for f in AUDITED if f in PROPOSAL_FIELDS]), "agent": by.label},
    )
    _after_identity_change(tenant, by, supplier)
    return supplier
