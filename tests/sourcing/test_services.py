"""Core services: members, agencies, API keys and agent grants validate, check the actor's scope, write, and
record an audit event; a refused call leaves nothing behind."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from guardian.core import ObjectPermissionChecker

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import Agency, ApiKey, AuditEvent, Membership, Tenant, User
from sourcing.roles import Role
from sourcing.services import (
    agency_create,
    agency_set_active,
    agent_assign,
    api_key_create,
    api_key_revoke,
    member_change_role,
    member_invite,
    member_set_active,
)
from suppliers.models import Supplier, SupplierAgentGrant

MakeMember = Callable[..., Membership]
AsTenant = Callable[[Tenant], Any]


@pytest.fixture
def admin(tenant: Tenant, make_member: MakeMember) -> Membership:
    return make_member(tenant, Role.ADMIN)


@pytest.fixture
def admin_actor(admin: Membership) -> Actor:
    return Actor.for_membership(admin)


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# member_invite


def test_invite_creates_user_membership_and_audit_event(
    tenant: Tenant, admin_actor: Actor, as_tenant: AsTenant
) -> None:
    # given an admin of acme
    # when they invite a new buyer
    with as_tenant(tenant):
        membership = member_invite(
            tenant=tenant,
            by=admin_actor,
            email="New.Buyer@Acme.test",
            role=Role.BUYER,
            full_name="New Buyer",
            send_email=False,
        )
    # then the person, their membership and an audit event exist
    user = User.objects.get(email="new.buyer@acme.test")
    assert user.full_name == "New Buyer"
    with as_tenant(tenant):
        stored = Membership.objects.get(pk=membership.pk)
        assert stored.user_id == user.pk
        assert stored.tenant_id == tenant.pk
        assert stored.role == Role.BUYER
        [event] = [e for e in _events("member.invite") if e.object_id == str(membership.pk)]
        assert event.actor_id == admin_actor.user.pk  # type: ignore[union-attr]
        assert event.after is not None
        assert event.after["email"] == "new.buyer@acme.test"
        assert event.after["role"] == Role.BUYER


def test_invite_of_an_existing_member_names_email(
    tenant: Tenant, admin_actor: Actor, make_member: MakeMember, as_tenant: AsTenant
) -> None:
    # given a buyer already in acme
    make_member(tenant, Role.BUYER, email="buyer@acme.test")
    with as_tenant(tenant):
        count = Membership.objects.count()
        # when they are invited again
        with pytest.raises(DomainError) as caught:
            member_invite(tenant=tenant, by=admin_actor, email="buyer@acme.test", role=Role.QUALITY, send_email=False)
        # then the error names the e-mail and nothing was added
        assert "email" in caught.value.fields
        assert Membership.objects.count() == count


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [
        ("not-an-email", Role.BUYER, "email"),
        ("", Role.BUYER, "email"),
        ("someone@acme.test", "overlord", "role"),
        ("agent@acme.test", Role.AGENT, "agency"),
    ],
)
def test_invite_with_invalid_input_names_the_field(
    tenant: Tenant, admin_actor: Actor, as_tenant: AsTenant, email: str, role: str, field: str
) -> None:
    # given an admin of acme
    with as_tenant(tenant):
        memberships = Membership.objects.count()
        events = AuditEvent.objects.count()
        # when the invitation has one bad input (for an agent: no agency)
        with pytest.raises(DomainError) as caught:
            member_invite(tenant=tenant, by=admin_actor, email=email, role=role, send_email=False)
        # then the error names that field and nothing was written
        assert field in caught.value.fields
        assert Membership.objects.count() == memberships
        assert AuditEvent.objects.count() == events
    assert not User.objects.filter(email=email).exists()


def test_invite_of_a_new_person_sends_the_invitation_on_commit(
    tenant: Tenant,
    admin_actor: Actor,
    as_tenant: AsTenant,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given an admin of acme
    # when they invite someone new without giving a password
    with django_capture_on_commit_callbacks(execute=True) as callbacks, as_tenant(tenant):
        member_invite(tenant=tenant, by=admin_actor, email="invitee@acme.test", role=Role.FINANCE)
        # then nothing is sent before the commit
        assert mailoutbox == []
    # and after it exactly one invitation goes to that person
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["invitee@acme.test"]


def test_invite_with_a_password_sends_no_email(
    tenant: Tenant,
    admin_actor: Actor,
    as_tenant: AsTenant,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given an admin of acme
    # when they invite someone and set their password
    with django_capture_on_commit_callbacks(execute=True) as callbacks, as_tenant(tenant):
        member_invite(
            tenant=tenant,
            by=admin_actor,
            email="seeded@acme.test",
            role=Role.FINANCE,
            password="a-long-enough-password",
        )
    # then no invitation is queued or sent
    assert callbacks == []
    assert mailoutbox == []


# member_change_role / member_set_active


def test_change_role_records_before_and_after(
    tenant: Tenant, admin_actor: Actor, make_member: MakeMember, as_tenant: AsTenant
) -> None:
    # given a buyer
    buyer = make_member(tenant, Role.BUYER)
    # when an admin makes them a quality engineer
    with as_tenant(tenant):
        member_change_role(tenant=tenant, by=admin_actor, membership_id=buyer.pk, role=Role.QUALITY)
        # then the role changed and the event holds the old and the new role
        assert Membership.objects.get(pk=buyer.pk).role == Role.QUALITY
        [event] = _events("member.change_role")
        assert event.object_id == str(buyer.pk)
        assert event.before is not None
        assert event.after is not None
        assert event.before["role"] == Role.BUYER
        assert event.after["role"] == Role.QUALITY


def test_cannot_change_own_role(tenant: Tenant, admin: Membership, admin_actor: Actor, as_tenant: AsTenant) -> None:
    # given an admin
    with as_tenant(tenant):
        # when they try to change their own role
        with pytest.raises(DomainError) as caught:
            member_change_role(tenant=tenant, by=admin_actor, membership_id=admin.pk, role=Role.BUYER)
        # then it is refused, naming the role, and nothing changed
        assert "role" in caught.value.fields
        assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN
        assert _events("member.change_role") == []


def test_deactivate_member(tenant: Tenant, admin_actor: Actor, make_member: MakeMember, as_tenant: AsTenant) -> None:
    # given an active buyer
    buyer = make_member(tenant, Role.BUYER)
    # when an admin deactivates them
    with as_tenant(tenant):
        member_set_active(tenant=tenant, by=admin_actor, membership_id=buyer.pk, active=False)
        # then the membership is inactive, holds no scopes, and the change is audited
        stored = Membership.objects.get(pk=buyer.pk)
        assert stored.is_active is False
        assert stored.scopes == frozenset()
        [event] = _events("member.deactivate")
        assert event.object_id == str(buyer.pk)
        assert event.before is not None
        assert event.after is not None
        assert event.before["is_active"] is True
        assert event.after["is_active"] is False


def test_cannot_deactivate_self(tenant: Tenant, admin: Membership, admin_actor: Actor, as_tenant: AsTenant) -> None:
    # given an admin
    with as_tenant(tenant):
        # when they try to deactivate themselves
        with pytest.raises(DomainError) as caught:
            member_set_active(tenant=tenant, by=admin_actor, membership_id=admin.pk, active=False)
        # then it is refused and they stay active
        assert "is_active" in caught.value.fields
        assert Membership.objects.get(pk=admin.pk).is_active is True
        assert _events("member.deactivate") == []


# agencies


def test_duplicate_agency_name_names_name(tenant: Tenant, admin_actor: Actor, as_tenant: AsTenant) -> None:
    # given an agency
    with as_tenant(tenant):
        agency_create(tenant=tenant, by=admin_actor, name="Yiwu Partners")
        # when another is created with the same name in another case
        with pytest.raises(DomainError) as caught:
            agency_create(tenant=tenant, by=admin_actor, name="  yiwu partners ")
        # then the error names the name and there is still one agency
        assert "name" in caught.value.fields
        assert Agency.objects.count() == 1


def test_same_agency_name_in_two_tenants_is_allowed(
    tenant: Tenant, other_tenant: Tenant, make_agency: Callable[..., Agency], as_tenant: AsTenant
) -> None:
    # given / when each tenant records the same agency
    make_agency(tenant, "Yiwu Partners")
    make_agency(other_tenant, "Yiwu Partners")
    # then each tenant sees its own record
    for each in (tenant, other_tenant):
        with as_tenant(each):
            assert list(Agency.objects.values_list("tenant_id", flat=True)) == [each.pk]


def test_deactivating_an_agency_locks_its_agents_out_until_reactivated(
    tenant: Tenant, admin_actor: Actor, make_member: MakeMember, as_tenant: AsTenant
) -> None:
    # given an agent of an agency and a buyer
    agent = make_member(tenant, Role.AGENT, email="agent1@bridge.test")
    buyer = make_member(tenant, Role.BUYER)
    portal = reverse("portal_home", kwargs={"tenant_slug": tenant.slug})
    client = Client()
    client.force_login(agent.user)
    assert client.get(portal).status_code == 200
    # when the agency is deactivated
    with as_tenant(tenant):
        agency_set_active(tenant=tenant, by=admin_actor, agency_id=agent.agency_id, active=False)
    # then its agent cannot open the tenant, the memberships are untouched, and the change is audited
    assert client.get(portal).status_code == 404
    with as_tenant(tenant):
        assert Membership.objects.get(pk=agent.pk).is_active is True
        assert Membership.objects.get(pk=buyer.pk).is_active is True
        assert [e.object_id for e in _events("agency.deactivate")] == [str(agent.agency_id)]
    # and reactivating the agency gives the access back
    with as_tenant(tenant):
        agency_set_active(tenant=tenant, by=admin_actor, agency_id=agent.agency_id, active=True)
    assert client.get(portal).status_code == 200


# API keys


def test_api_key_create_returns_the_key_once_and_stores_only_a_hash(
    tenant: Tenant, admin_actor: Actor, as_tenant: AsTenant
) -> None:
    # given an admin
    # when they create a key
    with as_tenant(tenant):
        key, raw = api_key_create(tenant=tenant, by=admin_actor, name="ERP", scopes=["write", "read", "read"])
    # then the plain key is sw_<prefix>_<secret>
    match = re.fullmatch(r"sw_([0-9a-f]{12})_([A-Za-z0-9_-]{40,})", raw)
    assert match is not None
    prefix, secret = match.groups()
    with as_tenant(tenant):
        stored = ApiKey.objects.get(pk=key.pk)
        assert stored.prefix == prefix
        assert stored.scopes == ["read", "write"]
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        # and the secret is in no column of the key's row
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM sourcing_apikey WHERE id = %s", [key.pk])
            [row] = cursor.fetchall()
        assert all(secret not in str(value) for value in row)
        # nor in the audit event of its creation
        [event] = _events("api_key.create")
        assert secret not in str(event.after)
        assert secret not in event.object_repr
        assert event.after == {"name": "ERP", "scopes": ["read", "write"], "prefix": prefix}


def test_api_key_revoke(tenant: Tenant, admin_actor: Actor, as_tenant: AsTenant) -> None:
    # given a key
    with as_tenant(tenant):
        key, _raw = api_key_create(tenant=tenant, by=admin_actor, name="ERP", scopes=["read"])
        assert key.effective_scopes
        # when it is revoked (twice)
        api_key_revoke(tenant=tenant, by=admin_actor, api_key_id=key.pk)
        api_key_revoke(tenant=tenant, by=admin_actor, api_key_id=key.pk)
        # then it is inactive, grants nothing, and one revocation is audited
        stored = ApiKey.objects.get(pk=key.pk)
        assert stored.revoked_at is not None
        assert stored.is_active is False
        assert stored.effective_scopes == frozenset()
        assert [e.object_id for e in _events("api_key.revoke")] == [str(key.pk)]


def test_api_key_of_another_tenant_cannot_be_revoked(
    tenant: Tenant,
    other_tenant: Tenant,
    admin_actor: Actor,
    make_api_key: Callable[..., Any],
    as_tenant: AsTenant,
) -> None:
    # given a globex key
    theirs, _raw = make_api_key(other_tenant)
    # when an acme admin tries to revoke it
    with as_tenant(tenant), pytest.raises(NotFoundError):
        api_key_revoke(tenant=tenant, by=admin_actor, api_key_id=theirs.pk)
    # then it is still active
    with as_tenant(other_tenant):
        assert ApiKey.objects.get(pk=theirs.pk).revoked_at is None


def test_buyer_cannot_create_api_keys(tenant: Tenant, make_member: MakeMember, as_tenant: AsTenant) -> None:
    # given a buyer
    buyer = Actor.for_membership(make_member(tenant, Role.BUYER))
    with as_tenant(tenant):
        # when they try to create a key
        with pytest.raises(ScopeError):
            api_key_create(tenant=tenant, by=buyer, name="Sneaky", scopes=["read", "write"])
        # then no key and no audit event exist
        assert not ApiKey.objects.exists()
        assert _events("api_key.create") == []


def test_deactivated_admin_cannot_act(
    tenant: Tenant, admin_actor: Actor, make_member: MakeMember, as_tenant: AsTenant
) -> None:
    # given a second admin who was deactivated
    other_admin = make_member(tenant, Role.ADMIN, email="admin2@acme.test")
    with as_tenant(tenant):
        member_set_active(tenant=tenant, by=admin_actor, membership_id=other_admin.pk, active=False)
        stale = Actor.for_membership(Membership.objects.select_related("user").get(pk=other_admin.pk))
        invites = len(_events("member.invite"))
        # when they try to invite someone
        with pytest.raises(ScopeError):
            member_invite(tenant=tenant, by=stale, email="x@acme.test", role=Role.BUYER, send_email=False)
        # then nobody was invited
        assert len(_events("member.invite")) == invites
    assert not User.objects.filter(email="x@acme.test").exists()


# agent grants


@pytest.fixture
def agent(tenant: Tenant, make_member: MakeMember) -> Membership:
    return make_member(tenant, Role.AGENT)


def _supplier(tenant: Tenant, as_tenant: AsTenant, name: str = "Ningbo Kitchenware Co.") -> Supplier:
    with as_tenant(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name)


def test_agent_assign_writes_a_tenant_grant_and_an_audit_event(
    tenant: Tenant, admin_actor: Actor, agent: Membership, as_tenant: AsTenant
) -> None:
    # given a supplier and an agent
    supplier = _supplier(tenant, as_tenant)
    # when an admin assigns the agent to the supplier
    with as_tenant(tenant):
        agent_assign(tenant=tenant, by=admin_actor, agent_membership_id=agent.pk, obj=supplier)
        # then one grant of this tenant exists for that agent and supplier
        [grant] = SupplierAgentGrant.objects.select_related("permission")
        assert grant.tenant_id == tenant.pk
        assert grant.user_id == agent.user_id
        assert grant.content_object_id == supplier.pk
        assert grant.permission.codename == "view_supplier"
        # and the assignment is audited
        [event] = _events("agent.assign")
        assert event.object_type == "suppliers.supplier"
        assert event.object_id == str(supplier.pk)
        assert event.after == {"agent": agent.user.email}


def test_agent_assign_to_another_tenants_supplier_is_not_found(
    tenant: Tenant, other_tenant: Tenant, admin_actor: Actor, agent: Membership, as_tenant: AsTenant
) -> None:
    # given a globex supplier
    theirs = _supplier(other_tenant, as_tenant, "Globex Tents Ltd.")
    # when an acme admin assigns an acme agent to it
    with as_tenant(tenant):
        with pytest.raises(NotFoundError):
            agent_assign(tenant=tenant, by=admin_actor, agent_membership_id=agent.pk, obj=theirs)
        # then no grant and no event exist
        assert not SupplierAgentGrant.objects.exists()
        assert _events("agent.assign") == []
    with as_tenant(other_tenant):
        assert not SupplierAgentGrant.objects.exists()


def test_agent_assign_requires_an_agent(
    tenant: Tenant, admin_actor: Actor, make_member: MakeMember, as_tenant: AsTenant
) -> None:
    # given a buyer (not an agent) and a supplier
    buyer = make_member(tenant, Role.BUYER)
    supplier = _supplier(tenant, as_tenant)
    with as_tenant(tenant):
        # when an admin tries to assign the buyer as an agent
        with pytest.raises(DomainError) as caught:
            agent_assign(tenant=tenant, by=admin_actor, agent_membership_id=buyer.pk, obj=supplier)
        # then it is refused, naming the agent, and nothing was granted
        assert "agent" in caught.value.fields
        assert not SupplierAgentGrant.objects.exists()


def test_agents_hold_object_grants_never_model_wide_permissions(
    tenant: Tenant, admin_actor: Actor, agent: Membership, as_tenant: AsTenant
) -> None:
    # given a supplier assigned to an agent, and one not assigned
    supplier = _supplier(tenant, as_tenant)
    unassigned = _supplier(tenant, as_tenant, "Other Supplier")
    with as_tenant(tenant):
        agent_assign(tenant=tenant, by=admin_actor, agent_membership_id=agent.pk, obj=supplier)
    # when we look at the agent's permissions
    user = User.objects.get(pk=agent.user_id)
    # then they have no model-wide permission and no group
    assert not user.user_permissions.exists()
    assert not user.groups.exists()
    assert user.has_perm("suppliers.view_supplier") is False
    # and they may see exactly the assigned supplier
    with as_tenant(tenant):
        checker = ObjectPermissionChecker(user)
        assert checker.has_perm("view_supplier", supplier) is True
        assert checker.has_perm("view_supplier", unassigned) is False
        assert checker.has_perm("change_supplier", supplier) is False
