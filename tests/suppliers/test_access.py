"""The access functions: a missing id, another tenant's id and an agent's unassigned one get the same
NotFoundError; a caller without the scope is refused before anything is looked up; an agent passes only where
the need names the portal."""

from __future__ import annotations

from typing import Any

import pytest

from sourcing.access import access_api_key, access_membership
from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.models import Membership, Tenant
from sourcing.roles import Role, Scope
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope, uuid7
from suppliers.models import Supplier
from suppliers.services.access import (
    access_certification,
    access_risk_flag,
    access_site,
    access_supplier,
    check_supplier_access,
)
from suppliers.services.master import supplier_create
from suppliers.services.merge import supplier_merge
from suppliers.services.sites_contacts import site_save
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

MINE = "Ningbo Everbright Housewares Co., Ltd."
UNASSIGNED = "Zhejiang Sunrise Cookware Co., Ltd."


def _supplier(tenant: Tenant, name: str) -> Supplier:
    return supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name=name), allow_duplicates=True)


@pytest.fixture
def world(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> dict[str, Any]:
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        mine, unassigned = _supplier(tenant, MINE), _supplier(tenant, UNASSIGNED)
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=mine)
    with tenant_scope(other_tenant):
        theirs = _supplier(other_tenant, MINE)
    return {
        "agent": Actor.for_membership(agent),
        "buyer": Actor.for_membership(make_member(tenant, Role.BUYER)),
        "mine": mine,
        "unassigned": unassigned,
        "theirs": theirs,
    }


def _refusal(call: Any) -> str:
    with pytest.raises(NotFoundError) as caught:
        call()
    return f"{caught.value.status} {caught.value.code} {caught.value.message}"


def test_missing_foreign_and_unassigned_are_one_answer(tenant: Tenant, world: dict[str, Any]) -> None:
    agent, buyer = world["agent"], world["buyer"]
    portal = (Scope.SUPPLIER_READ, Scope.PORTAL)
    with tenant_scope(tenant):
        assert access_supplier(by=agent, id=world["mine"].pk, need=portal) == world["mine"]
        assert access_supplier(by=buyer, id=world["unassigned"].pk, need=portal) == world["unassigned"]
        answers = {
            _refusal(lambda: access_supplier(by=agent, id=uuid7(), need=portal)),
            _refusal(lambda: access_supplier(by=agent, id="not-an-id", need=portal)),
            _refusal(lambda: access_supplier(by=agent, id=world["theirs"].pk, need=portal)),
            _refusal(lambda: access_supplier(by=agent, id=world["unassigned"].pk, need=portal)),
            _refusal(lambda: access_supplier(by=buyer, id=world["theirs"].pk, need=portal)),
            _refusal(lambda: check_supplier_access(by=agent, supplier=world["unassigned"], need=portal)),
        }
        check_supplier_access(by=agent, supplier=world["mine"], need=portal)
    assert answers == {"404 not_found Not found."}


def test_an_agent_is_refused_a_need_of_internal_people_only(tenant: Tenant, world: dict[str, Any]) -> None:
    agent = world["agent"]
    with tenant_scope(tenant):
        for call in (
            lambda: access_supplier(by=agent, id=world["mine"].pk, need=Scope.SUPPLIER_WRITE),
            lambda: access_risk_flag(by=agent, id=uuid7(), need=Scope.SUPPLIER_WRITE),
            lambda: check_supplier_access(by=agent, supplier=world["mine"], need=Scope.SUPPLIER_EVIDENCE),
        ):
            with pytest.raises(ScopeError):
                call()


def test_the_scope_is_checked_before_anything_is_looked_up(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any
) -> None:
    executive = Actor.for_membership(make_member(tenant, Role.EXECUTIVE))
    with tenant_scope(tenant), django_assert_num_queries(0):
        for call in (
            lambda: access_certification(by=executive, id=uuid7(), need=Scope.SUPPLIER_EVIDENCE),
            lambda: access_supplier(by=executive, id=uuid7(), need=Scope.SUPPLIER_WRITE, lock=True),
            lambda: access_api_key(by=executive, id=uuid7(), need=Scope.APIKEY_MANAGE),
        ):
            with pytest.raises(ScopeError):
                call()


def test_a_merged_record_is_found_only_when_asked_for(tenant: Tenant, world: dict[str, Any]) -> None:
    buyer = world["buyer"]
    with tenant_scope(tenant):
        supplier_merge(tenant=tenant, by=SYSTEM, source_id=world["unassigned"].pk, target_id=world["mine"].pk)
        merged = world["unassigned"].pk
        assert access_supplier(by=buyer, id=merged, need=Scope.SUPPLIER_READ, merged=True).pk == merged
        with pytest.raises(NotFoundError):
            access_supplier(by=buyer, id=merged, need=Scope.SUPPLIER_WRITE, lock=True)


def test_a_site_is_found_only_under_its_own_supplier(tenant: Tenant, world: dict[str, Any]) -> None:
    buyer = world["buyer"]
    with tenant_scope(tenant):
        site = site_save(tenant=tenant, by=SYSTEM, supplier_id=world["mine"].pk, name="Plant 1")
        found = access_site(by=buyer, supplier=world["mine"], id=site.pk, need=Scope.SUPPLIER_WRITE)
        assert found == site
        with pytest.raises(NotFoundError):
            access_site(by=buyer, supplier=world["unassigned"], id=site.pk, need=Scope.SUPPLIER_WRITE)


def test_core_records_of_another_tenant_are_missing(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, make_api_key: Any
) -> None:
    admin = Actor.for_membership(make_member(tenant, Role.ADMIN))
    theirs: Membership = make_member(other_tenant, Role.BUYER)
    their_key, _secret = make_api_key(other_tenant, ("read",))
    with tenant_scope(tenant):
        mine = access_membership(by=admin, id=admin.membership.pk, need=Scope.MEMBER_WRITE)  # type: ignore[union-attr]
        assert mine == admin.membership
        answers = {
            _refusal(lambda: access_membership(by=admin, id=theirs.pk, need=Scope.MEMBER_WRITE)),
            _refusal(lambda: access_membership(by=admin, id=uuid7(), need=Scope.MEMBER_WRITE)),
            _refusal(lambda: access_api_key(by=admin, id=their_key.pk, need=Scope.APIKEY_MANAGE)),
        }
    assert answers == {"404 not_found Not found."}
