"""Writes of suppliers."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sourcing.actors import Actor
from sourcing.audit import audit_record, snapshot
from sourcing.errors import ConflictError, DomainError
from sourcing.models import Tenant
from sourcing.roles import Scope
from suppliers.models import Supplier, SupplierType

SUPPLIER_FIELDS = [
    "legal_name",
    "local_name",
    "supplier_type",
    "country",
    "province",
    "city",
    "external_id",
    "internal_notes",
]


@transaction.atomic
def supplier_upsert(*, tenant: Tenant, by: Actor, data: dict[str, Any]) -> tuple[Supplier, bool]:
    """Create a supplier, or update the one with the same ERP ``external_id``. Returns (supplier, created)."""
    by.require(Scope.SUPPLIER_WRITE)
    unknown = set(data) - set(SUPPLIER_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."), fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    if not str(data.get("legal_name", "")).strip():
        raise DomainError(_("A legal name is required."), fields={"legal_name": [_("This field is required.")]})
    if data.get("supplier_type", SupplierType.MANUFACTURER) not in SupplierType.values:
        raise DomainError(_("Unknown supplier type."), fields={"supplier_type": [_("Not a valid choice.")]})
    external_id = str(data.get("external_id", "")).strip()
    supplier = Supplier.objects.select_for_update().filter(external_id=external_id).first() if external_id else None
    created = supplier is None
    before = None if supplier is None else snapshot(supplier, SUPPLIER_FIELDS)
    if supplier is None:
        supplier = Supplier(tenant=tenant)
    for name, value in data.items():
        setattr(supplier, name, value)
    after = snapshot(supplier, SUPPLIER_FIELDS)
    if not created and after == before:
        return supplier, False  # the ERP sent what we already have: nothing to save or audit
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:
        if "external_id" not in str(exc) and "supplier_unique_external_id_per_tenant" not in str(exc):
            raise
        # Another request created this external_id between our look-up and our insert.
        raise ConflictError(
            _("A supplier with this ERP id was created at the same moment; send the request again."),
            code="conflict",
        ) from exc
    audit_record(
        tenant=tenant,
        by=by,
        action="supplier.create" if created else "supplier.update",
        target=supplier,
        before=before,
        after=after,
    )
    return supplier, created
