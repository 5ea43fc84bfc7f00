"""Bank detail pages: only finance and admins see them (agents and other roles never), the full number only on
the bank tab, the request form, the decision by a second person, the pending list and its query count."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sourcing.actors import Actor
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign, member_invite
from sourcing.tenancy import tenant_scope
from suppliers.models import BankAccount, BankStatus, Supplier
from suppliers.services import bank as services
from tests.conftest import PASSWORD, SYSTEM

NUMBER = "6217856000012345"
DETAILS = {
    "account_name": "Ningbo Everbright Housewares Co., Ltd.",
    "bank_name": "Bank of China, Ningbo Branch",
    "account_number": NUMBER,
    "swift_code": "BKCHCNBJ92A",
    "currency": "USD",
}
BANK_ROLES = {Role.ADMIN, Role.FINANCE}
ALL_ROLES = [Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER, Role.QUALITY, Role.FINANCE, Role.EXECUTIVE, Role.AGENT]


def _without_csrf(content: bytes) -> bytes:
    """Pages carry a per-request CSRF token; everything else must be byte-identical."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def _url(name: str, tenant_slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.") -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name)


def _requester(tenant: Tenant) -> Actor:
    """The finance member who asks for the changes these tests need (a change is asked by a person)."""
    email = f"bank.requester@{tenant.slug}.test"
    with tenant_scope(tenant):
        member = Membership.objects.filter(user__email=email).first() or member_invite(
            tenant=tenant, by=SYSTEM, email=email, role=Role.FINANCE, send_email=False, password=PASSWORD
        )
    return Actor.for_membership(member)


def _request(tenant: Tenant, supplier: Supplier, by: Actor | None = None, **values: Any) -> BankAccount:
    by = by or _requester(tenant)
    with tenant_scope(tenant):
        return services.bank_change_request(tenant=tenant, by=by, supplier_id=supplier.pk, **{**DETAILS, **values})


def _active(tenant: Tenant, supplier: Supplier, approver: Membership, **values: Any) -> BankAccount:
    account = _request(tenant, supplier, **values)
    with tenant_scope(tenant):
        return services.bank_change_approve(
            tenant=tenant, by=Actor.for_membership(approver), bank_account_id=account.pk
        )


def _rows(tenant: Tenant) -> list[tuple[str, str]]:
    with tenant_scope(tenant):
        return sorted(BankAccount.objects.values_list("account_number", "status"))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_bank_tab_and_list_only_for_finance_and_admins(tenant: Tenant, make_member: Any, role: str) -> None:
    admin = make_member(tenant, Role.ADMIN, email="approver@acme.test")
    supplier = _supplier(tenant)
    _active(tenant, supplier, admin)
    member = make_member(tenant, role)
    if role == Role.AGENT:
        with tenant_scope(tenant):
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    client = _client(member)
    tab = client.get(_url("supplier_bank", supplier_id=supplier.pk))
    pending = client.get(_url("bank_change_list"))
    expected = 200 if role in BANK_ROLES else 403
    assert (tab.status_code, pending.status_code) == (expected, expected)
    if role in BANK_ROLES:
        assert NUMBER in tab.content.decode()
    else:
        assert NUMBER not in tab.content.decode() and "2345" not in tab.content.decode()


@pytest.mark.parametrize("role", [Role.BUYER, Role.CATEGORY_MANAGER, Role.FINANCE])
def test_other_tabs_never_show_the_number_and_the_bank_tab_only_to_bank_readers(
    tenant: Tenant, make_member: Any, role: str
) -> None:
    supplier = _supplier(tenant)
    _active(tenant, supplier, make_member(tenant, Role.ADMIN, email="approver@acme.test"))
    client = _client(make_member(tenant, role))
    for name in ("supplier_onboarding", "supplier_risk"):
        body = client.get(_url(name, supplier_id=supplier.pk)).content.decode()
        assert NUMBER not in body
        assert ("Bank details" in body) is (role == Role.FINANCE)  # the tab link itself


