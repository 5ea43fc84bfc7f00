"""The spend's access functions: a missing id, a malformed one and another tenant's id get the same
NotFoundError; a caller without the scope is refused before anything is looked up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.categories.models import Category
from sourcing.errors import NotFoundError, ScopeError
from sourcing.models import Membership, Tenant
from sourcing.roles import Role, Scope
from sourcing.spend.models import (
    Baseline,
    CategoryRule,
    ColumnMapping,
    Finding,
    FindingKind,
    FxRate,
    RuleField,
    SpendImport,
    Vendor,
)
from sourcing.spend.services.access import (
    access_baseline,
    access_category_rule,
    access_column_mapping,
    access_finding,
    access_finding_assignee,
    access_fx_rate,
    access_spend_import,
    access_vendor,
)
from sourcing.tenancy import tenant_scope, uuid7

ACCESS: dict[str, Callable[..., Any]] = {
    "vendor": access_vendor,
    "spend_import": access_spend_import,
    "fx_rate": access_fx_rate,
    "category_rule": access_category_rule,
    "column_mapping": access_column_mapping,
    "finding": access_finding,
    "baseline": access_baseline,
}


def _records(tenant: Tenant) -> dict[str, Any]:
    """One record of each kind an outside id names, in ``tenant``."""
    with tenant_scope(tenant):
        category = Category.objects.create(tenant=tenant, code="510", name="Freight")
        return {
            "vendor": Vendor.objects.create(tenant=tenant, name="Ningbo Everbright Housewares", name_key="ningbo"),
            "spend_import": SpendImport.objects.create(tenant=tenant, source="upload", file_name="spend.csv"),
            "fx_rate": FxRate.objects.create(
                tenant=tenant, currency="CNY", rate_date=date(2026, 3, 1), rate=Decimal("0.1380")
            ),
            "category_rule": CategoryRule.objects.create(
                tenant=tenant, priority=10, field=RuleField.DESCRIPTION, pattern="freight", category=category
            ),
            "column_mapping": ColumnMapping.objects.create(tenant=tenant, name="SAP export"),
            "finding": Finding.objects.create(
                tenant=tenant, kind=FindingKind.OTHER, title="Consolidate freight", currency="USD"
            ),
            "baseline": Baseline.objects.create(
                tenant=tenant,
                name="FY2025",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
                currency="USD",
                total=Decimal("0"),
                line_count=0,
            ),
        }


def _refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(NotFoundError) as caught:
        call()
    return f"{caught.value.status} {caught.value.code} {caught.value.message}"


@pytest.mark.parametrize("kind", sorted(ACCESS))
@pytest.mark.parametrize("lock", [False, True])
def test_own_record_is_found_and_missing_malformed_foreign_are_one_answer(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, kind: str, lock: bool
) -> None:
    mine, theirs = _records(tenant)[kind], _records(other_tenant)[kind]
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))
    access = ACCESS[kind]
    with tenant_scope(tenant):
        assert access(by=buyer, id=mine.pk, need=Scope.SPEND_READ, lock=lock) == mine
        assert access(by=buyer, id=str(mine.pk), need=Scope.SPEND_READ, lock=lock) == mine
        answers = {
            _refusal(lambda: access(by=buyer, id=uuid7(), need=Scope.SPEND_READ, lock=lock)),
            _refusal(lambda: access(by=buyer, id="not-an-id", need=Scope.SPEND_READ, lock=lock)),
            _refusal(lambda: access(by=buyer, id=None, need=Scope.SPEND_READ, lock=lock)),
            _refusal(lambda: access(by=buyer, id=theirs.pk, need=Scope.SPEND_READ, lock=lock)),
        }
    assert answers == {"404 not_found Not found."}


@pytest.mark.parametrize("kind", sorted(ACCESS))
def test_the_scope_is_checked_before_anything_is_looked_up(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any, kind: str
) -> None:
    mine = _records(tenant)[kind]
    executive = Actor.for_membership(make_member(tenant, Role.EXECUTIVE))  # reads spend, never writes it
    with tenant_scope(tenant), django_assert_num_queries(0):
        for id in (mine.pk, uuid7(), "not-an-id"):
            with pytest.raises(ScopeError):
                ACCESS[kind](by=executive, id=id, need=Scope.SPEND_WRITE)


def test_a_finding_goes_only_to_an_active_internal_member_who_works_with_spend(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, django_assert_num_queries: Any
) -> None:
    buyer = make_member(tenant, Role.BUYER)
    by = Actor.for_membership(buyer)
    left = make_member(tenant, Role.BUYER, email="left@acme.test")
    agent = make_member(tenant, Role.AGENT)
    quality = make_member(tenant, Role.QUALITY)  # does not work with spend
    theirs = make_member(other_tenant, Role.BUYER)
    with tenant_scope(tenant):
        Membership.objects.filter(pk=left.pk).update(is_active=False)
        assert access_finding_assignee(by=by, id=str(buyer.pk), need=Scope.SPEND_WRITE) == buyer
        answers = {
            _refusal(partial(access_finding_assignee, by=by, id=pk, need=Scope.SPEND_WRITE))
            for pk in (left.pk, agent.pk, quality.pk, theirs.pk, uuid7(), "not-an-id")
        }
        executive = Actor.for_membership(make_member(tenant, Role.EXECUTIVE))
        with django_assert_num_queries(0), pytest.raises(ScopeError):
            access_finding_assignee(by=executive, id=buyer.pk, need=Scope.SPEND_WRITE)
    assert answers == {"404 not_found Not found."}
