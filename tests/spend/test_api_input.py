"""Malformed input on the spend endpoints answers 400 in the one error format, naming the field."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sourcing.models import Tenant
from sourcing.spend.models import SpendImport, SpendLine
from sourcing.tenancy import tenant_scope
from tests.spend.conftest import csv_bytes, row


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    return dict(body["error"])


def _post_json(client: Any, path: str, body: str) -> Any:
    return client.post(path, data=body, content_type="application/json")


def test_a_nul_in_a_bulk_spend_line_names_the_line_and_column(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any
) -> None:
    body = json.dumps({"lines": [row(), row(description="Pot\u0000 24cm")]})
    error = _error(_post_json(api_client(), "/api/v1/spend/lines/bulk/", body), 400)
    assert list(error["fields"]) == ["lines[1].description"]
    with tenant_scope(tenant):
        assert not SpendLine.objects.exists() and not SpendImport.objects.exists()


def test_json_nested_a_thousand_deep_names_the_field(tenant: Tenant, api_client: Any) -> None:
    body = json.dumps({"lines": [{"description": "x"}]}).replace('"x"', "[" * 500 + "]" * 500)
    error = _error(_post_json(api_client(), "/api/v1/spend/lines/bulk/", body), 400)
    assert error["fields"] == {"lines": ["Nested more than 32 levels deep."]}


def test_a_mapping_that_is_not_an_id_is_refused_naming_it(
    tenant: Tenant, spend_world: dict[str, Any], api_client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile("spend.csv", csv_bytes([row()]))
    response = api_client().post(
        "/api/v1/spend/imports/", {"file": upload, "mapping": "not-a-uuid"}, format="multipart"
    )
    error = _error(response, 400)
    assert list(error["fields"]) == ["mapping"]
    with tenant_scope(tenant):
        assert not SpendImport.objects.exists()
