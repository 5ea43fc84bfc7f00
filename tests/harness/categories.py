"""The category tree and its specification documents in the isolation harness."""

from __future__ import annotations

import io
from typing import Any

from sourcing.categories.services.categories import category_create, category_spec_upload
from sourcing.models import Membership, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import SYSTEM

POST_ONLY: set[str] = {"category_delete", "category_spec_upload"}
BODY_ID_ROUTES: set[str] = {"category_create"}  # the category form posts a parent and an owner id
API_PK_OBJECT: dict[str, str] = {"category": "category_id"}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    forms: dict[str, dict[str, Any]] = {
        "category_create": {
            "code": "HARNESS",
            "name": "Harness category",
            "parent": objects["category_id"],
            "owner": objects["membership_id"],
        },
    }
    return forms.get(name)


NAMES = {"acme": "Stainless steel pots", "globex": "Tent poles"}


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A category with a subcategory and a specification document."""
    name = NAMES.get(tenant.slug, tenant.name)
    with tenant_scope(tenant):
        category = category_create(tenant=tenant, by=SYSTEM, code="111", name=name, profit_impact=4, supply_risk=3)
        category_create(tenant=tenant, by=SYSTEM, code="111-A", name=f"{name} (large)", parent_id=category.pk)
        spec = category_spec_upload(
            tenant=tenant, by=SYSTEM, category_id=category.pk, title="Drawing", file=io.BytesIO(b"%PDF-1.4\n%%EOF\n")
        )
    return {"category_id": str(category.pk), "spec_id": str(spec.pk)}
