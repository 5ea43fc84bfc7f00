"""The onboarding, bank details and risk flag routes, for the isolation harness (tests/test_isolation.py)."""

from __future__ import annotations

import io
from typing import Any

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from suppliers.services import bank, onboarding, risk
from tests.conftest import SYSTEM

POST_ONLY: set[str] = {
    "onboarding_start",
    "onboarding_task_assign",
    "onboarding_task_due",
    "onboarding_task_complete",
    "onboarding_task_waive",
    "onboarding_task_reopen",
    "onboarding_item_add",
    "onboarding_item_remove",
    "bank_change_approve",
    "bank_change_reject",
    "supplier_risk_raise",
    "risk_flag_close",
}
# Owner ids ride in forms only with an object id in the path, so no page here takes ids in its body alone.
BODY_ID_ROUTES: set[str] = set()
API_PK_OBJECT: dict[str, str] = {"onboardingtask": "onboarding_task_id"}

_FORMS: dict[str, dict[str, Any]] = {
    "onboarding_task_due": {"due_on": "2026-12-31"},
    "onboarding_task_complete": {"note": "Signed copy on file"},
    "onboarding_task_waive": {"reason": "Covered by the group agreement"},
    "onboarding_item_add": {"code": "harness_item", "title": "Harness item", "due_days": "7", "is_required": "on"},
    "bank_change_approve": {"note": "Confirmed by phone"},
    "bank_change_reject": {"note": "Not confirmed"},
    "supplier_risk_raise": {"title": "Harness flag", "severity": "major"},
    "risk_flag_close": {"note": "Dealt with"},
}


def post_data(name: str, objects: dict[str, str]) -> dict[str, Any] | None:
    if name == "onboarding_task_assign":
        return {"owner": objects["membership_id"]}
    if name in POST_ONLY:
        return _FORMS.get(name, {})
    return None


def make_objects(tenant: Tenant, supplier: Supplier, members: dict[str, Membership]) -> dict[str, str]:
    """A checklist with an item, an onboarding task, a pending bank change and a manual flag, under
    ``supplier``."""
    with tenant_scope(tenant):
        templates = onboarding.onboarding_templates_ensure(tenant=tenant, by=SYSTEM)
        template = next(t for t in templates if t.tier == supplier.tier)
        item = template.items.order_by("position").first()
        assert item is not None
        tasks = onboarding.onboarding_start(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk)
        # Done with evidence, so the evidence download has a file to send.
        onboarding.onboarding_task_complete(
            tenant=tenant, by=SYSTEM, task_id=tasks[0].pk, note="Signed", file=io.BytesIO(b"%PDF-1.4\n%%EOF\n")
        )
        # Bank changes are asked by a person: finance where the tenant has one, else its admin.
        requester = members.get(Role.FINANCE) or members[Role.ADMIN]
        account = bank.bank_change_request(
            tenant=tenant,
            by=Actor.for_membership(requester),
            supplier_id=supplier.pk,
            account_name=supplier.legal_name,
            bank_name="Bank of China, Ningbo Branch",
            account_number="6217 8560 0001 2345",
            swift_code="BKCHCNBJ92A",
            currency="USD",
        )
        flag = risk.risk_flag_create(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, title="Harness risk")
    return {
        "onboarding_template_id": str(template.pk),
        "onboarding_item_id": str(item.pk),
        "onboarding_task_id": str(tasks[0].pk),
        "bank_account_id": str(account.pk),
        "risk_flag_id": str(flag.pk),
    }
