"""Malformed API input answers 400 (or 413) in the one error format, naming the field; never 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from sourcing.models import AuditEvent, Tenant
from sourcing.tenancy import tenant_scope
from suppliers.models import Supplier

ERROR_KEYS = {"status", "code", "message", "fields"}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status and body["error"]["message"]
    return dict(body["error"])


def _post_json(client: Any, path: str, body: str) -> Any:
    return client.post(path, data=body, content_type="application/json")


@pytest.mark.parametrize("text", ["Ningbo\u0000 Pots", "Ningbo\u000b Pots", "Ningbo\u0007", "Ningbo\u007f"])
def test_a_control_character_in_a_json_string_is_refused_naming_the_field(
    tenant: Tenant, api_client: Any, text: str
) -> None:
    body = json.dumps({"external_id": "ERP-1", "legal_name": text})
    error = _error(_post_json(api_client(), "/api/v1/suppliers/", body), 400)
    assert list(error["fields"]) == ["legal_name"]
    with tenant_scope(tenant):
        assert not Supplier.objects.exists()


def test_tab_and_line_breaks_pass_the_body_check(tenant: Tenant, api_client: Any) -> None:
    # Multi-line fields take them; whether a field does is the field's own rule.
    body = json.dumps({"external_id": "ERP-1", "legal_name": "Ningbo Pots", "capacity_notes": "two lines\r\n\tok"})
    response = _post_json(api_client(), "/api/v1/suppliers/", body)
    assert response.status_code == 201, response.content


def test_a_control_character_in_a_key_is_refused(tenant: Tenant, api_client: Any) -> None:
    error = _error(_post_json(api_client(), "/api/v1/suppliers/", json.dumps({"legal\u0001name": "x"})), 400)
    assert list(error["fields"]) == ["legal?name"]


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_refused(tenant: Tenant, api_client: Any, depth: int) -> None:
    body = '{"legal_name": ' + "[" * depth + "]" * depth + "}"
    error = _error(_post_json(api_client(), "/api/v1/suppliers/", body), 400)
    # Refused by the depth check, or by the parser itself when it runs out of stack first.
    assert (error["fields"] == {"legal_name": ["Nested more than 32 levels deep."]}) or (
        error["code"] == "parse_error" and error["message"] == "The JSON is nested too deeply."
    )


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/api/v1/audit-events/", "since", "2026-01-01T00:00:00-16:30"),
        ("/api/v1/audit-events/", "until", "2026-01-01T00:00:00+23:59"),
        ("/api/v1/suppliers/", "updated_since", "2026-01-01T00:00:00+16:00"),
    ],
)
def test_a_date_time_filter_with_a_far_offset_is_read_in_utc(
    tenant: Tenant, api_client: Any, path: str, name: str, value: str
) -> None:
    response = api_client().get(path, {name: value})
    assert response.status_code == 200, response.content


def test_a_far_offset_compares_as_the_same_instant(tenant: Tenant, api_client: Any) -> None:
    with tenant_scope(tenant):
        stamp = Supplier.objects.create(tenant=tenant, legal_name="Ningbo Pots").updated_at
    # The supplier's own instant written 16 hours ahead of UTC: updated at it, not after the next second.
    ahead = (stamp + timedelta(hours=16)).replace(tzinfo=None).isoformat() + "+16:00"
    later = (stamp + timedelta(hours=16, seconds=1)).replace(tzinfo=None).isoformat() + "+16:00"
    client = api_client()
    assert len(client.get("/api/v1/suppliers/", {"updated_since": ahead}).json()["results"]) == 1
    assert client.get("/api/v1/suppliers/", {"updated_since": later}).json()["results"] == []


@pytest.mark.parametrize(
    ("path", "name"),
    [("/api/v1/spend/lines/", "cost_center"), ("/api/v1/suppliers/", "q"), ("/api/v1/audit-events/", "action")],
)
def test_a_nul_in_a_query_parameter_is_refused_naming_it(tenant: Tenant, api_client: Any, path: str, name: str) -> None:
    error = _error(api_client().get(path, {name: "CC\x00-1"}), 400)
    assert list(error["fields"]) == [name]


def test_a_body_over_the_upload_limit_answers_413_in_the_error_format(
    tenant: Tenant, api_client: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"external_id": "ERP-1", "legal_name": "Pots", "capacity_notes": "x" * 6_000})
    error = _error(_post_json(api_client(), "/api/v1/suppliers/", body), 413)
    assert error["code"] == "request_too_large"
    with tenant_scope(tenant):
        assert not Supplier.objects.exists() and not AuditEvent.objects.filter(action__startswith="supplier").exists()
