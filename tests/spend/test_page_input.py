"""Spend pages given malformed filters: a message on the page, never a 500; bad dates are said to be ignored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sourcing.models import Tenant
from sourcing.roles import Role
from sourcing.spend.services import imports as services
from sourcing.tenancy import tenant_scope
from tests.conftest import SYSTEM
from tests.spend.conftest import row


def _client(make_member: Any, tenant: Tenant) -> Client:
    client = Client()
    client.force_login(make_member(tenant, Role.BUYER).user)
    return client


def _url(name: str, tenant: Tenant) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug})


def _two_lines(tenant: Tenant) -> None:
    lines = [row(), row(invoice_number="INV-2", invoice_date="2026-03-20", cost_center="CC-9")]
    with tenant_scope(tenant):
        services.spend_lines_bulk(tenant=tenant, by=SYSTEM, lines=lines)


@pytest.mark.parametrize("page", ["spend_lines", "spend_overview", "spend_maverick", "vendor_list"])
@pytest.mark.parametrize("name", ["cost_center", "q"])
def test_a_nul_in_a_filter_is_ignored_with_a_message(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, page: str, name: str
) -> None:
    _two_lines(tenant)
    response = _client(make_member, tenant).get(_url(page, tenant), {name: "CC\x00-9"})
    assert response.status_code == 200
    text = response.content.decode()
    assert f"The filter “{name}” contains characters that are not allowed; it was ignored." in text
    assert "\x00" not in text


def test_a_control_character_in_a_filter_does_not_break_an_xlsx_export(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any
) -> None:
    _two_lines(tenant)
    response = _client(make_member, tenant).get(
        _url("spend_price_variance", tenant), {"format": "xlsx", "cost_center": "\x0b"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-13-01"}, "“2026-13-01” is not a date (YYYY-MM-DD); the date filter was ignored."),
        ({"date_to": "yesterday"}, "“yesterday” is not a date (YYYY-MM-DD); the date filter was ignored."),
        (
            {"date_from": "2026-03-31", "date_to": "2026-03-01"},
            "The start date is after the end date; the date filter was ignored.",
        ),
    ],
)
def test_bad_date_filters_are_said_to_be_ignored(
    tenant: Tenant, spend_world: dict[str, Any], make_member: Any, query: dict[str, str], message: str
) -> None:
    _two_lines(tenant)
    text = _client(make_member, tenant).get(_url("spend_lines", tenant), query).content.decode()
    assert message in text
    assert ("INV-1001" in text) and ("INV-2" in text)


def test_good_date_filters_say_nothing(tenant: Tenant, spend_world: dict[str, Any], make_member: Any) -> None:
    _two_lines(tenant)
    query = {"date_from": "2026-03-10", "date_to": "2026-03-31"}
    text = _client(make_member, tenant).get(_url("spend_lines", tenant), query).content.decode()
    assert "the date filter was ignored" not in text
    assert "INV-2" in text and "INV-1001" not in text
