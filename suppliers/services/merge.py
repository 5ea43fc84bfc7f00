"""Merging a duplicate supplier record into the one that is kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record
from sourcing.errors import NotFoundError
from sourcing.ids import as_uuid
from sourcing.models import Tenant
from sourcing.roles import Scope
from suppliers.models import (
    Contact,
    Supplier,
)
from suppliers.services.common import invalid
from suppliers.services.master import names_changed
from suppliers.services.risk import risk_region_refresh
from suppliers.services.row_facts import row_facts_refresh

# Rows of these models are unique per supplier on these fields; a row of the merged record that would collide
# with one the kept record has is dropped (the kept record's stands).
_UNIQUE_PER_SUPPLIER: dict[str, tuple[str, ...]] = {
    "suppliers.suppliercategory": ("category_id",),
    "suppliers.onboardingtask": ("code",),
    "suppliers.supplieragentgrant": ("user_id", "permission_id"),
}
# Rows unique per supplier on an ERP id: the merged record's row keeps coming, without its clashing ERP id.
_ERP_ID_PER_SUPPLIER = {"suppliers.site"}


def _move(relation: Any, source: Supplier, target: Supplier) -> int:
    """Move the source's records of one relation to the target, settling what would clash there first."""
    model = relation.related_model
    field_name = relation.field.name
    label = model._meta.label_lower
    rows = model._default_manager.filter(**{field_name: source})
    if label == "suppliers.onboardingtask":
        # A step the merged record has settled stands over the same step still open on the kept one.
        settled = rows.exclude(status="open").values_list("code", flat=True)
        model._default_manager.filter(**{field_name: target}, status="open", code__in=list(settled)).delete()
    unique = _UNIQUE_PER_SUPPLIER.get(label)
    if unique:
        taken = set(model._default_manager.filter(**{field_name: target}).values_list(*unique))
        clash = [pk for pk, *key in rows.values_list("pk", *unique) if tuple(key) in taken]
        model._default_manager.filter(pk__in=clash).delete()
    if label in _ERP_ID_PER_SUPPLIER:
        taken_ids = set(
            model._default_manager.filter(**{field_name: target})
            .exclude(external_id="")
            .values_list("external_id", flat=True)
        )
        rows.filter(external_id__in=taken_ids).update(external_id="")
    if label == "suppliers.bankaccount":
        # The kept record's bank details stand; the merged record's become history, never active or pending.
        rows.filter(status__in=["active", "pending"]).update(status="superseded")
    if label == "suppliers.riskflag":
        open_sources = set(
            model._default_manager.filter(**{field_name: target}, is_open=True)
            .exclude(source="")
            .values_list("source", flat=True)
        )
        rows.filter(is_open=True, source__in=open_sources).update(is_open=False, closed_at=timezone.now())
    return int(rows.update(**{field_name: target}))


@transaction.atomic
def supplier_merge(*, tenant: Tenant, by: Actor, source_id: Any, target_id: Any) -> Supplier:
    """Fold ``source`` into ``target``: every record that points at the source (sites, contacts, certificates,
    documents, audits, flags, onboarding, agents, categories, spend vendors, and whatever later capabilities
    attach to a supplier) moves to the target, the source's names become the target's aliases, and the source
    stays as a record merged into the target (so its ERP id still finds the target). Audited with the counts."""
    by.require(Scope.SUPPLIER_WRITE)
    source_pk, target_pk = as_uuid(source_id), as_uuid(target_id)
    if source_pk is None or target_pk is None:
        raise NotFoundError()
    if source_pk == target_pk:
        raise invalid({"target": [_("Choose a different supplier to merge into.")]})
    # locked in id order, as every other writer that locks several suppliers does (row_facts_refresh)
    both = Supplier.objects.select_for_update().filter(pk__in=[source_pk, target_pk]).order_by("pk")
    locked = {s.pk: s for s in both}
    source, target = locked.get(source_pk), locked.get(target_pk)
    if source is None or target is None or source.merged_into_id or target.merged_into_id:
        raise NotFoundError()
    moved: dict[str, int] = {}
    for relation in Supplier._meta.related_objects:
        if relation.one_to_many is False or relation.related_model is Supplier:
            continue
        count = _move(relation, source, target)
        if count:
            moved[relation.related_model._meta.label_lower] = count
    Supplier.objects.filter(merged_into=source).update(merged_into=target)
    names = [n for n in (source.legal_name, source.local_name, *source.aliases) if n]
    known = {target.legal_name, target.local_name, *target.aliases}
    target.aliases = [*target.aliases, *(n for n in names if n not in known)][:50]
    if not target.credit_code and source.credit_code:
        target.credit_code = source.credit_code
    target.updated_at = timezone.now()
    target.save()
    names_changed()  # one supplier fewer, and the kept one's aliases
    source.merged_into = target
    source.updated_at = timezone.now()
    source.save(update_fields=["merged_into", "updated_at"])
    primaries = Contact.objects.filter(supplier_id=target.pk, is_primary=True).order_by("created_at")
    Contact.objects.filter(pk__in=[c.pk for c in primaries[1:]]).update(is_primary=False)
    # What the moved records change: the region of its sites, the certificates its categories require.
    from suppliers.services.certifications import compliance_evaluate

    risk_region_refresh(tenant=tenant, by=by, supplier_id=target.pk)
    compliance_evaluate(tenant=tenant, by=by, supplier=target)
    row_facts_refresh([target.pk, source.pk])  # the moved flags, certificates and categories
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.merge",
        target=target,
        before={"merged": str(source.pk), "name": source.legal_name},
        after={"moved": moved},
    )
    return target
