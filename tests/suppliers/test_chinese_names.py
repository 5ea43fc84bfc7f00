"""A supplier proposed from its registered Chinese name alone (the name on its business licence, 营业执照): the
portal and the partner API take it, the duplicate check compares it, every page shows it while there is no
English name, and the buyer adds the English name later."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.models import Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier
from suppliers.names import display_name, name_key
from suppliers.services.master import supplier_create
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

LICENCE_NAME = "宁波永辉家居用品有限公司"


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _token(tenant: Tenant, agent: Membership) -> APIClient:
    with tenant_scope(tenant):
        _t, raw = partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name="Laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {raw}")
    return client


def test_the_display_name_is_the_english_name_else_the_registered_chinese_one() -> None:
    assert display_name("Ningbo Yonghui Housewares Co., Ltd.", LICENCE_NAME) == "Ningbo Yonghui Housewares Co., Ltd."
    assert display_name("", LICENCE_NAME) == LICENCE_NAME
    assert display_name("  ", f" {LICENCE_NAME} ") == LICENCE_NAME


def test_chinese_name_keys_ignore_spaces_between_characters() -> None:
    assert name_key("宁波 永辉 家居用品 有限公司") == name_key(LICENCE_NAME) == "宁波永辉家居用品"
    assert name_key("（宁波）永辉家居用品股份有限公司") == "宁波永辉家居用品"


def test_an_agent_proposes_from_the_chinese_name_alone_in_the_portal(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    agent.user.language = "zh-hans"
    agent.user.save(update_fields=["language"])
    client = _client(agent)
    response = client.post(
        "/t/acme/portal/suppliers/propose/",
        {"local_name": LICENCE_NAME, "supplier_type": "manufacturer", "country": "CN", "province": "Zhejiang"},
    )
    assert response.status_code == 302, response.content.decode()
    with tenant_scope(tenant):
        supplier = Supplier.objects.get()
    assert (supplier.legal_name, supplier.local_name, supplier.proposed_by_id) == ("", LICENCE_NAME, agent.pk)
    home = client.get("/t/acme/portal/").content.decode()
    detail = client.get(response["Location"]).content.decode()
    assert LICENCE_NAME in home and f"<h1>{LICENCE_NAME}</h1>" in detail
    # with no English name the registered name is the name: shown once, not again as a subtitle
    assert f'<span class="cell-sub" lang="zh-Hans">{LICENCE_NAME}</span>' not in home
    assert f'<span lang="zh-Hans">{LICENCE_NAME}</span> ·' not in detail


def test_a_proposal_without_any_name_is_refused_naming_the_field(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    response = _client(agent).post(
        "/t/acme/portal/suppliers/propose/",
        {"local_name": "", "legal_name": "", "supplier_type": "manufacturer", "country": "CN"},
    )
    assert response.status_code == 200
    assert "Give the English legal name or the registered Chinese name." in response.content.decode()
    api = _token(tenant, agent).post("/api/partner/v1/supplier-proposals/", {"city": "Yiwu"}, format="json")
    assert api.status_code == 400 and "legal_name" in str(api.json())
    with tenant_scope(tenant):
        assert not Supplier.objects.exists()


def test_the_partner_api_takes_a_proposal_with_the_chinese_name_alone(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    client = _token(tenant, agent)
    response = client.post(
        "/api/partner/v1/supplier-proposals/",
        {"local_name": LICENCE_NAME, "city": "Ningbo", "supplier_type": "manufacturer"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["legal_name"], body["local_name"], body["display_name"]) == ("", LICENCE_NAME, LICENCE_NAME)
    listed = client.get("/api/partner/v1/suppliers/").json()["results"]
    assert [row["display_name"] for row in listed] == [LICENCE_NAME]


def test_the_duplicate_check_compares_the_chinese_name(tenant: Tenant, make_member: Any) -> None:
    with tenant_scope(tenant):
        known = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name="Ningbo Yonghui Housewares", local_name=LICENCE_NAME),
        )
    agent = make_member(tenant, Role.AGENT)
    response = _token(tenant, agent).post(
        "/api/partner/v1/supplier-proposals/",
        {"local_name": "宁波 永辉家居用品股份有限公司"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"candidates": [], "other_match": True}
    with tenant_scope(tenant):
        assert list(Supplier.objects.values_list("pk", flat=True)) == [known.pk]


def test_the_buyer_sees_the_chinese_name_approves_it_and_adds_the_english_name_later(
    tenant: Tenant, make_member: Any, api_client: Any
) -> None:
    agent = make_member(tenant, Role.AGENT)
    response = _token(tenant, agent).post(
        "/api/partner/v1/supplier-proposals/", {"local_name": LICENCE_NAME}, format="json"
    )
    supplier_id = response.json()["id"]
    buyer, quality = _client(make_member(tenant, Role.BUYER)), _client(make_member(tenant, Role.QUALITY))
    assert LICENCE_NAME in buyer.get("/t/acme/suppliers/").content.decode()
    profile = buyer.get(f"/t/acme/suppliers/{supplier_id}/").content.decode()
    assert f"<h1>{LICENCE_NAME}</h1>" in profile
    assert f'<span lang="zh-Hans">{LICENCE_NAME}</span> ·' not in profile
    internal = api_client().get(f"/api/v1/suppliers/{supplier_id}/").json()
    assert (internal["legal_name"], internal["display_name"]) == ("", LICENCE_NAME)
    url = f"/t/acme/suppliers/{supplier_id}/status/"
    for client, action in ((buyer, "start"), (quality, "approve")):
        moved = client.post(url, {"action": action}, follow=True).content.decode()
        assert "The supplier is now" in moved, moved
    edit = buyer.post(
        f"/t/acme/suppliers/{supplier_id}/edit/",
        {
            "legal_name": "Ningbo Yonghui Housewares Co., Ltd.",
            "local_name": LICENCE_NAME,
            "supplier_type": "manufacturer",
            "tier": "transactional",
            "country": "CN",
        },
    )
    assert edit.status_code == 302, edit.content.decode()
    with tenant_scope(tenant):
        supplier = Supplier.objects.get(pk=supplier_id)
    assert supplier.status == "approved"
    assert supplier.display_name == "Ningbo Yonghui Housewares Co., Ltd."


def test_a_chinese_reader_reads_the_registered_chinese_name_first() -> None:
    assert display_name("Ningbo Yonghui Housewares Co., Ltd.", LICENCE_NAME, chinese_first=True) == LICENCE_NAME
    assert display_name("Ningbo Yonghui Housewares Co., Ltd.", "", chinese_first=True) == (
        "Ningbo Yonghui Housewares Co., Ltd."
    )


def test_the_second_name_is_the_one_not_shown_first_in_each_language() -> None:
    supplier = Supplier(legal_name="Ningbo Yonghui Housewares Co., Ltd.", local_name=LICENCE_NAME)
    with translation.override("en"):
        assert (supplier.display_name, supplier.second_name) == ("Ningbo Yonghui Housewares Co., Ltd.", LICENCE_NAME)
    with translation.override("zh-hans"):
        assert (supplier.display_name, supplier.second_name) == (LICENCE_NAME, "Ningbo Yonghui Housewares Co., Ltd.")
    with translation.override("zh-hans"):
        assert Supplier(legal_name="", local_name=LICENCE_NAME).second_name == ""
