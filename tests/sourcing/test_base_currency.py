"""The base currency changes only while nothing holds amounts in it: spend lines, findings, baselines, FX rates
and imports on their way are named in the refusal, on the settings page and in the API, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sourcing.errors import DomainError
from sourcing.models import AuditEvent, Tenant
from sourcing.roles import Role
from sourcing.services import tenant_update
from sourcing.spend.models import (
    Baseline,
    Finding,
    FxRate,
    ImportSource,
    ImportStatus,
    SpendImport,
    SpendLine,
    Vendor,
)
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM


def _spend_lines(tenant: Tenant) -> str:
    spend_import = SpendImport.objects.create(
        tenant=tenant, source=ImportSource.values[0], status=ImportStatus.SUCCEEDED
    )
    vendor = Vendor.objects.create(tenant=tenant, name="Ningbo Everbright", name_key="ningbo everbright")
    SpendLine.objects.create(
        tenant=tenant,
        spend_import=spend_import,
        vendor=vendor,
        invoice_date=date(2026, 3, 5),
        invoice_number="INV-1001",
        quantity=Decimal("100"),
        unit_price=Decimal("12.50"),
        currency="CNY",
        amount=Decimal("1250.00"),
        fx_rate=Decimal("0.138"),
        amount_base=Decimal("172.50"),
        classification="direct",
    )
    return "spend lines"


def _finding(tenant: Tenant) -> str:
    Finding.objects.create(
        tenant=tenant,
        kind="other",
        title="Consolidate pots",
        estimated_saving=Decimal("1200"),
        currency=tenant.base_currency,
    )
    return "findings"


def _baseline(tenant: Tenant) -> str:
    Baseline.objects.create(
        tenant=tenant,
        name="Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        currency="USD",
        total=Decimal("1000.00"),
        line_count=3,
    )
    return "baselines"


def _fx_rate(tenant: Tenant) -> str:
    FxRate.objects.create(tenant=tenant, currency="CNY", rate_date=date(2026, 3, 1), rate=Decimal("0.138"))
    return "FX rates"


def _running_import(tenant: Tenant) -> str:
    SpendImport.objects.create(tenant=tenant, source=ImportSource.values[0], status=ImportStatus.RUNNING)
    return "spend imports"


HOLDERS = {
    "spend lines": _spend_lines,
    "findings": _finding,
    "baselines": _baseline,
    "fx rates": _fx_rate,
    "running import": _running_import,
}


@pytest.fixture(params=list(HOLDERS))
def holder(request: Any, tenant: Tenant) -> str:
    """acme with one kind of row that holds USD amounts; returns the words the refusal names it by."""
    with tenant_scope(tenant):
        return HOLDERS[request.param](tenant)


def test_a_change_is_refused_naming_what_holds_base_amounts(tenant: Tenant, holder: str) -> None:
    # given acme holds amounts in USD, when an admin changes the base currency along with the name
    with tenant_scope(tenant), pytest.raises(DomainError) as caught:
        tenant_update(tenant=tenant, by=SYSTEM, base_currency="EUR", name="Acme Europe")
    # then the refusal names the field and what holds the amounts, and nothing was written or audited
    assert list(caught.value.fields) == ["base_currency"]
    message = caught.value.fields["base_currency"][0]
    assert holder in message
    assert "USD" in message and "EUR" in message
    tenant.refresh_from_db()
    assert (tenant.base_currency, tenant.name) == ("USD", "Acme Home Goods")
    with tenant_scope(tenant):
        assert not AuditEvent.objects.filter(action="tenant.update").exists()


def test_every_holder_is_named_at_once(tenant: Tenant) -> None:
    with tenant_scope(tenant):
        named = [make(tenant) for make in HOLDERS.values()]
        with pytest.raises(DomainError) as caught:
            tenant_update(tenant=tenant, by=SYSTEM, base_currency="EUR")
    message = caught.value.message
    assert all(words in message for words in named), message


def test_a_finished_import_without_lines_holds_nothing(tenant: Tenant) -> None:
    # a rejected import wrote nothing, so it holds no amounts
    with tenant_scope(tenant):
        SpendImport.objects.create(tenant=tenant, source=ImportSource.values[0], status=ImportStatus.FAILED)
        tenant_update(tenant=tenant, by=SYSTEM, base_currency="EUR")
    tenant.refresh_from_db()
    assert tenant.base_currency == "EUR"


def test_other_settings_still_change_while_amounts_exist(tenant: Tenant, holder: str) -> None:
    # the same currency, written as the form sends it, is no change of currency
    with tenant_scope(tenant):
        tenant_update(tenant=tenant, by=SYSTEM, base_currency="usd", name="Acme Europe", time_zone="Europe/Berlin")
        assert AuditEvent.objects.filter(action="tenant.update").count() == 1
    tenant.refresh_from_db()
    assert (tenant.base_currency, tenant.name, tenant.time_zone) == ("USD", "Acme Europe", "Europe/Berlin")


def test_a_tenant_without_base_amounts_changes_currency_and_it_is_audited(tenant: Tenant, other_tenant: Tenant) -> None:
    # another tenant's amounts are not acme's
    with tenant_scope(other_tenant):
        _spend_lines(other_tenant)
        _finding(other_tenant)
    with tenant_scope(tenant):
        tenant_update(tenant=tenant, by=SYSTEM, base_currency="EUR")
        event = AuditEvent.objects.get(action="tenant.update")
    assert (event.before["base_currency"], event.after["base_currency"]) == ("USD", "EUR")
    tenant.refresh_from_db()
    assert tenant.base_currency == "EUR"


def test_the_check_reads_the_stored_currency_not_a_stale_copy(tenant: Tenant) -> None:
    # given a copy of acme read before its currency changed to EUR, and then a finding raised in EUR
    stale = Tenant.objects.get(slug="acme")
    with tenant_scope(tenant):
        tenant_update(tenant=tenant, by=SYSTEM, base_currency="EUR")
        tenant.refresh_from_db()
        _finding(tenant)
    # when the stale copy asks for CNY, then the EUR amounts refuse it, named by the stored currency
    with tenant_scope(stale), pytest.raises(DomainError) as caught:
        tenant_update(tenant=stale, by=SYSTEM, base_currency="CNY")
    assert "from EUR to CNY" in caught.value.message
    tenant.refresh_from_db()
    assert tenant.base_currency == "EUR"


def test_settings_page_shows_the_refusal_on_the_field(
    tenant: Tenant, make_member: Callable[..., Any], holder: str
) -> None:
    admin = make_member(tenant, Role.ADMIN)
    client = Client()
    client.force_login(admin.user)
    response = client.post(
        reverse("tenant_settings", kwargs={"tenant_slug": "acme"}),
        {"name": "Acme Europe", "base_currency": "EUR", "time_zone": "UTC", "default_language": "en"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["base_currency"]
    assert holder in errors[0]
    assert holder in response.content.decode()
    tenant.refresh_from_db()
    assert (tenant.name, tenant.base_currency, tenant.time_zone) == ("Acme Home Goods", "USD", "America/Chicago")


def test_api_refuses_the_change_naming_the_field(
    tenant: Tenant, api_client: Callable[..., APIClient], holder: str
) -> None:
    response = api_client().patch("/api/v1/tenant/", {"base_currency": "EUR", "name": "Acme Europe"}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == ["base_currency"]
    assert holder in error["fields"]["base_currency"][0]
    tenant.refresh_from_db()
    assert (tenant.name, tenant.base_currency) == ("Acme Home Goods", "USD")
    with tenant_scope(tenant):
        assert not AuditEvent.objects.filter(action="tenant.update").exists()
