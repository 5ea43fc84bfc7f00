"""The schema check every API test runs under (``tests/openapi_check.py``) catches what the schema does not
promise, names the operation and the field, and lets through what it does; both schemas document the error
answers in the one error format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from rest_framework.test import APIClient

from sourcing.categories.api.categories import CategorySerializer
from tests.openapi_check import SchemaMismatch, api_schema, check_response

MakeClient = Callable[..., APIClient]
URL = "/api/v1/categories/"


@pytest.fixture
def category(api_client: MakeClient) -> tuple[APIClient, Any]:
    """A category created through the API, and its detail answer (itself checked against the schema)."""
    client = api_client()
    created = client.post(URL, {"code": "100", "name": "Kitchenware", "segment": "strategic"}, format="json")
    assert created.status_code == 201
    detail = client.get(f"{URL}{created.json()['id']}/")
    assert detail.status_code == 200
    return client, detail


def _mismatch(detail: Any, answer: Any) -> str:
    with pytest.raises(SchemaMismatch) as caught:
        check_response(detail.wsgi_request, answer)
    return str(caught.value)


def test_the_real_answer_passes(category: tuple[APIClient, Any]) -> None:
    _client, detail = category
    # the same body, answered again, is what the schema promises: no exception
    check_response(detail.wsgi_request, JsonResponse(detail.json()))
    streamed = StreamingHttpResponse(iter([b"{}"]), content_type="application/json")
    check_response(detail.wsgi_request, streamed)


def test_a_null_in_a_non_nullable_field_fails_naming_operation_and_field(category: tuple[APIClient, Any]) -> None:
    _client, detail = category
    body = detail.json() | {"name": None}
    message = _mismatch(detail, JsonResponse(body))
    assert "GET /api/v1/categories/" in message
    assert "(categories_retrieve)" in message
    assert "name: None is not of type 'string'" in message


def test_a_value_outside_the_enum_fails(category: tuple[APIClient, Any]) -> None:
    _client, detail = category
    message = _mismatch(detail, JsonResponse(detail.json() | {"segment": "critical"}))
    assert "(categories_retrieve)" in message
    assert "segment: 'critical' is not one of ['strategic', 'operational', 'transactional'] and" in message


def test_a_missing_required_property_fails(category: tuple[APIClient, Any]) -> None:
    _client, detail = category
    body = detail.json()
    del body["code"]
    assert "'code' is a required property" in _mismatch(detail, JsonResponse(body))


def test_an_undocumented_status_or_content_type_fails(category: tuple[APIClient, Any]) -> None:
    _client, detail = category
    assert "status 418 is not documented" in _mismatch(detail, JsonResponse(detail.json(), status=418))
    assert "content type 'text/html" in _mismatch(detail, HttpResponse("<p>hello</p>", content_type="text/html"))
    streamed = StreamingHttpResponse(iter([b"a,b\n"]), content_type="text/csv")
    assert "content type 'text/csv' is not documented" in _mismatch(detail, streamed)


def test_an_error_answer_must_be_in_the_error_format(category: tuple[APIClient, Any]) -> None:
    _client, detail = category
    check_response(detail.wsgi_request, JsonResponse({"error": _error(404)}, status=404))
    message = _mismatch(detail, JsonResponse({"detail": "Not found."}, status=404))
    assert "'error' is a required property" in message


def test_a_view_answering_off_schema_fails_the_test_at_the_request(
    category: tuple[APIClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a serializer that answers an unknown Kraljic position and a null id
    client, detail = category
    original = CategorySerializer.to_representation

    def broken(self: CategorySerializer, instance: Any) -> dict[str, Any]:
        return {**original(self, instance), "kraljic_position": "pivotal", "id": None}

    monkeypatch.setattr(CategorySerializer, "to_representation", broken)
    # when a test calls the API through the test client, then the call itself fails
    with pytest.raises(SchemaMismatch) as caught:
        client.get(detail.wsgi_request.path)
    message = str(caught.value)
    assert "(categories_retrieve) answered 200" in message
    assert "kraljic_position: 'pivotal' is not one of" in message
    assert "id: None is not of type 'string'" in message


def test_the_schema_pages_are_not_checked(db: Any) -> None:
    client = APIClient()
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/partner/v1/docs/").status_code == 200


@pytest.mark.parametrize("schema_name", ["api-schema", "partner-api-schema"])
def test_every_operation_documents_its_errors_in_the_one_format(schema_name: str) -> None:
    schema = api_schema(schema_name)
    error = {"$ref": "#/components/schemas/Error"}
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) > 10
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = {"400", "401", "404", "429"} | ({"409", "422"} if method == "post" else set())
        assert expected <= set(responses), (method, path)
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error, (method, path, status)
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]


def _error(status: int) -> dict[str, Any]:
    return {"status": status, "code": "not_found", "message": "Not found.", "fields": {}}
