"""Input rules of the core services: ISO codes, agency membership, no-op saves, and the audit diff."""

from __future__ import annotations

from typing import Any

import pytest

from sourcing.actors import Actor
from sourcing.errors import DomainError
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agency_create, member_invite, tenant_update
from sourcing.templatetags.audit import audit_changes
from sourcing.tenancy import tenant_scope
from suppliers.services.master import supplier_upsert
from suppliers.services.supplier_fields import SupplierFields

SYSTEM = Actor.system("tests")


@pytest.mark.parametrize("code", ["ZZZ", "dollars", "US", ""])
def test_unknown_currency_is_refused_naming_the_field(tenant: Tenant, code: str) -> None:
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        tenant_update(tenant=tenant, by=SYSTEM, base_currency=code)
    assert list(caught.value.fields) == ["base_currency"]
    tenant.refresh_from_db()
    assert tenant.base_currency == "USD"


def test_currency_is_normalised_to_upper_case(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        tenant_update(tenant=tenant, by=SYSTEM, base_currency=" cny ")
    tenant.refresh_from_db()
    assert tenant.base_currency == "CNY"


def test_a_save_that_changes_nothing_is_not_audited(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        tenant_update(tenant=tenant, by=SYSTEM, time_zone=tenant.time_zone, name=tenant.name)
        assert not AuditEvent.objects.filter(action="tenant.update").exists()
        tenant_update(tenant=tenant, by=SYSTEM, name="Acme Home & Garden")
        assert AuditEvent.objects.filter(action="tenant.update").count() == 1


def test_supplier_upsert_with_the_same_data_is_not_audited(tenant: Tenant) -> None:
    data = {"legal_name": "Ningbo Everbright", "external_id": "V-1", "country": "CN"}
    with tenant_scope(tenant):
        first, created = supplier_upsert(tenant=tenant, by=SYSTEM, fields=SupplierFields.of(data))
        again, created_again = supplier_upsert(tenant=tenant, by=SYSTEM, fields=SupplierFields.of(data))
        assert (created, created_again, again.pk) == (True, False, first.pk)
        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["supplier.create"]


def test_agency_country_must_be_an_iso_code(tenant: Tenant) -> None:
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        agency_create(tenant=tenant, by=SYSTEM, name="Nowhere Sourcing", country="ZZ")
    assert list(caught.value.fields) == ["country"]


def test_only_agents_belong_to_an_agency(tenant: Tenant, make_agency: Any) -> None:
    agency = make_agency(tenant)
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        member_invite(
            tenant=tenant, by=SYSTEM, email="b@acme.test", role=Role.BUYER, agency_id=agency.pk, send_email=False
        )
    assert list(caught.value.fields) == ["agency"]
    with tenant_scope(tenant):
        assert not Membership.objects.exists()


def test_an_agent_needs_an_agency(tenant: Tenant) -> None:
    from django.utils import translation

    with translation.override("en"), tenant_scope(tenant), pytest.raises(DomainError) as caught:
        member_invite(tenant=tenant, by=SYSTEM, email="a@bridge.test", role=Role.AGENT, send_email=False)
    assert caught.value.message == "Sourcing agents must belong to an agency."
    assert list(caught.value.fields) == ["agency"]


@pytest.mark.parametrize(
    ("before", "after", "rows"),
    [
        (None, {"name": "A", "active": True}, [("name", "—", "A"), ("active", "—", "yes")]),
        (
            {"role": "buyer", "agency": None},
            {"role": "agent", "agency": "x"},
            [("role", "buyer", "agent"), ("agency", "—", "x")],
        ),
        ({"role": "buyer", "is_active": True}, {"role": "buyer", "is_active": False}, [("is_active", "yes", "no")]),
        ({"scopes": ["read"]}, None, [("scopes", "read", "—")]),
        (None, None, []),
    ],
)
def test_audit_changes_shows_what_changed(before: Any, after: Any, rows: list[tuple[str, str, str]]) -> None:
    event = AuditEvent(before=before, after=after)
    assert [(r["field"], r["before"], r["after"]) for r in audit_changes(event)] == rows


def test_grants_live_only_in_tenant_tables(tenant: Tenant, make_member: Any) -> None:
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from sourcing.services import agent_assign
    from suppliers.models import Supplier, SupplierAgentGrant

    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        supplier = Supplier.objects.create(tenant=tenant, legal_name="Ningbo Everbright")
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
        assert SupplierAgentGrant.objects.filter(user=agent.user, tenant=tenant).count() == 1
        # a model without a tenant-carrying grant model cannot be assigned at all
        with pytest.raises(TypeError, match="AgentGrantBase"):
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=agent.agency)
    assert not UserObjectPermission.objects.exists()
    assert not GroupObjectPermission.objects.exists()
    assert not agent.user.user_permissions.exists()
    assert not agent.user.groups.exists()


def test_moving_an_agent_to_another_role_revokes_their_assignments(tenant: Tenant, make_member: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from sourcing.services import agent_assign, member_change_role
    from suppliers.models import Supplier, SupplierAgentGrant

    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        supplier = Supplier.objects.create(tenant=tenant, legal_name="Ningbo Everbright")
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
        member_change_role(tenant=tenant, by=SYSTEM, membership_id=agent.pk, role=Role.BUYER)
        assert not SupplierAgentGrant.objects.exists()
        event = AuditEvent.objects.filter(action="member.change_role").get()
    assert event.after["assignments_revoked"] == 1
    # and as a buyer they see suppliers through their role, not through a leftover grant
    client = Client()
    client.force_login(agent.user)
    assert client.get(reverse("portal_home", kwargs={"tenant_slug": tenant.slug})).status_code == 403


def test_tenant_picker_hides_a_membership_through_an_inactive_agency(
    tenant: Tenant, other_tenant: Tenant, make_member: Any
) -> None:
    from sourcing.selectors import memberships_of_user
    from sourcing.services import agency_set_active

    acme = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    make_member(other_tenant, Role.AGENT, email="agent.li@szbridge.test")
    assert [m.tenant.slug for m in memberships_of_user(acme.user)] == ["acme", "globex"]
    with tenant_scope(tenant):
        agency_set_active(tenant=tenant, by=SYSTEM, agency_id=acme.agency_id, active=False)
    assert [m.tenant.slug for m in memberships_of_user(acme.user)] == ["globex"]


def test_dashboard_shows_only_my_own_recent_activity(tenant: Tenant, make_member: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from sourcing.actors import Actor as A
    from sourcing.services import agency_create

    me = make_member(tenant, Role.ADMIN, email="b@acme.test")
    lookalike = make_member(tenant, Role.ADMIN, email="ab@acme.test")
    with tenant_scope(tenant):
        agency_create(tenant=tenant, by=A.for_membership(lookalike), name="Lookalike's Agency", country="CN")
    client = Client()
    client.force_login(me.user)
    response = client.get(reverse("dashboard", kwargs={"tenant_slug": tenant.slug}))
    assert [e.actor_label for e in response.context["my_recent_events"]] == []
    assert "Lookalike&#x27;s Agency" in response.content.decode()  # visible in the tenant's activity, not as mine


def test_upsert_that_loses_a_race_is_a_conflict_not_a_crash(tenant: Tenant) -> None:
    from unittest import mock

    from sourcing.errors import ConflictError
    from sourcing.tenancy import TenantQuerySet

    data = {"legal_name": "Ningbo Everbright", "external_id": "V-1"}
    with tenant_scope(tenant):
        supplier_upsert(tenant=tenant, by=SYSTEM, fields=SupplierFields.of(data))
        # as if another request inserted V-1 just after our look-up found nothing
        with mock.patch.object(TenantQuerySet, "first", return_value=None), pytest.raises(ConflictError):
            supplier_upsert(tenant=tenant, by=SYSTEM, fields=SupplierFields.of({**data, "legal_name": "Renamed"}))
        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["supplier.create"]
