"""Every list page takes each sort of its allow-list in both directions, and a page size; anything else is
reported on the page. The allow-lists are ORM orderings, so a wrong one fails here rather than as a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.spend.views.analysis import LINE_SORTS, VARIANCE_SORTS
from sourcing.spend.views.findings import BASELINE_SORTS, FINDING_SORTS
from sourcing.spend.views.imports import IMPORT_SORTS
from suppliers.selectors.master import SUPPLIER_SORTS
from suppliers.views.audits import AUDIT_SORTS
from suppliers.views.audits import FINDING_SORTS as AUDIT_FINDING_SORTS
from suppliers.views.bank import CHANGE_SORTS
from suppliers.views.evidence import EXPIRING_SORTS
from suppliers.views.onboarding import OVERDUE_SORTS
from suppliers.views.risk import FLAG_SORTS

LISTS: dict[str, Any] = {
    "supplier_list": SUPPLIER_SORTS,
    "risk_flag_list": FLAG_SORTS,
    "bank_change_list": CHANGE_SORTS,
    "factory_audit_list": AUDIT_SORTS,
    "audit_finding_list": AUDIT_FINDING_SORTS,
    "onboarding_overdue": OVERDUE_SORTS,
    "certificate_expiring": EXPIRING_SORTS,
    "spend_import_list": IMPORT_SORTS,
    "finding_list": FINDING_SORTS,
    "baseline_list": BASELINE_SORTS,
    "spend_lines": LINE_SORTS,
    "spend_price_variance": VARIANCE_SORTS,
    "vendor_list": {"name": 1, "erp_id": 1, "spend": 1, "lines": 1},
    "audit_list": {"when": 1, "action": 1},
}
CASES = [(name, key) for name, sorts in LISTS.items() for key in sorts]


def _client(tenant: Tenant, make_member: Any) -> Client:
    client = Client()
    client.force_login(make_member(tenant, Role.ADMIN).user)
    return client


def _get(client: Client, tenant: Tenant, name: str, query: dict[str, str]) -> Any:
    return client.get(reverse(name, kwargs={"tenant_slug": tenant.slug}), query)


@pytest.mark.parametrize(("name", "key"), CASES)
def test_each_allowed_sort_works_in_both_directions(tenant: Tenant, make_member: Any, name: str, key: str) -> None:
    client = _client(tenant, make_member)
    for value in (key, "-" + key):
        response = _get(client, tenant, name, {"sort": value, "page_size": "100"})
        assert response.status_code == 200, (name, value)
        text = response.content.decode()
        assert "cannot be sorted by" not in text and "is not a page size" not in text
        assert response.context["sort"].value == value


@pytest.mark.parametrize("name", sorted(LISTS))
def test_an_unknown_sort_and_a_bad_page_size_are_reported_on_every_list(
    tenant: Tenant, make_member: Any, name: str
) -> None:
    response = _get(_client(tenant, make_member), tenant, name, {"sort": "tenant_id", "page_size": "1e9"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "The list cannot be sorted by “tenant_id”; it is shown in its usual order." in text
    assert "“1e9” is not a page size" in text
