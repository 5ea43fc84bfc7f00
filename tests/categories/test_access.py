"""The category tree's access functions: a missing id, a malformed one and another tenant's id get the same
NotFoundError; a caller without the scope is refused before anything is looked up."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.categories.models import Category, CategorySpec
from sourcing.categories.services.access import access_category, access_category_owner, access_category_spec
from sourcing.errors import NotFoundError, ScopeError
from sourcing.models import Membership, Tenant
from sourcing.roles import Role, Scope
from sourcing.tenancy import tenant_scope, uuid7

ACCESS: dict[str, Callable[..., Any]] = {"category": access_category, "category_spec": access_category_spec}


def _records(tenant: Tenant, make_category: Callable[..., Category]) -> dict[str, Any]:
    cookware = make_category(tenant, "110", name="Cookware")
    make_category(tenant, "111", parent=cookware, name="Stainless steel pots")
    with tenant_scope(tenant):
        spec = CategorySpec.objects.create(
            tenant=tenant,
            category=cookware,
            title="Pot lid tolerances",
            version=1,
            file="category-specs/lids.pdf",
            file_name="lids.pdf",
            content_type="application/pdf",
            size=10,
        )
    return {"category": cookware, "category_spec": spec}


def _refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(NotFoundError) as caught:
        call()
    return f"{caught.value.status} {caught.value.code} {caught.value.message}"


@pytest.mark.parametrize("kind", sorted(ACCESS))
@pytest.mark.parametrize("lock", [False, True])
def test_own_record_is_found_and_missing_malformed_foreign_are_one_answer(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, make_category: Any, kind: str, lock: bool
) -> None:
    mine, theirs = _records(tenant, make_category)[kind], _records(other_tenant, make_category)[kind]
    manager = Actor.for_membership(make_member(tenant, Role.CATEGORY_MANAGER))
    access = ACCESS[kind]
    with tenant_scope(tenant):
        assert access(by=manager, id=mine.pk, need=Scope.CATEGORY_WRITE, lock=lock) == mine
        assert access(by=manager, id=str(mine.pk), need=Scope.CATEGORY_WRITE, lock=lock) == mine
        answers = {
            _refusal(lambda: access(by=manager, id=uuid7(), need=Scope.CATEGORY_WRITE, lock=lock)),
            _refusal(lambda: access(by=manager, id="not-an-id", need=Scope.CATEGORY_WRITE, lock=lock)),
            _refusal(lambda: access(by=manager, id=None, need=Scope.CATEGORY_WRITE, lock=lock)),
            _refusal(lambda: access(by=manager, id=theirs.pk, need=Scope.CATEGORY_WRITE, lock=lock)),
        }
    assert answers == {"404 not_found Not found."}


def test_a_category_read_carries_what_a_list_row_shows(
    tenant: Tenant, make_member: Any, make_category: Any, django_assert_num_queries: Any
) -> None:
    cookware = _records(tenant, make_category)["category"]
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))
    with tenant_scope(tenant), django_assert_num_queries(1):
        found = access_category(by=buyer, id=cookware.pk, need=Scope.CATEGORY_READ)
        assert found.children_count == 1
        assert found.parent is None and found.owner is None


@pytest.mark.parametrize("kind", sorted(ACCESS))
def test_the_scope_is_checked_before_anything_is_looked_up(
    tenant: Tenant, make_member: Any, make_category: Any, django_assert_num_queries: Any, kind: str
) -> None:
    mine = _records(tenant, make_category)[kind]
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))  # reads categories, never changes them
    with tenant_scope(tenant), django_assert_num_queries(0):
        for id in (mine.pk, uuid7(), "not-an-id"):
            with pytest.raises(ScopeError):
                ACCESS[kind](by=buyer, id=id, need=Scope.CATEGORY_WRITE, lock=True)


def test_a_category_goes_only_to_an_active_category_manager_or_administrator(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, django_assert_num_queries: Any
) -> None:
    manager = make_member(tenant, Role.CATEGORY_MANAGER)
    admin = make_member(tenant, Role.ADMIN)
    by = Actor.for_membership(admin)
    left = make_member(tenant, Role.CATEGORY_MANAGER, email="left@acme.test")
    buyer = make_member(tenant, Role.BUYER)
    agent = make_member(tenant, Role.AGENT)
    theirs = make_member(other_tenant, Role.CATEGORY_MANAGER)
    with tenant_scope(tenant):
        Membership.objects.filter(pk=left.pk).update(is_active=False)
        assert access_category_owner(by=by, id=str(manager.pk), need=Scope.CATEGORY_WRITE) == manager
        assert access_category_owner(by=by, id=admin.pk, need=Scope.CATEGORY_WRITE) == admin
        answers = {
            _refusal(partial(access_category_owner, by=by, id=pk, need=Scope.CATEGORY_WRITE))
            for pk in (left.pk, buyer.pk, agent.pk, theirs.pk, uuid7(), "not-an-id")
        }
        with django_assert_num_queries(0), pytest.raises(ScopeError):
            access_category_owner(by=Actor.for_membership(buyer), id=manager.pk, need=Scope.CATEGORY_WRITE)
    assert answers == {"404 not_found Not found."}
