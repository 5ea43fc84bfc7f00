"""The tenant-scoped manager fails closed, filters to the current tenant, and refuses cross-tenant writes;
and every tenant model in the project follows the contract."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models

from sourcing.models import Agency, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import (
    TenantManager,
    TenantMismatchError,
    TenantNotSetError,
    TenantScopedModel,
    tenant_scope,
)


def test_query_without_tenant_raises(db: Any) -> None:
    with pytest.raises(TenantNotSetError):
        list(Agency.objects.all())


def test_count_without_tenant_raises(db: Any) -> None:
    with pytest.raises(TenantNotSetError):
        Membership.objects.count()


def test_scope_filters_to_the_current_tenant(tenant: Tenant, other_tenant: Tenant, make_agency: Any) -> None:
    make_agency(tenant, "Acme Agency")
    make_agency(other_tenant, "Globex Agency")
    with tenant_scope(tenant):
        assert list(Agency.objects.values_list("name", flat=True)) == ["Acme Agency"]
    with tenant_scope(other_tenant):
        assert list(Agency.objects.values_list("name", flat=True)) == ["Globex Agency"]


def test_nested_scopes_restore_the_outer_tenant(tenant: Tenant, other_tenant: Tenant, make_agency: Any) -> None:
    make_agency(tenant, "Acme Agency")
    make_agency(other_tenant, "Globex Agency")
    with tenant_scope(tenant):
        with tenant_scope(other_tenant):
            assert Agency.objects.get().name == "Globex Agency"
        assert Agency.objects.get().name == "Acme Agency"


def test_saving_another_tenants_row_raises(tenant: Tenant, other_tenant: Tenant, make_agency: Any) -> None:
    agency = make_agency(other_tenant, "Globex Agency")
    agency.name = "Hijacked"
    with tenant_scope(tenant), pytest.raises(TenantMismatchError):
        agency.save()
    with tenant_scope(other_tenant):
        assert Agency.objects.get().name == "Globex Agency"


def test_new_row_takes_the_current_tenant(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        agency = Agency(name="Auto")
        agency.save()
    assert agency.tenant_id == tenant.pk


def test_tenant_of_a_row_cannot_be_changed_by_update(tenant: Tenant, other_tenant: Tenant, make_agency: Any) -> None:
    make_agency(tenant, "Acme Agency")
    with tenant_scope(tenant), pytest.raises(TenantMismatchError):
        Agency.objects.update(tenant=other_tenant)


def test_other_tenants_id_is_not_found(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    theirs = make_member(other_tenant, Role.BUYER)
    with tenant_scope(tenant):
        assert Membership.objects.filter(pk=theirs.pk).first() is None


def _tenant_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if any(f.name == "tenant" and getattr(f, "related_model", None) is Tenant for f in m._meta.fields)
    ]


def test_project_has_tenant_models() -> None:
    names = {m._meta.label for m in _tenant_models()}
    assert {"sourcing.Membership", "sourcing.AuditEvent", "suppliers.Supplier"} <= names


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m._meta.label)
def test_tenant_model_follows_the_contract(model: type[models.Model]) -> None:
    assert issubclass(model, TenantScopedModel), "tenant models derive from TenantScopedModel"
    assert isinstance(model._default_manager, TenantManager), "the default manager must be the scoped one"
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert "tenant" in constraint.fields, f"{constraint.name} must include the tenant"
    assert not model._meta.unique_together, "use UniqueConstraint including the tenant"
    for field in model._meta.fields:
        assert not (field.unique and not field.primary_key), f"{field.name} is unique without the tenant"
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through  # type: ignore[union-attr]
        assert through in _tenant_models(), f"{m2m.name} needs a tenant-scoped through model"


def test_non_tenant_models_are_the_known_global_ones() -> None:
    """Guard against a new table that silently skips tenancy: global models are listed on purpose."""
    global_models = {m._meta.label for m in apps.get_models()} - {m._meta.label for m in _tenant_models()}
    allowed_prefixes = ("auth.", "contenttypes.", "sessions.", "axes.", "guardian.")
    unexpected = {
        label
        for label in global_models
        if not label.startswith(allowed_prefixes)
        and label not in {"sourcing.Tenant", "sourcing.User", "sourcing.User_groups", "sourcing.User_user_permissions"}
    }
    assert unexpected == set()


def test_empty_queryset_needs_no_tenant(db: Any) -> None:
    assert list(Agency.objects.none()) == []


def test_nested_scope_for_the_same_tenant_rolls_back_on_error(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        try:
            with tenant_scope(tenant):
                Agency.objects.create(tenant=tenant, name="Half-written")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert not Agency.objects.filter(name="Half-written").exists()


@pytest.mark.django_db(transaction=True)
def test_outermost_scope_commits_and_leaves_no_setting_behind(tenant: Tenant) -> None:
    from django.db import connection

    with tenant_scope(tenant):
        Agency.objects.create(tenant=tenant, name="Committed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting('app.tenant_id', true), '')")
        assert cursor.fetchone() == ("",)
    with tenant_scope(tenant):
        assert Agency.objects.filter(name="Committed").exists()


@pytest.mark.django_db(transaction=True)
def test_on_commit_work_can_enter_the_same_tenant_again(tenant: Tenant) -> None:
    from django.db import transaction

    seen: list[int] = []

    def after_commit() -> None:
        with tenant_scope(tenant):
            Agency.objects.create(tenant=tenant, name="From a hook")
            seen.append(Agency.objects.count())

    with tenant_scope(tenant):
        Agency.objects.create(tenant=tenant, name="First")
        transaction.on_commit(after_commit)
    assert seen == [2]


def test_bulk_create_stamps_the_current_tenant_and_refuses_another(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant_scope(tenant):
        made = Agency.objects.bulk_create([Agency(name="One"), Agency(name="Two")])
        assert {a.tenant_id for a in made} == {tenant.pk}
        with pytest.raises(TenantMismatchError):
            Agency.objects.bulk_create([Agency(tenant=other_tenant, name="Smuggled")])
    with tenant_scope(other_tenant):
        assert not Agency.objects.exists()


def test_bulk_update_cannot_move_or_touch_another_tenants_rows(
    tenant: Tenant, other_tenant: Tenant, make_agency: Any
) -> None:
    theirs = make_agency(other_tenant, "Globex Agency")
    ours = make_agency(tenant, "Acme Agency")
    with tenant_scope(tenant):
        with pytest.raises(TenantMismatchError):
            Agency.objects.bulk_update([ours], ["tenant"])
        theirs.name = "Hijacked"
        with pytest.raises(TenantMismatchError):
            Agency.objects.bulk_update([theirs], ["name"])
    with tenant_scope(other_tenant):
        assert Agency.objects.get().name == "Globex Agency"
