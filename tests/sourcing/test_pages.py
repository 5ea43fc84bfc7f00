"""Pages as people use them: signing in, landing, language and time zone, forms, and list query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from sourcing.models import ApiKey, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign, api_key_create
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from tests.conftest import PASSWORD, SYSTEM


def _login(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_with_email_lands_on_the_role_dashboard(tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.BUYER)
    client = Client()
    response = _login(client, "buyer@acme.test")
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard", kwargs={"tenant_slug": "acme"})
    assert "Acme Home Goods" in response.content.decode()


def test_wrong_password_is_refused_and_repeated_failures_lock_out(tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.BUYER)
    client = Client()
    for _ in range(4):
        assert _login(client, "buyer@acme.test", "wrong").status_code == 200
    locked = _login(client, "buyer@acme.test", "wrong")
    assert locked.status_code == 429
    # even the right password is refused while locked out
    assert _login(client, "buyer@acme.test").status_code == 429
    assert "_auth_user_id" not in client.session


def test_agent_lands_in_the_portal_in_chinese(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(
        tenant, Role.AGENT, email="agent.chen@szbridge.test", language="zh-hans", time_zone="Asia/Shanghai"
    )
    with tenant_scope(tenant):
        supplier = Supplier.objects.create(
            tenant=tenant,
            legal_name="Foshan Meijia Ceramics",
            local_name="佛山美家陶瓷有限公司",
            internal_notes="NOTE-INTERNAL",
        )
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    client = Client()
    response = client.get(_login(client, agent.user.email)["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal_home", kwargs={"tenant_slug": "acme"})
    body = response.content.decode()
    assert "我的分配" in body  # "My assignments"
    assert 'lang="zh-hans"' in body
    assert "佛山美家陶瓷有限公司" in body
    assert "NOTE-INTERNAL" not in body
    detail = client.get(reverse("portal_supplier_detail", kwargs={"tenant_slug": "acme", "supplier_id": supplier.pk}))
    assert detail.status_code == 200
    assert "NOTE-INTERNAL" not in detail.content.decode()
    # and the internal navigation is not offered, nor reachable
    assert reverse("dashboard", kwargs={"tenant_slug": "acme"}) not in body
    assert client.get(reverse("dashboard", kwargs={"tenant_slug": "acme"})).status_code == 403


def test_person_in_two_tenants_picks_one(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    make_member(other_tenant, Role.AGENT, email="agent.li@szbridge.test")
    client = Client()
    _login(client, "agent.li@szbridge.test")
    body = client.get(reverse("home")).content.decode()
    assert reverse("tenant_home", kwargs={"tenant_slug": "acme"}) in body
    assert reverse("tenant_home", kwargs={"tenant_slug": "globex"}) in body


def test_deactivated_member_cannot_open_the_tenant(tenant: Tenant, make_member: Any, as_tenant: Any) -> None:
    member = make_member(tenant, Role.BUYER)
    with as_tenant(tenant):
        Membership.objects.filter(pk=member.pk).update(is_active=False)
    client = Client()
    client.force_login(member.user)
    assert client.get(reverse("dashboard", kwargs={"tenant_slug": "acme"})).status_code == 404


def test_language_switch_is_saved_on_the_person(tenant: Tenant, make_member: Any) -> None:
    member = make_member(tenant, Role.BUYER)
    client = Client()
    client.force_login(member.user)
    dashboard = reverse("dashboard", kwargs={"tenant_slug": "acme"})
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": dashboard})
    assert response["Location"] == dashboard
    member.user.refresh_from_db()
    assert member.user.language == "zh-hans"
    assert "仪表板" in client.get(dashboard).content.decode()


def test_language_switch_refuses_offsite_redirects(db: Any) -> None:
    response = Client().post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_times_are_shown_in_the_viewers_zone(tenant: Tenant, make_member: Any, as_tenant: Any) -> None:
    admin = make_member(tenant, Role.ADMIN, time_zone="Asia/Shanghai")
    with as_tenant(tenant):
        event = __import__("sourcing.models", fromlist=["AuditEvent"]).AuditEvent.objects.order_by("id").first()
    client = Client()
    client.force_login(admin.user)
    body = client.get(reverse("audit_list", kwargs={"tenant_slug": "acme"})).content.decode()
    from zoneinfo import ZoneInfo

    shanghai = event.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert shanghai in body


def test_invite_sends_a_link_to_this_site(
    tenant: Tenant, make_member: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://sourcing.example.com"
    admin = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member_invite", kwargs={"tenant_slug": "acme"}),
            {"email": "new.buyer@acme.test", "full_name": "New Buyer", "role": Role.BUYER},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert re.search(r"https://sourcing\.example\.com/accounts/password/reset/\S+/\S+/", mail.outbox[0].body)


def test_invite_with_a_bad_email_names_the_field_and_writes_nothing(
    tenant: Tenant, make_member: Any, as_tenant: Any
) -> None:
    admin = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    with as_tenant(tenant):
        before = Membership.objects.count()
    response = client.post(
        reverse("member_invite", kwargs={"tenant_slug": "acme"}), {"email": "not-an-address", "role": Role.BUYER}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    with as_tenant(tenant):
        assert Membership.objects.count() == before


def test_tenant_settings_rejects_a_bad_currency(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    response = client.post(
        reverse("tenant_settings", kwargs={"tenant_slug": "acme"}),
        {"name": "Acme", "base_currency": "dollars", "time_zone": "UTC", "default_language": "en"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["base_currency"]
    tenant.refresh_from_db()
    assert (tenant.name, tenant.base_currency) == ("Acme Home Goods", "USD")


def test_password_reset_sends_an_email(tenant: Tenant, make_member: Any) -> None:
    # an address of its own: reset counters live in the shared cache for an hour
    member = make_member(tenant, Role.BUYER, email=f"buyer-{tenant.pk}@acme.test")
    response = Client().post(reverse("password_reset"), {"email": member.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_admin_can_manage_members_from_the_list(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    buyer = make_member(tenant, Role.BUYER)
    client = Client()
    client.force_login(admin.user)
    body = client.get(reverse("member_list", kwargs={"tenant_slug": "acme"})).content.decode()
    assert reverse("member_invite", kwargs={"tenant_slug": "acme"}) in body
    assert reverse("member_edit", kwargs={"tenant_slug": "acme", "membership_id": buyer.pk}) in body
    assert reverse("member_set_active", kwargs={"tenant_slug": "acme", "membership_id": buyer.pk}) in body


def test_api_key_is_shown_once(tenant: Tenant, make_member: Any, as_tenant: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    url = reverse("api_key_list", kwargs={"tenant_slug": "acme"})
    created = client.post(url, {"name": "erp", "scopes": ["read"]}).content.decode()
    key = re.search(r"sw_[0-9a-f]{12}_[\w-]+", created)
    assert key is not None
    listing = client.get(url).content.decode()
    assert key.group(0) not in listing
    with as_tenant(tenant):
        stored = ApiKey.objects.get(name="erp")
    assert f'action="/t/acme/admin/api-keys/{stored.pk}/revoke/"' in listing and ">Never<" in listing


# List pages run a constant number of queries, whatever the number of rows.


def _grow(tenant: Tenant, make_member: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        member = make_member(tenant, Role.AGENT if i % 2 else Role.BUYER, email=f"person{i}@acme.test")
        with tenant_scope(tenant):
            supplier = Supplier.objects.create(tenant=tenant, legal_name=f"Supplier {i}")
            api_key_create(tenant=tenant, by=SYSTEM, name=f"key-{i}", scopes=["read"])
            if member.role == Role.AGENT:
                agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("member_list", Role.ADMIN),
        ("agency_list", Role.ADMIN),
        ("api_key_list", Role.ADMIN),
        ("audit_list", Role.ADMIN),
        ("dashboard", Role.ADMIN),
        ("dashboard", Role.BUYER),
    ],
)
def test_list_page_query_count_is_constant(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any, url_name: str, role: str
) -> None:
    viewer = make_member(tenant, role, email=f"viewer-{role}@acme.test")
    client = Client()
    client.force_login(viewer.user)
    url = reverse(url_name, kwargs={"tenant_slug": "acme"})
    _grow(tenant, make_member, 3, 0)
    client.get(url)  # warm: session and content types
    with django_assert_num_queries(_EXPECTED[(url_name, role)]):
        assert client.get(url).status_code == 200
    _grow(tenant, make_member, 3, 3)
    with django_assert_num_queries(_EXPECTED[(url_name, role)]):
        assert client.get(url).status_code == 200


# Of these, about half is the fixed cost of every tenant page: the session and user, the tenant, the
# membership, the transaction-local RLS settings, and the tenant switcher. The audit log also names the
# records the events' changes refer to: one query per kind of record (here the agents' agency), whatever the
# number of events.
_EXPECTED: dict[tuple[str, str], int] = {
    ("member_list", Role.ADMIN): 14,
    ("agency_list", Role.ADMIN): 17,
    ("api_key_list", Role.ADMIN): 14,
    ("audit_list", Role.ADMIN): 17,
    ("dashboard", Role.ADMIN): 20,
    ("dashboard", Role.BUYER): 16,
}


def test_portal_query_count_is_constant(tenant: Tenant, make_member: Any, django_assert_num_queries: Any) -> None:
    agent = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    client = Client()
    client.force_login(agent.user)
    url = reverse("portal_home", kwargs={"tenant_slug": "acme"})

    def assign(n: int) -> None:
        with tenant_scope(tenant):
            for i in range(n):
                supplier = Supplier.objects.create(tenant=tenant, legal_name=f"S{i}-{n}")
                agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)

    assign(3)
    client.get(url)
    with django_assert_num_queries(_EXPECTED_PORTAL):
        assert client.get(url).content.decode().count("S0-3") == 1
    assign(6)
    with django_assert_num_queries(_EXPECTED_PORTAL):
        assert client.get(url).content.decode().count("S5-6") == 1


_EXPECTED_PORTAL = 15  # the agent's granted supplier ids are read first, then the suppliers by that list


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the peer is the client, the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry is whatever the client sent
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: fall back to the peer
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    from django.test import RequestFactory

    from sourcing.web import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_adding_an_existing_person_tells_them(
    tenant: Tenant, other_tenant: Tenant, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_member(other_tenant, Role.BUYER, email="shared@example.test")
    admin = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("member_invite", kwargs={"tenant_slug": "acme"}),
            {"email": "shared@example.test", "role": Role.BUYER},
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["shared@example.test"]
    assert "Acme Home Goods" in mail.outbox[0].subject
    assert "admin@acme.test added your Sourcewise account (shared@example.test) to Acme Home Goods" in (
        " ".join(mail.outbox[0].body.split())
    )


def test_invitation_arrives_in_the_invitees_language(
    tenant: Tenant, make_member: Any, make_agency: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_member(tenant, Role.ADMIN)
    agency = make_agency(tenant)
    client = Client()
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("member_invite", kwargs={"tenant_slug": "acme"}),
            {"email": "agent.wang@szbridge.test", "role": Role.AGENT, "agency": agency.pk, "language": "zh-hans"},
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "您已受邀加入 Sourcewise 上的 Acme Home Goods"


def test_audit_log_filters_by_object_type_from_a_list(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    with tenant_scope(tenant):
        Supplier.objects.create(tenant=tenant, legal_name="Unaudited")  # not through a service: no event
    client = Client()
    client.force_login(admin.user)
    url = reverse("audit_list", kwargs={"tenant_slug": "acme"})
    page = client.get(url)
    assert [c[0] for c in page.context["form"].fields["object_type"].choices] == ["", "sourcing.membership"]
    filtered = client.get(url, {"object_type": "sourcing.membership"})
    assert {e.object_type for e in filtered.context["page"]} == {"sourcing.membership"}
    assert client.get(url, {"object_type": "nonsense"}).context["form"].errors["object_type"]


def test_assignment_offers_only_suppliers_not_yet_assigned(tenant: Tenant, make_member: Any) -> None:
    admin = make_member(tenant, Role.ADMIN)
    agent = make_member(tenant, Role.AGENT, email="agent.li@szbridge.test")
    with tenant_scope(tenant):
        mine = Supplier.objects.create(tenant=tenant, legal_name="Already Assigned Co")
        Supplier.objects.create(tenant=tenant, legal_name="Free Co")
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=mine)
    client = Client()
    client.force_login(admin.user)
    response = client.get(reverse("agency_list", kwargs={"tenant_slug": "acme"}))
    [row] = [a for a in response.context["agents"] if a.pk == agent.pk]
    assert [s.legal_name for s in row.assignable_suppliers] == ["Free Co"]
    assert [s.legal_name for s in row.assigned_suppliers] == ["Already Assigned Co"]


def test_password_reset_mails_are_rate_limited_without_saying_so(tenant: Tenant, make_member: Any) -> None:
    from sourcing.accounts import RESETS_PER_ADDRESS

    member = make_member(tenant, Role.BUYER, email=f"reset-{tenant.pk}@acme.test")
    client = Client(REMOTE_ADDR=f"192.0.2.{tenant.pk.int % 200 + 1}")
    answers = [
        client.post(reverse("password_reset"), {"email": member.user.email}) for _ in range(RESETS_PER_ADDRESS + 2)
    ]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == RESETS_PER_ADDRESS
    # someone else using up an address's resets does not lock its owner out
    owner = Client(REMOTE_ADDR=f"198.51.100.{tenant.pk.int % 200 + 1}")
    owner.post(reverse("password_reset"), {"email": member.user.email})
    assert len(mail.outbox) == RESETS_PER_ADDRESS + 1
