"""Partner pages for suppliers: an assigned supplier's profile, proposing a supplier, and what an agent is never
shown."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sourcing.models import Membership, Tenant
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import BankAccount, Supplier
from suppliers.services.master import supplier_create
from suppliers.services.sites_contacts import contact_save, site_save
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _supplier(
    tenant: Tenant, agent: Membership | None, name: str = "Ningbo Everbright Housewares Co., Ltd."
) -> Supplier:
    with tenant_scope(tenant):
        supplier = supplier_create(
            tenant=tenant,
            by=SYSTEM,
            fields=SupplierFields(legal_name=name, internal_notes="TARGET-PRICE-SECRET", risk_notes="RISK-SECRET"),
            allow_duplicates=True,
        )
        site_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Plant 2", province="Zhejiang")
        contact_save(tenant=tenant, by=SYSTEM, supplier_id=supplier.pk, name="Li Wei", wechat="liwei88")
        BankAccount.objects.create(
            tenant=tenant,
            supplier=supplier,
            account_name="X",
            bank_name="BANK-SECRET",
            account_number="6222020200112233",
        )
        if agent is not None:
            agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
    return supplier


def test_assigned_agent_sees_sites_and_contacts_and_nothing_internal(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    supplier = _supplier(tenant, agent)
    body = _client(agent).get(f"/t/acme/portal/suppliers/{supplier.pk}/").content.decode()
    assert "Plant 2" in body and "liwei88" in body
    for secret in ("TARGET-PRICE-SECRET", "RISK-SECRET", "BANK-SECRET", "6222020200112233"):
        assert secret not in body


def test_unassigned_agent_gets_the_missing_page(tenant: Tenant, make_member: Any) -> None:
    assigned = make_member(tenant, Role.AGENT, email="a@bridge.test")
    other = make_member(tenant, Role.AGENT, email="b@bridge.test")
    supplier = _supplier(tenant, assigned)
    client = _client(other)
    theirs = client.get(f"/t/acme/portal/suppliers/{supplier.pk}/")
    missing = client.get("/t/acme/portal/suppliers/00000000-0000-7000-8000-000000000000/")
    assert theirs.status_code == missing.status_code == 404


def test_agent_proposes_a_supplier(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    client = _client(agent)
    response = client.post(
        "/t/acme/portal/suppliers/propose/",
        {"legal_name": "Yiwu Sunrise Crafts Co., Ltd.", "supplier_type": "trading_company", "country": "CN"},
    )
    assert response.status_code == 302
    with tenant_scope(tenant):
        supplier = Supplier.objects.get()
    assert (supplier.status, supplier.proposed_by_id) == ("prospect", agent.pk)
    assert client.get(response["Location"]).status_code == 200


def test_a_proposal_like_an_unassigned_supplier_does_not_name_it(tenant: Tenant, make_member: Any) -> None:
    agent = make_member(tenant, Role.AGENT)
    _supplier(tenant, None, name="Hidden Factory Holdings Co., Ltd.")
    response = _client(agent).post(
        "/t/acme/portal/suppliers/propose/",
        {"legal_name": "HIDDEN FACTORY HOLDINGS COMPANY LIMITED", "supplier_type": "manufacturer", "country": "CN"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "may be the same company is already known" in body
    assert "Hidden Factory Holdings Co., Ltd." not in body
    assert "same name" not in body  # not even why it matched
    with tenant_scope(tenant):
        assert Supplier.objects.count() == 1


def test_internal_members_do_not_use_the_portal(tenant: Tenant, make_member: Any) -> None:
    response = _client(make_member(tenant, Role.BUYER)).get("/t/acme/portal/suppliers/propose/")
    assert response.status_code == 403
