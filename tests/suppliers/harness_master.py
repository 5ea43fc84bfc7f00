"""Supplier master pages and endpoints in the isolation harness (see tests/test_isolation.py)."""

from __future__ import annotations

from typing import Any

from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from suppliers.services.master import supplier_create
from suppliers.services.sites_contacts import contact_save, site_save
from tests.conftest import SYSTEM

POST_ONLY: set[str] = {"supplier_transition", "site_delete", "contact_delete", "supplier_merge"}
# The supplier form posts an owner and category ids; the merge form posts two supplier ids.
BODY_ID_ROUTES: set[str] = {"supplier_create", "supplier_merge"}
API_PK_OBJECT: dict[str, str] = {"supplier-site": "site_id", "supplier-contact": "contact_id"}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    forms: dict[str, dict[str, Any]] = {
        "supplier_transition": {},  # no action: every reader gets the same refusal, nothing moves
        "site_delete": {},
        "contact_delete": {},
        "supplier_merge": {"source": objects.get("merge_source_id", ""), "target": objects.get("merge_target_id", "")},
        "supplier_create": {
            "legal_name": "Harness Supplier Co., Ltd.",
            "supplier_type": "manufacturer",
            "tier": "core",
            "country": "CN",
            "owner": objects.get("membership_id", ""),
            "categories": [objects.get("category_id", "")],
        },
    }
    return forms.get(name)


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A site and a contact of ``supplier``, and two more suppliers to merge."""
    with tenant_scope(tenant):
        site = site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name=f"{tenant.name} plant")
        contact = contact_save(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Li Wei", email=f"li@{tenant.slug}.cn"
        )
        source = supplier_create(
            tenant=tenant, by=SYSTEM, data={"legal_name": f"{tenant.name} Twin A"}, allow_duplicates=True
        )
        target = supplier_create(
            tenant=tenant, by=SYSTEM, data={"legal_name": f"{tenant.name} Twin B"}, allow_duplicates=True
        )
    return {
        "site_id": str(site.pk),
        "contact_id": str(contact.pk),
        "merge_source_id": str(source.pk),
        "merge_target_id": str(target.pk),
    }
