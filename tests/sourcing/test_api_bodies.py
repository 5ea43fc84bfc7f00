"""Request bodies of both APIs are read one way: a key the endpoint's serializer (the schema's) does not declare
is a 400 naming it, whether the endpoint validates with DRF or hands the body to a service; single-line text
(names, codes, ERP ids) refuses tab and line breaks, multi-line text (notes, descriptions, addresses) takes them."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from sourcing.actors import Actor
from sourcing.api.bodies import CheckedInputMixin
from sourcing.models import Membership, Tenant
from sourcing.partner_tokens import partner_token_create
from sourcing.roles import Role
from sourcing.services import agent_assign
from sourcing.tenancy import tenant_scope
from suppliers.models import Certification, Supplier
from suppliers.services.master import supplier_create
from suppliers.services.supplier_fields import SupplierFields
from tests.conftest import SYSTEM

ROOT = Path(__file__).resolve().parents[2]
API_DIRS = ["sourcing", "suppliers"]
UNTIL = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()


def _fields_error(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert isinstance(fields, dict)
    return fields


def _supplier(tenant: Tenant) -> Supplier:
    with tenant_scope(tenant):
        return supplier_create(tenant=tenant, by=SYSTEM, fields=SupplierFields(legal_name="Ningbo Everbright"))


def _partner(tenant: Tenant, agent: Membership, supplier: Supplier) -> APIClient:
    with tenant_scope(tenant):
        agent_assign(tenant=tenant, by=SYSTEM, agent_membership_id=agent.pk, obj=supplier)
        _t, raw = partner_token_create(tenant=tenant, by=Actor.for_membership(agent), name="Laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Partner-Token {raw}")
    return client


def test_an_unknown_field_is_named_by_an_erp_endpoint_that_validates_with_a_serializer(
    tenant: Tenant, api_client: Any
) -> None:
    supplier = _supplier(tenant)
    body = {"supplier": str(supplier.pk), "cert_type": "iso_9001", "valid_until": UNTIL, "colour": "red"}
    fields = _fields_error(api_client().post("/api/v1/certifications/", body, format="json"))
    assert fields == {"colour": ["Unknown field."]}
    with tenant_scope(tenant):
        assert not Certification.objects.exists()


def test_an_unknown_field_is_named_by_an_erp_endpoint_that_hands_the_body_to_a_service(
    tenant: Tenant, api_client: Any
) -> None:
    body = {"external_id": "V-1", "legal_name": "Ningbo Everbright", "colour": "red"}
    fields = _fields_error(api_client().post("/api/v1/suppliers/", body, format="json"))
    assert fields == {"colour": ["Unknown field."]}


def test_an_unknown_field_is_named_by_the_partner_api(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    client = _partner(tenant, make_member(tenant, Role.AGENT), supplier)
    body = {"supplier": str(supplier.pk), "cert_type": "iso_9001", "valid_until": UNTIL, "internal_notes": "x"}
    fields = _fields_error(client.post("/api/partner/v1/certifications/", body, format="json"))
    assert fields == {"internal_notes": ["Unknown field."]}
    fields = _fields_error(
        client.post("/api/partner/v1/supplier-proposals/", {"legal_name": "X Co", "tier": "core"}, format="json")
    )
    assert fields == {"tier": ["Unknown field."]}
    with tenant_scope(tenant):
        assert not Certification.objects.exists()
        assert Supplier.objects.count() == 1


def test_an_unknown_field_is_named_by_the_settings_endpoint(tenant: Tenant, api_client: Any) -> None:
    fields = _fields_error(api_client().patch("/api/v1/tenant/", {"nmae": "Acme"}, format="json"))
    assert fields == {"nmae": ["Unknown field."]}


@pytest.mark.parametrize("text", ["Ningbo\nEverbright", "Ningbo\tEverbright", "Ningbo\r"])
def test_a_line_break_or_tab_in_a_single_line_field_is_refused_naming_it(
    tenant: Tenant, api_client: Any, text: str
) -> None:
    client = api_client()
    fields = _fields_error(client.post("/api/v1/suppliers/", {"external_id": "V-1", "legal_name": text}, format="json"))
    assert list(fields) == ["legal_name"]
    fields = _fields_error(
        client.post("/api/v1/suppliers/", {"external_id": text, "legal_name": "Ningbo"}, format="json")
    )
    assert list(fields) == ["external_id"]
    fields = _fields_error(
        client.post("/api/v1/suppliers/", {"legal_name": "Ningbo", "aliases": ["A", text]}, format="json")
    )
    assert list(fields) == ["aliases"]
    fields = _fields_error(client.post("/api/v1/categories/", {"code": text, "name": "Cookware"}, format="json"))
    assert list(fields) == ["code"]
    with tenant_scope(tenant):
        assert not Supplier.objects.exists()


def test_a_line_break_in_a_partner_single_line_field_is_refused(tenant: Tenant, make_member: Any) -> None:
    supplier = _supplier(tenant)
    client = _partner(tenant, make_member(tenant, Role.AGENT), supplier)
    fields = _fields_error(
        client.post("/api/partner/v1/supplier-proposals/", {"legal_name": "Yiwu\nSunrise"}, format="json")
    )
    assert list(fields) == ["legal_name"]
    body = {"supplier": str(supplier.pk), "cert_type": "iso_9001", "valid_until": UNTIL, "number": "A\t1"}
    fields = _fields_error(client.post("/api/partner/v1/certifications/", body, format="json"))
    assert list(fields) == ["number"]


def test_multi_line_fields_take_line_breaks(tenant: Tenant, api_client: Any) -> None:
    client = api_client()
    body = {
        "external_id": "V-1",
        "legal_name": "Ningbo Everbright",
        "address": "88 Jinhai Road\nBeilun District",
        "internal_notes": "first\n\tsecond",
    }
    response = client.post("/api/v1/suppliers/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["address"] == "88 Jinhai Road\nBeilun District"
    category = {"code": "COOK", "name": "Cookware", "description": "Pots\nand pans"}
    response = client.post("/api/v1/categories/", category, format="json")
    assert response.status_code == 201, response.content


def _serializers_fed_request_data() -> list[tuple[str, str]]:
    """(module path, serializer class name) of every ``XSerializer(..., data=request.data)`` in the apps."""
    found = []
    for directory in API_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                data = next((k.value for k in node.keywords if k.arg == "data"), None)
                if isinstance(data, ast.Attribute) and data.attr == "data" and node.func.id.endswith("Serializer"):
                    found.append((".".join(path.relative_to(ROOT).with_suffix("").parts), node.func.id))
    return found


def test_every_body_serializer_refuses_unknown_fields() -> None:
    """A new endpoint that validates its body with a plain DRF serializer (which drops unknown keys) fails here."""
    import importlib

    found = _serializers_fed_request_data()
    assert len(found) >= 10
    for module, name in found:
        serializer = getattr(importlib.import_module(module), name)
        assert issubclass(serializer, CheckedInputMixin), f"{module}.{name}"


def test_every_body_handed_to_a_service_is_checked_against_a_serializer() -> None:
    """``json_body`` is given the serializer the schema shows, not a list of names that can drift from it."""
    lists = []
    for directory in API_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "json_body"
                    and len(node.args) > 1
                    and isinstance(node.args[1], ast.List)
                    and node.args[1].elts
                ):
                    lists.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert lists == []