def test_viewing_the_bank_tab_is_recorded(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    _client(make_member(tenant, Role.FINANCE)).get(_url("supplier_bank", supplier_id=supplier.pk))
    with tenant_scope(tenant):
        assert AuditEvent.objects.filter(action="bank_account.view", object_id=str(supplier.pk)).count() == 1


def test_request_through_the_form_then_a_second_request_is_refused(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    client = _client(make_member(tenant, Role.FINANCE))
    url = _url("supplier_bank_request", supplier_id=supplier.pk)
    assert client.get(url).status_code == 200
    bad = client.post(url, {**DETAILS, "swift_code": "BKCH", "currency": "RMB"})
    assert bad.status_code == 200
    assert "8 or 11 characters" in bad.content.decode() and "ISO 4217" in bad.content.decode()
    assert _rows(tenant) == []
    assert client.post(url, DETAILS).status_code == 302
    again = client.post(url, {**DETAILS, "account_number": "99990000"})
    assert "already waiting for approval" in again.content.decode()
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]


def test_the_requester_is_told_to_find_another_approver(tenant: Tenant, make_member: Any) -> None:
    finance = make_member(tenant, Role.FINANCE)
    supplier = _supplier(tenant)
    account = _request(tenant, supplier, by=Actor.for_membership(finance))
    client = _client(finance)
    tab = client.get(_url("supplier_bank", supplier_id=supplier.pk)).content.decode()
    assert "another person must approve" in tab
    response = client.post(_url("bank_change_approve", bank_account_id=account.pk), follow=True)
    assert "another person must approve or reject it" in response.content.decode()
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]


def test_approve_and_reject_by_a_second_person(tenant: Tenant, make_member: Any) -> None:
    finance, admin = make_member(tenant, Role.FINANCE), make_member(tenant, Role.ADMIN)
    supplier = _supplier(tenant)
    first = _request(tenant, supplier, by=Actor.for_membership(finance), account_number="1111222233334444")
    client = _client(admin)
    assert client.post(_url("bank_change_approve", bank_account_id=first.pk), {"note": "Called"}).status_code == 302
    second = _request(tenant, supplier, by=Actor.for_membership(finance))
    client.post(_url("bank_change_reject", bank_account_id=second.pk), {"note": "Not confirmed"})
    assert _rows(tenant) == [("1111222233334444", BankStatus.ACTIVE), (NUMBER, BankStatus.REJECTED)]


@pytest.mark.parametrize("role", [Role.BUYER, Role.EXECUTIVE, Role.AGENT])
def test_decisions_are_forbidden_to_others_and_write_nothing(tenant: Tenant, make_member: Any, role: str) -> None:
    account = _request(tenant, _supplier(tenant))
    response = _client(make_member(tenant, role)).post(_url("bank_change_approve", bank_account_id=account.pk))
    assert response.status_code == 403
    assert _rows(tenant) == [(NUMBER, BankStatus.PENDING)]


def test_another_tenants_change_is_a_missing_one(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    theirs = _request(other_tenant, _supplier(other_tenant, "Xiamen Peakline"))
    client = _client(make_member(tenant, Role.ADMIN))
    for name in ("bank_change_approve", "bank_change_reject"):
        theirs_response = client.post(_url(name, bank_account_id=theirs.pk), {"note": "x"})
        missing = client.post(_url(name, bank_account_id="00000000-0000-7000-8000-000000000000"), {"note": "x"})
        assert theirs_response.status_code == missing.status_code == 404
        assert _without_csrf(theirs_response.content) == _without_csrf(missing.content)
    assert client.get(_url("supplier_bank", supplier_id=theirs.supplier_id)).status_code == 404
    assert _rows(other_tenant) == [(NUMBER, BankStatus.PENDING)]


def test_pending_list_masks_numbers_and_runs_a_constant_number_of_queries(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any
) -> None:
    client = _client(make_member(tenant, Role.FINANCE))

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            _request(tenant, _supplier(tenant, f"Supplier {i:03d}"), account_number=f"62178560000{i:05d}")

    grow(1, 3)
    client.get(_url("bank_change_list"))  # warm: session and content types
    with django_assert_num_queries(EXPECTED_LIST):
        assert client.get(_url("bank_change_list")).status_code == 200
    grow(4, 3)
    with django_assert_num_queries(EXPECTED_LIST):
        body = client.get(_url("bank_change_list")).content.decode()
    assert body.count("Supplier 00") == 6
    assert "6217856000000001" not in body and "0001" in body


# The fixed cost of a tenant page, the page count, and the page of changes with suppliers and requesters.
EXPECTED_LIST = 15
