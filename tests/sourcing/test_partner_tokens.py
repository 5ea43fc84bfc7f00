"""Partner tokens: created and revoked by their agent on the portal, listed and revoked by admins, the cap on
active tokens, and every way a token stops opening the partner API (one 401, one message)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.models import AuditEvent, Membership, PartnerToken, Tenant
from sourcing.partner_tokens import MAX_ACTIVE_TOKENS, partner_token_create, partner_token_revoke
from sourcing.roles import Role
from sourcing.services import agency_set_active, member_change_role, member_set_active
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM

URL = "/api/partner/v1/suppliers/"


def _create(tenant: Tenant, agent: Membership, name: str = "Laptop") -> tuple[PartnerToken, str]:
    with tenant_scope(tenant):
        return partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name=name)


def _partner(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {raw}")
    return client


def _refused(response: Any) -> None:
    assert response.status_code == 401
    assert response.json() == {
        "error": {"status": 401, "code": "authentication_failed", "message": "Invalid partner token.", "fields": {}}
    }
    assert response["WWW-Authenticate"] == "Partner-Token"


def _events(tenant: Tenant, action: str) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action=action))


@pytest.fixture
def agent(tenant: Tenant, make_member: Any) -> Membership:
    return make_member(tenant, Role.AGENT, email="li@bridge.test")


# Lifecycle


def test_a_new_token_is_shown_once_stored_hashed_and_opens_the_partner_api(tenant: Tenant, agent: Membership) -> None:
    # given a token the agent created
    token, raw = _create(tenant, agent)
    # then only its prefix and a hash of the secret are kept
    assert raw.startswith(f"sw_{token.prefix}_")
    assert raw.split("_", 2)[2] not in token.secret_hash and len(token.secret_hash) == 64
    assert token.membership_id == agent.pk and token.tenant_id == tenant.pk
    (event,) = _events(tenant, "partner_token.create")
    assert event.after is not None
    assert (event.actor_id, event.after["prefix"]) == (agent.user_id, token.prefix)
    assert raw not in str(event.after)
    # when it is used
    response = _partner(raw).get(URL)
    # then it opens the partner API, and its use is recorded
    assert response.status_code == 200, response.content
    with tenant_scope(tenant):
        token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(tenant: Tenant, agent: Membership) -> None:
    token, raw = _create(tenant, agent)
    with tenant_scope(tenant):
        partner_token_revoke(tenant=tenant, by=Actor.for_membership(agent), token_id=token.pk)
        # revoking again changes nothing and records nothing more
        partner_token_revoke(tenant=tenant, by=Actor.for_membership(agent), token_id=token.pk)
    _refused(_partner(raw).get(URL))
    assert len(_events(tenant, "partner_token.revoke")) == 1


def test_active_tokens_are_capped_per_agent(tenant: Tenant, agent: Membership) -> None:
    tokens = [_create(tenant, agent, f"Machine {i}")[0] for i in range(MAX_ACTIVE_TOKENS)]
    with pytest.raises(DomainError) as refused:
        _create(tenant, agent, "One too many")
    assert refused.value.code == "token_limit" and "name" in refused.value.fields
    assert str(MAX_ACTIVE_TOKENS) in refused.value.message
    with tenant_scope(tenant):
        assert PartnerToken.objects.count() == MAX_ACTIVE_TOKENS
        partner_token_revoke(tenant=tenant, by=Actor.for_membership(agent), token_id=tokens[0].pk)
    # a revoked token no longer counts, and its name may be used again
    assert _create(tenant, agent, "Machine 0")[0].is_active


def test_names_are_required_and_unique_among_active_tokens(tenant: Tenant, agent: Membership) -> None:
    _create(tenant, agent, "Laptop")
    with pytest.raises(DomainError) as twice:
        _create(tenant, agent, "laptop")
    with pytest.raises(DomainError) as blank:
        _create(tenant, agent, "  ")
    assert "name" in twice.value.fields and "name" in blank.value.fields


def test_the_cap_is_per_agent(tenant: Tenant, agent: Membership, make_member: Any) -> None:
    other = make_member(tenant, Role.AGENT, email="chen@bridge.test")
    for i in range(MAX_ACTIVE_TOKENS):
        _create(tenant, agent, f"Machine {i}")
    assert _create(tenant, other, "Machine 0")[0].membership_id == other.pk


def test_only_agents_create_tokens(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    with pytest.raises(ScopeError):
        _create(tenant, admin)
    with pytest.raises(ScopeError), tenant_scope(tenant):
        partner_token_create(tenant=tenant, by=SYSTEM, name="System")
    with tenant_scope(tenant):
        assert PartnerToken.objects.count() == 0


def test_an_agent_revokes_only_their_own_tokens(
    tenant: Tenant, other_tenant: Tenant, agent: Membership, make_member: Any
) -> None:
    other = make_member(tenant, Role.AGENT, email="chen@bridge.test")
    theirs, raw = _create(tenant, other)
    elsewhere = make_member(other_tenant, Role.AGENT, email="li@bridge.test")
    foreign, _raw = _create(other_tenant, elsewhere)
    with tenant_scope(tenant):
        for token_id in (theirs.pk, foreign.pk, "not-an-id"):
            with pytest.raises(NotFoundError):
                partner_token_revoke(tenant=tenant, by=Actor.for_membership(agent), token_id=token_id)
    assert _partner(raw).get(URL).status_code == 200
    assert _events(tenant, "partner_token.revoke") == []


def test_an_admin_revokes_any_agents_token_and_a_buyer_none(
    tenant: Tenant, agent: Membership, make_member: Any
) -> None:
    token, raw = _create(tenant, agent)
    buyer = make_member(tenant, Role.BUYER)
    admin = make_member(tenant, Role.ADMIN)
    with tenant_scope(tenant):
        with pytest.raises(ScopeError):
            partner_token_revoke(tenant=tenant, by=Actor.for_membership(buyer), token_id=token.pk)
        partner_token_revoke(tenant=tenant, by=Actor.for_membership(admin), token_id=token.pk)
    _refused(_partner(raw).get(URL))
    (event,) = _events(tenant, "partner_token.revoke")
    assert event.after is not None
    assert (event.actor_id, event.after["agent"]) == (admin.user_id, "li@bridge.test")


# Refusals: every one is the same 401


def test_a_deactivated_membership_closes_its_tokens(tenant: Tenant, agent: Membership) -> None:
    _token, raw = _create(tenant, agent)
    with tenant_scope(tenant):
        member_set_active(tenant=tenant, by=SYSTEM, membership_id=agent.pk, active=False)
    _refused(_partner(raw).get(URL))


def test_a_membership_no_longer_agent_closes_its_tokens(tenant: Tenant, agent: Membership) -> None:
    _token, raw = _create(tenant, agent)
    with tenant_scope(tenant):
        member_change_role(tenant=tenant, by=SYSTEM, membership_id=agent.pk, role=Role.BUYER)
    _refused(_partner(raw).get(URL))


def test_an_inactive_agency_closes_its_agents_tokens(tenant: Tenant, agent: Membership) -> None:
    _token, raw = _create(tenant, agent)
    with tenant_scope(tenant):
        agency_set_active(tenant=tenant, by=SYSTEM, agency_id=agent.agency_id, active=False)
    _refused(_partner(raw).get(URL))


def test_an_inactive_person_is_refused(tenant: Tenant, agent: Membership) -> None:
    _token, raw = _create(tenant, agent)
    agent.user.is_active = False
    agent.user.save(update_fields=["is_active"])
    _refused(_partner(raw).get(URL))


def test_an_inactive_tenant_is_refused(tenant: Tenant, agent: Membership) -> None:
    _token, raw = _create(tenant, agent)
    Tenant.objects.filter(pk=tenant.pk).update(is_active=False)
    _refused(_partner(raw).get(URL))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-2] + ("AA" if not raw.endswith("AA") else "BB"),  # wrong secret
        lambda raw: "sw_000000000000_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: raw.replace("sw_", "xx_"),  # not a token at all
        lambda raw: "",
    ],
    ids=["wrong-secret", "unknown-prefix", "malformed", "empty"],
)
def test_a_wrong_token_is_refused(tenant: Tenant, agent: Membership, mangle: Any) -> None:
    _token, raw = _create(tenant, agent)
    _refused(_partner(mangle(raw)).get(URL))


def test_no_credential_is_asked_for_a_partner_token(db: Any) -> None:
    response = APIClient().get(URL)
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Partner-Token"


def test_an_api_key_does_not_open_the_partner_api(tenant: Tenant, make_api_key: Any) -> None:
    _key, raw = make_api_key(tenant, ("read", "write"))
    for header in (f"Api-Key {raw}", f"Partner-Token {raw}"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(URL).status_code == 401


def test_a_partner_token_does_not_open_the_erp_api(tenant: Tenant, agent: Membership) -> None:
    _token, raw = _create(tenant, agent)
    for header in (f"Partner-Token {raw}", f"Api-Key {raw}"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        for path in ("/api/v1/me/", "/api/v1/suppliers/"):
            assert client.get(path).status_code == 401


def test_a_token_opens_only_its_own_tenant(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    """One agent in two tenants: each token acts in its own tenant only."""
    from suppliers.models import Supplier

    acme_agent = make_member(tenant, Role.AGENT, email="li@bridge.test")
    globex_agent = make_member(other_tenant, Role.AGENT, email="li@bridge.test")
    from sourcing.services import agent_assign

    with tenant_scope(tenant):
        acme_supplier = Supplier.objects.create(tenant=tenant, legal_name="Ningbo Everbright")
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=acme_agent.pk, obj=acme_supplier)
    _t, globex_raw = _create(other_tenant, globex_agent)
    _t, acme_raw = _create(tenant, acme_agent)
    assert [r["id"] for r in _partner(acme_raw).get(URL).json()["results"]] == [str(acme_supplier.pk)]
    assert _partner(globex_raw).get(URL).json()["results"] == []
    assert _partner(globex_raw).get(f"{URL}{acme_supplier.pk}/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_the_prefix_setting_reveals_only_that_token(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    theirs = make_member(other_tenant, Role.AGENT, email="li@bridge.test")
    token, _raw = _create(other_tenant, theirs, "One")
    _create(other_tenant, theirs, "Two")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.partner_token_prefix', %s, true)", [token.prefix])
        cursor.execute("SELECT id FROM sourcing_partnertoken")
        assert cursor.fetchall() == [(token.pk,)]
        cursor.execute("DELETE FROM sourcing_partnertoken RETURNING id")
        assert cursor.fetchall() == []


# Pages


def _page(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_the_portal_page_creates_a_token_shown_once(tenant: Tenant, agent: Membership) -> None:
    client = _page(agent)
    home = client.get("/t/acme/portal/").content.decode()
    assert "/t/acme/portal/api-access/" in home  # in the portal's navigation
    created = client.post("/t/acme/portal/api-access/", {"name": "Office laptop"})
    assert created.status_code == 200
    with tenant_scope(tenant):
        token = PartnerToken.objects.get(membership=agent)
    body = created.content.decode()
    raw = body.split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    assert raw.startswith(f"sw_{token.prefix}_") and "Partner-Token " in body
    assert "no-store" in created["Cache-Control"]  # shown once: never kept by the browser
    assert _partner(raw).get(URL).status_code == 200
    again = client.get("/t/acme/portal/api-access/").content.decode()
    assert "Office laptop" in again and raw not in again
    assert f'action="/t/acme/portal/api-access/{token.pk}/revoke/"' in again


def test_the_portal_page_names_the_cap(tenant: Tenant, agent: Membership) -> None:
    for i in range(MAX_ACTIVE_TOKENS):
        _create(tenant, agent, f"Machine {i}")
    response = _page(agent).post("/t/acme/portal/api-access/", {"name": "Another"})
    assert response.status_code == 200
    assert "the most allowed" in response.content.decode()
    with tenant_scope(tenant):
        assert PartnerToken.objects.count() == MAX_ACTIVE_TOKENS


def test_the_portal_page_revokes_the_agents_own_token(tenant: Tenant, agent: Membership, make_member: Any) -> None:
    token, raw = _create(tenant, agent)
    other = make_member(tenant, Role.AGENT, email="chen@bridge.test")
    path = f"/t/acme/portal/api-access/{token.pk}/revoke/"
    assert _page(other).post(path).status_code == 404
    assert _partner(raw).get(URL).status_code == 200
    response = _page(agent).post(path)
    assert response.status_code == 302
    _refused(_partner(raw).get(URL))


def test_the_admin_page_lists_and_revokes_agents_tokens(tenant: Tenant, agent: Membership, make_member: Any) -> None:
    token, raw = _create(tenant, agent, "Connector")
    admin = _page(make_member(tenant, Role.ADMIN))
    listing = admin.get("/t/acme/admin/api-keys/partner-tokens/")
    body = listing.content.decode()
    assert listing.status_code == 200 and "li@bridge.test" in body and "Connector" in body and raw not in body
    assert f'action="/t/acme/admin/api-keys/partner-tokens/{token.pk}/revoke/"' in body
    assert "/t/acme/admin/api-keys/partner-tokens/" in admin.get("/t/acme/admin/api-keys/").content.decode()
    buyer = _page(make_member(tenant, Role.BUYER))
    assert buyer.get("/t/acme/admin/api-keys/partner-tokens/").status_code == 403
    assert admin.post(f"/t/acme/admin/api-keys/partner-tokens/{token.pk}/revoke/").status_code == 302
    _refused(_partner(raw).get(URL))
