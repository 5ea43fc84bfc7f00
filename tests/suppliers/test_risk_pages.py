"""Risk pages: the profile tab (open and closed flags, raise, close), the list across suppliers with filters
and a constant query count; flag notes never reach partner pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import RiskFlag, Severity, Supplier
from suppliers.services import risk as services
from tests.conftest import SYSTEM

READERS = [Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER, Role.QUALITY, Role.FINANCE, Role.EXECUTIVE]
NOTE = "RISK-NOTE-INTERNAL"


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


def _supplier(tenant: Tenant, name: str = "Ningbo Everbright Housewares Co., Ltd.", **values: Any) -> Supplier:
    with tenant_scope(tenant):
        return Supplier.objects.create(tenant=tenant, legal_name=name, **values)


def _flag(tenant: Tenant, supplier: Supplier, **values: Any) -> RiskFlag:
    with tenant_scope(tenant):
        return services.risk_flag_create(
            tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, **{"title": "Owner changed", "note": NOTE, **values}
        )


def _flags(tenant: Tenant) -> list[tuple[str, bool]]:
    with tenant_scope(tenant):
        return sorted(RiskFlag.objects.values_list("title", "is_open"))


@pytest.mark.parametrize("role", [*READERS, Role.AGENT])
def test_tab_by_role(tenant: Tenant, make_member: Any, role: str) -> None:
    supplier = _supplier(tenant)
    _flag(tenant, supplier)
    member = make_member(tenant, role)
    if role == Role.AGENT:
        with tenant_scope(tenant):
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=member.pk, obj=supplier)
    response = _client(member).get(_url("supplier_risk", supplier_id=supplier.pk))
    assert response.status_code == (403 if role == Role.AGENT else 200)
    if role != Role.AGENT:
        body = response.content.decode()
        assert "Owner changed" in body and NOTE in body
        assert ("Raise a flag" in body) is (role in {Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER})


def test_flag_notes_are_not_on_the_partner_page(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant, risk_notes="RISK-NOTES-FIELD")
    _flag(tenant, supplier)
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    response = _client(agent).get(_url("portal_supplier_detail", supplier_id=supplier.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert NOTE not in body and "RISK-NOTES-FIELD" not in body and "Owner changed" not in body


def test_raise_and_close_through_the_tab(tenant: Tenant, make_member: Any) -> None:
    buyer = make_member(tenant, Role.BUYER)
    supplier = _supplier(tenant)
    client = _client(buyer)
    bad = client.post(_url("supplier_risk_raise", supplier_id=supplier.pk), {"title": "", "severity": "major"})
    assert bad.status_code == 200 and _flags(tenant) == []
    response = client.post(
        _url("supplier_risk_raise", supplier_id=supplier.pk),
        {"title": "Late deliveries", "severity": "minor", "owner": str(buyer.pk), "note": "Three in a row"},
    )
    assert response.status_code == 302
    with tenant_scope(tenant):
        flag = RiskFlag.objects.get(title="Late deliveries")
    assert (flag.severity, flag.owner_id) == (Severity.MINOR, buyer.pk)
    refused = client.post(_url("risk_flag_close", risk_flag_id=flag.pk), {"note": ""}, follow=True)
    assert "Say how the risk was dealt with." in refused.content.decode()
    client.post(_url("risk_flag_close", risk_flag_id=flag.pk), {"note": "Back on time"})
    assert _flags(tenant) == [("Late deliveries", False)]
    tab = client.get(_url("supplier_risk", supplier_id=supplier.pk)).content.decode()
    assert "Closed flags" in tab and "Back on time" in tab


@pytest.mark.parametrize("role", [Role.QUALITY, Role.FINANCE, Role.EXECUTIVE, Role.AGENT])
def test_raise_and_close_are_forbidden_without_supplier_write(tenant: Tenant, make_member: Any, role: str) -> None:
    supplier = _supplier(tenant)
    flag = _flag(tenant, supplier)
    client = _client(make_member(tenant, role))
    with tenant_scope(tenant):
        before = AuditEvent.objects.count()
    assert (
        client.post(
            _url("supplier_risk_raise", supplier_id=supplier.pk), {"title": "x", "severity": "major"}
        ).status_code
        == 403
    )
    assert client.post(_url("risk_flag_close", risk_flag_id=flag.pk), {"note": "x"}).status_code == 403
    assert _flags(tenant) == [("Owner changed", True)]
    with tenant_scope(tenant):
        assert AuditEvent.objects.count() == before


def test_another_tenants_flag_and_supplier_are_missing(tenant: Tenant, other_tenant: Tenant, make_member: Any) -> None:
    theirs = _supplier(other_tenant, "Xiamen Peakline")
    flag = _flag(other_tenant, theirs)
    client = _client(make_member(tenant, Role.ADMIN))
    missing = "00000000-0000-7000-8000-000000000000"
    for name, kwargs, form in [
        ("risk_flag_close", {"risk_flag_id": flag.pk}, {"note": "x"}),
        ("supplier_risk_raise", {"supplier_id": theirs.pk}, {"title": "x", "severity": "major"}),
    ]:
        theirs_response = client.post(_url(name, **kwargs), form)
        missing_response = client.post(_url(name, **dict.fromkeys(kwargs, missing)), form)
        assert theirs_response.status_code == missing_response.status_code == 404
        assert _without_csrf(theirs_response.content) == _without_csrf(missing_response.content)
    assert client.get(_url("supplier_risk", supplier_id=theirs.pk)).status_code == 404
    assert _flags(other_tenant) == [("Owner changed", True)]


def test_list_filters(tenant: Tenant, make_member: Any) -> None:
    buyer = make_member(tenant, Role.BUYER)
    a, b = _supplier(tenant, "Alpha Co"), _supplier(tenant, "Beta Co", province="Xinjiang")
    _flag(tenant, a, title="Alpha manual", severity=Severity.MINOR, owner_id=buyer.pk)
    closed = _flag(tenant, a, title="Alpha closed")
    with tenant_scope(tenant):
        services.risk_region_refresh(tenant=tenant, by=SYSTEM, supplier_id=b.pk)
        services.risk_flag_close(tenant=tenant, by=SYSTEM, flag_id=closed.pk, note="Done")
    client = _client(buyer)

    def titles(**query: str) -> list[str]:
        body = client.get(_url("risk_flag_list"), query).content.decode()
        return [t for t in ("Alpha manual", "Alpha closed", "high-risk region (") if t in body]

    assert titles() == ["Alpha manual", "high-risk region ("]
    assert titles(kind="region") == ["high-risk region ("]
    assert titles(severity="minor") == ["Alpha manual"]
    assert titles(owner=str(buyer.pk)) == ["Alpha manual"]
    assert titles(owner="none") == ["high-risk region ("]
    assert titles(state="closed") == ["Alpha closed"]
    assert titles(state="all") == ["Alpha manual", "Alpha closed", "high-risk region ("]
    assert _client(make_member(tenant, Role.AGENT)).get(_url("risk_flag_list")).status_code == 403


def test_list_runs_a_constant_number_of_queries(
    tenant: Tenant, make_member: Any, django_assert_num_queries: Any
) -> None:
    buyer = make_member(tenant, Role.BUYER)
    client = _client(buyer)

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            _flag(tenant, _supplier(tenant, f"Supplier {i:03d}"), owner_id=buyer.pk)

    grow(1, 3)
    client.get(_url("risk_flag_list"))  # warm: session and content types
    with django_assert_num_queries(EXPECTED_LIST):
        assert client.get(_url("risk_flag_list")).status_code == 200
    grow(4, 3)
    with django_assert_num_queries(EXPECTED_LIST):
        body = client.get(_url("risk_flag_list")).content.decode()
    assert body.count("Supplier 00") == 6


# The fixed cost of a tenant page, the owner choices, the page count, and the page of flags with suppliers and
# owners.
EXPECTED_LIST = 16


def test_short_labels_in_the_lists_do_not_break_between_characters(tenant: Tenant, make_member: Any) -> None:
    """Chinese breaks anywhere: a kind or a state squeezed into a narrow column would read 供应依 / 赖."""
    member = make_member(tenant, Role.QUALITY)
    member.user.language = "zh-hans"
    member.user.save(update_fields=["language"])
    supplier = _supplier(tenant)
    _flag(tenant, supplier)
    client = _client(member)
    listing = client.get(_url("risk_flag_list")).content.decode()
    assert '<td class="nowrap">手动</td>' in listing
    assert '<td class="nowrap">未完成</td>' in listing
    tab = client.get(_url("supplier_risk", supplier_id=supplier.pk)).content.decode()
    assert '<td class="nowrap">手动</td>' in tab
