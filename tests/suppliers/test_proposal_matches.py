"""An agent cannot probe the supplier base through proposals: answers that another supplier may be the same
company are few per agent (then 429 in the API, a message on the page), and each proposal that hits another
supplier's credit code, website or phone is in the audit log, without the agent being told which supplier."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.models import AuditEvent, Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from suppliers.services.master import supplier_create
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

API = "/api/partner/v1/supplier-proposals/"
PAGE = "/t/acme/portal/suppliers/propose/"


def _valid_uscc() -> str:
    from suppliers.identifiers import uscc_check_character

    body = "91330200MA2H4XKJ3"
    return body + uscc_check_character(body)


CODE = _valid_uscc()


@pytest.fixture
def known(tenant: Tenant) -> Supplier:
    with tenant_scope(tenant):
        return supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(
                legal_name="Hidden Factory Holdings Co., Ltd.",
                credit_code=CODE,
                website="https://www.hidden-factory.example",
                phone="+86 574 8888 1234",
            ),
            allow_duplicates=True,
        )


def _token(tenant: Tenant, agent: Membership) -> APIClient:
    with tenant_scope(tenant):
        _t, raw = partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name="Laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {raw}")
    return client


def _probes(tenant: Tenant) -> list[AuditEvent]:
    with tenant_scope(tenant):
        return list(AuditEvent.objects.filter(action="supplier.proposal_matched_other").order_by("id"))


def _suppliers(tenant: Tenant) -> int:
    with tenant_scope(tenant):
        return Supplier.objects.count()


def test_the_api_answers_few_other_matches_per_agent_then_429(
    tenant: Tenant, make_member: Any, known: Supplier, settings: Any
) -> None:
    settings.SUPPLIER_PROPOSAL_MATCH_RATE = "2/hour"
    agent = make_member(tenant, Role.AGENT, email="li@bridge.test")
    client = _token(tenant, agent)
    # two probes by identifier are answered, and recorded with the agent and the field that hit
    by_code = client.post(API, {"legal_name": "Probe One Co., Ltd.", "credit_code": CODE}, format="json")
    by_phone = client.post(API, {"legal_name": "Probe Two Co., Ltd.", "phone": "+86 574 8888 1234"}, format="json")
    for response in (by_code, by_phone):
        assert response.status_code == 409
        assert response.json()["error"]["details"] == {"candidates": [], "other_match": True}
        assert "Hidden Factory" not in response.content.decode() and str(known.pk) not in response.content.decode()
    events = _probes(tenant)
    after = [e.after or {} for e in events]
    assert [a["fields"] for a in after] == [["credit_code"], ["phone"]]
    assert {e.actor_id for e in events} == {agent.user_id}
    assert after[0]["agent"] and after[0]["suppliers"] == [str(known.pk)]
    # then any checked proposal is refused, whether it would match or not, and nothing is written
    for body in (
        {"legal_name": "Probe Three Co., Ltd.", "website": "hidden-factory.example"},
        {"legal_name": "Yiwu Sunrise Crafts Co., Ltd."},
    ):
        refused = client.post(API, body, format="json")
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["code"] == "throttled" and "Too many of your proposals" in error["message"]
        assert "other_match" not in refused.content.decode()
    assert _suppliers(tenant) == 1 and len(_probes(tenant)) == 2
    # another agent has their own count; a confirmed proposal (no check, so nothing to learn) still goes through
    other = _token(tenant, make_member(tenant, Role.AGENT, email="chen@bridge.test"))
    assert (
        other.post(API, {"legal_name": "Probe Four Co., Ltd.", "credit_code": CODE}, format="json").status_code == 409
    )
    confirmed = client.post(
        API, {"legal_name": "Yiwu Sunrise Crafts Co., Ltd.", "allow_duplicates": True}, format="json"
    )
    assert confirmed.status_code == 201


def test_a_name_match_counts_but_is_not_an_identifier_probe(
    tenant: Tenant, make_member: Any, known: Supplier, settings: Any
) -> None:
    settings.SUPPLIER_PROPOSAL_MATCH_RATE = "1/hour"
    client = _token(tenant, make_member(tenant, Role.AGENT))
    body = {"legal_name": "HIDDEN FACTORY HOLDINGS COMPANY LIMITED"}
    assert client.post(API, body, format="json").status_code == 409
    assert _probes(tenant) == []
    assert client.post(API, body, format="json").status_code == 429


def test_an_assigned_match_is_not_a_probe(tenant: Tenant, make_member: Any, known: Supplier, settings: Any) -> None:
    from sourcing.services import agent_assign

    settings.SUPPLIER_PROPOSAL_MATCH_RATE = "1/hour"
    agent = make_member(tenant, Role.AGENT)
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=known)
    client = _token(tenant, agent)
    for _ in range(2):
        response = client.post(API, {"legal_name": "Probe Co., Ltd.", "credit_code": CODE}, format="json")
        assert response.status_code == 409 and response.json()["error"]["details"]["other_match"] is False
    assert _probes(tenant) == []


def test_the_portal_page_refuses_with_a_message_past_the_rate(
    tenant: Tenant, make_member: Any, known: Supplier, settings: Any
) -> None:
    settings.SUPPLIER_PROPOSAL_MATCH_RATE = "1/hour"
    agent = make_member(tenant, Role.AGENT)
    client = Client()
    client.force_login(agent.user)
    form = {"legal_name": "Probe One Co., Ltd.", "supplier_type": "manufacturer", "country": "CN"}
    first = client.post(PAGE, {**form, "website": "http://hidden-factory.example/"}).content.decode()
    assert "may be the same company is already known" in first and "Hidden Factory" not in first
    assert [(e.after or {})["fields"] for e in _probes(tenant)] == [["website"]]
    second = client.post(PAGE, {**form, "legal_name": "Yiwu Sunrise Crafts Co., Ltd."})
    body = second.content.decode()
    assert second.status_code == 200
    assert "Too many of your proposals" in body and "may be the same company is already known" not in body
    assert _suppliers(tenant) == 1


def test_the_refusal_is_in_chinese_for_a_chinese_agent(
    tenant: Tenant, make_member: Any, known: Supplier, settings: Any
) -> None:
    from django.utils import translation

    from suppliers.services.proposal_matches import TooManyMatches, proposal_matches_check

    settings.SUPPLIER_PROPOSAL_MATCH_RATE = "0/hour"
    agent = make_member(tenant, Role.AGENT)
    with translation.override("zh-hans"), pytest.raises(TooManyMatches) as refused:
        proposal_matches_check(by=Actor.for_membership(agent))
    assert refused.value.status == 429 and "过多" in refused.value.message
