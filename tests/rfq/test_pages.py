"""The landed-cost pages as each role uses them: who may open and change what, the forms' lists typed one per
line, the calculator on the demo tables, and constant query counts on the lists."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rfq.models import DutyRate, LandedCostSettings, LaneRate
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from tests.rfq.conftest import EXAMPLE_BODY

MakeMember = Callable[..., Membership]
READERS = {Role.ADMIN, Role.CATEGORY_MANAGER, Role.BUYER, Role.FINANCE, Role.EXECUTIVE}
CONFIGURERS = {Role.ADMIN, Role.CATEGORY_MANAGER}


def _url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": "acme", **kwargs})


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.mark.parametrize("role", [*sorted(READERS), Role.QUALITY, Role.AGENT])
def test_who_reads_and_who_changes_the_tables(tenant: Tenant, make_member: MakeMember, role: str) -> None:
    client = _client(make_member(tenant, role))
    listing = client.get(_url("duty_rate_list"))
    assert listing.status_code == (200 if role in READERS else 403)
    assert client.get(_url("landed_cost_calculator")).status_code == (200 if role in READERS else 403)
    assert client.get(_url("duty_rate_create")).status_code == (200 if role in CONFIGURERS else 403)
    if role in READERS:
        add_link = _url("duty_rate_create")
        assert (add_link in listing.content.decode()) == (role in CONFIGURERS)


def test_duty_rate_form_reads_additional_duties_one_per_line(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    form = {
        "hts_prefix": "6109.10.00",
        "description": "T-shirts of cotton",
        "mfn_rate_pct": "16.5",
        "additional_duties": "Section 301 List 4A: 7.5\n\nSection 122: 10 %",
        "effective_from": "2026-02-24",
        "effective_to": "2026-07-23",
    }
    response = client.post(_url("duty_rate_create"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_scope(tenant):
        row = DutyRate.objects.get()
        assert row.additional_duties == [
            {"program": "Section 301 List 4A", "rate_pct": "7.5"},
            {"program": "Section 122", "rate_pct": "10"},
        ]
    # an overlapping row is refused on the form, naming the row in force
    again = client.post(_url("duty_rate_create"), form | {"effective_from": "2026-07-01", "effective_to": ""})
    assert again.status_code == 200
    assert "2026-02-24" in again.content.decode()
    bad = client.post(_url("duty_rate_edit", duty_rate_id=row.pk), form | {"additional_duties": "List 3 25"})
    assert "Line 1" in bad.content.decode()
    with tenant_scope(tenant):
        assert DutyRate.objects.count() == 1
        assert AuditEvent.objects.filter(action__startswith="duty_rate.").count() == 1


def test_lane_rate_form_and_delete(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    form = {
        "origin_port": "cnngb",
        "destination_port": "USLAX",
        "mode": "ocean",
        "currency": "USD",
        "per_40": "3000",
        "effective_from": "2026-01-01",
    }
    assert client.post(_url("lane_rate_create"), form).status_code == 302
    with tenant_scope(tenant):
        row = LaneRate.objects.get()
    assert row.origin_port == "CNNGB" and row.per_20 is None
    assert client.post(_url("lane_rate_delete", lane_rate_id=row.pk)).status_code == 302
    with tenant_scope(tenant):
        assert not LaneRate.objects.exists()


def test_settings_page_saves_for_configurers_and_shows_to_readers(tenant: Tenant, make_member: MakeMember) -> None:
    buyer = _client(make_member(tenant, Role.BUYER))
    page = buyer.get(_url("landed_cost_settings")).content.decode()
    assert "2026: 33.58 651.50" in page and "disabled" in page
    form = {
        "cost_of_capital_pct": "9",
        "insurance_rate_pct": "0.3",
        "insurance_cover_pct": "110",
        "charges_currency": "USD",
        "broker_fee": "175",
        "inland_charge": "800",
        "origin_charge": "0",
        "mpf_rate_pct": "0.3464",
        "hmf_rate_pct": "0.125",
        "mpf_limits": "2025: 32.71 634.62\n2026: 33.58 651.50",
        "cny_days_before": "10",
        "cny_days_after": "21",
    }
    assert buyer.post(_url("landed_cost_settings"), form).status_code == 403
    manager = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    assert manager.post(_url("landed_cost_settings"), form).status_code == 302
    with tenant_scope(tenant):
        row = LandedCostSettings.objects.get()
        assert (str(row.broker_fee), row.cny_days_before) == ("175.00", 10)
        assert AuditEvent.objects.filter(action="landed_cost_settings.update").count() == 1


def test_calculator_shows_every_component_of_the_worked_example(seeded: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(seeded, Role.BUYER))
    form = {k: v for k, v in EXAMPLE_BODY.items() if k != "payments"} | {"payments": "30, 75\n70%, 30"}
    page = client.post(_url("landed_cost_calculator"), form).content.decode()
    # money reads as everywhere else: the currency first, the figure grouped
    for figure in ("74,337.32", "14.8675", "174.90", "12,500.00", "173.20", "62.50", "476.72"):
        assert f"USD\u00a0{figure}" in page
    assert "5,000 units, FOB" in page
    assert "74337.32 USD" not in page
    wrong = client.post(_url("landed_cost_calculator"), form | {"hts_code": "9999"}).content.decode()
    assert "The duty table has no rate for this HTS number" in wrong


def _grow(tenant: Tenant, start: int, stop: int) -> None:
    with tenant_scope(tenant):
        for i in range(start, stop):
            day = datetime.date(2026, 1, 1)
            DutyRate.objects.create(
                tenant=tenant,
                hts_prefix=f"{10 + i}",
                mfn_rate_pct="1",
                additional_duties=[{"program": f"List {i}", "rate_pct": "7.5"}],
                effective_from=day,
            )
            LaneRate.objects.create(
                tenant=tenant,
                origin_port=f"CNA{i:02d}",
                destination_port="USLAX",
                mode="ocean",
                currency="USD",
                per_cbm="90",
                effective_from=day,
            )


# The fixed cost of every tenant page (session, user, tenant, membership, RLS settings, tenant switcher),
# the page count and the page's rows.
_EXPECTED = {"duty_rate_list": 15, "lane_rate_list": 15}
_LAST_ROW = {"duty_rate_list": "List 9", "lane_rate_list": "CNA09"}


@pytest.mark.parametrize("name", sorted(_EXPECTED))
def test_list_page_query_count_is_constant(
    tenant: Tenant, make_member: MakeMember, django_assert_num_queries: Any, name: str
) -> None:
    client = _client(make_member(tenant, Role.ADMIN))
    _grow(tenant, 0, 5)
    client.get(_url(name))  # warm: session and content types
    with django_assert_num_queries(_EXPECTED[name]):
        assert client.get(_url(name)).status_code == 200
    _grow(tenant, 5, 10)
    with django_assert_num_queries(_EXPECTED[name]):
        response = client.get(_url(name))
        assert response.status_code == 200
    assert _LAST_ROW[name] in response.content.decode()


def test_duty_list_reads_rates_and_periods_plainly(tenant: Tenant, make_member: MakeMember) -> None:
    client = _client(make_member(tenant, Role.CATEGORY_MANAGER))
    form = {
        "hts_prefix": "8481",
        "description": "Taps and valves",
        "mfn_rate_pct": "10",
        "additional_duties": "Section 301 List 3: 30",
        "effective_from": "2026-02-24",
        "effective_to": "2026-07-23",
    }
    assert client.post(_url("duty_rate_create"), form).status_code == 302
    page = client.get(_url("duty_rate_list")).content.decode()
    assert '<td class="num">10</td>' in page
    assert '<td class="num">40</td>' in page
    assert "E+" not in page
    # the period breaks between its two dates, never inside one
    assert '<span class="nowrap">2026-02-24</span> – <span class="nowrap">2026-07-23</span>' in page
