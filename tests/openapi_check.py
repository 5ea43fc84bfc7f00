"""Every API response a test produces is checked against the published OpenAPI schema of its API.

Registered from ``tests/conftest.py``. Each API's schema is generated once per session with the same
generator, URL list and settings its schema endpoint serves (read from that endpoint's view), and turned into
an openapi-core object once. An autouse fixture wraps ``django.test.Client.request`` (DRF's ``APIClient`` goes
through it too), so any answer under ``/api/v1/`` or ``/api/partner/v1/`` that the schema does not promise (an
undocumented status code or content type, a null where the field is not nullable, a value outside an enum, a
missing required property) fails the test, naming the operation and the field. Streamed and file answers are
checked for status and content type only. The schema and docs pages themselves, and the catch-all JSON 404
for paths no API has, are not operations of either API.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.http import HttpRequest
from django.http.response import HttpResponseBase, StreamingHttpResponse
from django.test.client import Client
from django.urls import resolve, reverse
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import patched_settings
from jsonschema.exceptions import ValidationError as JsonSchemaError
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.media_types.finders import MediaTypeFinder
from openapi_core.templating.paths.exceptions import OperationNotFound, PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.templating.responses.finders import ResponseFinder
from openapi_core.validation.schemas import oas30_read_schema_validators_factory
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from werkzeug.datastructures import Headers, ImmutableMultiDict

# Each API's base path and the name of the URL that serves its schema.
APIS = {"/api/partner/v1/": "partner-api-schema", "/api/v1/": "api-schema"}
# Not operations of the API they sit under.
EXEMPT_URL_NAMES = frozenset(
    {"api-schema", "api-docs", "api-not-found", "partner-api-schema", "partner-api-docs", "partner-api-not-found"}
)
HOST_URL = "http://testserver"
# What a method no operation has may answer: refused credential or scope, throttled, or not allowed.
BEFORE_ROUTING = frozenset({401, 403, 405, 429})


class SchemaMismatch(AssertionError):
    pass


@functools.cache
def api_schema(schema_url_name: str) -> dict[str, Any]:
    """The schema the named endpoint serves, generated the way its view generates it."""
    view_func = resolve(reverse(schema_url_name)).func
    view = view_func.view_class(**view_func.view_initkwargs)
    urlconf = view.urlconf
    if isinstance(urlconf, (list, tuple)):  # as SpectacularAPIView.get wraps an explicit URL list
        urlconf = SimpleNamespace(urlpatterns=tuple(urlconf))
    with patched_settings(view.custom_settings):
        generator = view.generator_class(urlconf=urlconf, api_version=view.api_version, patterns=view.patterns)
        schema = generator.get_schema(request=None, public=view.serve_public)
    # Through the renderer the endpoint uses, so lazy strings, decimals and the like come out as served.
    rendered = OpenApiJsonRenderer().render(schema, renderer_context={})
    return json.loads(rendered)  # type: ignore[no-any-return]


@functools.cache
def openapi_for(schema_url_name: str) -> OpenAPI:
    return OpenAPI.from_dict(api_schema(schema_url_name))


@dataclass
class _Request:
    """The little of a request openapi-core needs to find the operation (the response is what is checked)."""

    method: str
    path: str
    host_url: str = HOST_URL
    path_pattern: str | None = None
    body: bytes = b""
    content_type: str = ""
    parameters: RequestParameters = field(
        default_factory=lambda: RequestParameters(
            query=ImmutableMultiDict(), header=Headers(), cookie=ImmutableMultiDict(), path={}
        )
    )


@dataclass
class _Response:
    status_code: int
    content_type: str
    data: bytes | None
    headers: Headers


def api_of(path: str) -> str | None:
    """The schema URL name of the API ``path`` belongs to, if any."""
    return next((name for prefix, name in APIS.items() if path.startswith(prefix)), None)


def check_response(request: HttpRequest, response: HttpResponseBase) -> None:
    """Raise ``SchemaMismatch`` when ``response`` to ``request`` is not what its API's schema promises."""
    schema_name = api_of(request.path)
    if schema_name is None:
        return
    match = getattr(request, "resolver_match", None) or resolve(request.path_info)
    if match.url_name in EXEMPT_URL_NAMES:
        return
    errors = list(response_errors(schema_name, request.method or "GET", request.path, response))
    if errors:
        raise SchemaMismatch(describe(schema_name, request.method or "GET", request.path, response, errors))


def response_errors(schema_name: str, method: str, path: str, response: HttpResponseBase) -> Iterator[str]:
    openapi = openapi_for(schema_name)
    # HEAD is GET without the body (the schema documents GET only).
    head = method.upper() == "HEAD"
    request = _Request(method="get" if head else method.lower(), path=path)
    try:
        found = APICallPathFinder(openapi.spec).find(request.method, f"{HOST_URL}{path}")
    except OperationNotFound:
        # The path is documented, the method is not. The credential, scope and throttle are checked before the
        # method is routed, so those refusals come first; then "method not allowed". Each in the error format.
        if response.status_code not in BEFORE_ROUTING:
            yield f"{method} is not documented for this path, yet it answered {response.status_code}"
        else:
            yield from _error_format_errors(openapi, response)
        return
    except PathError:
        yield "the path is not documented"
        return
    content_type = response.get("Content-Type", "") or ""
    if head or isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
        # Files and streams: the status and the content type, never the body.
        try:
            documented = ResponseFinder(found.operation / "responses").find(str(response.status_code))
        except ResponseNotFound:
            yield f"status {response.status_code} is not documented"
            return
        if "content" in documented:
            try:
                MediaTypeFinder(documented / "content").find(content_type)
            except MediaTypeNotFound:
                yield f"content type {content_type!r} is not documented for status {response.status_code}"
        return
    adapted = _Response(
        status_code=response.status_code,
        content_type=content_type,
        data=response.content,  # type: ignore[attr-defined]
        headers=Headers(list(response.items())),
    )
    for error in openapi.iter_response_errors(request, adapted):
        yield from _explain(error, response)


def _error_format_errors(openapi: OpenAPI, response: HttpResponseBase) -> Iterator[str]:
    content_type = response.get("Content-Type", "") or ""
    if not content_type.startswith("application/json"):
        yield f"content type {content_type!r} is not the error format's application/json"
        return
    error_schema = openapi.spec / "components" / "schemas" / "Error"
    try:
        oas30_read_schema_validators_factory.create(openapi.spec, error_schema).validate(
            json.loads(response.content)  # type: ignore[attr-defined]
        )
    except InvalidSchemaValue as invalid:
        for schema_error in invalid.schema_errors:
            yield from _field_errors(schema_error)


def _explain(error: Exception, response: HttpResponseBase) -> Iterator[str]:
    if isinstance(error, ResponseNotFound):
        yield f"status {response.status_code} is not documented (documented: {', '.join(error.availableresponses)})"
        return
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, (InvalidSchemaValue, MediaTypeNotFound)):
        cause = cause.__cause__
    if isinstance(cause, MediaTypeNotFound):
        yield (
            f"content type {cause.mimetype!r} is not documented for status {response.status_code} "
            f"(documented: {', '.join(cause.availableMimetypes)})"
        )
    elif isinstance(cause, InvalidSchemaValue):
        for schema_error in cause.schema_errors:
            yield from _field_errors(schema_error)
    else:
        yield f"{type(error).__name__}: {error}"


def _field_errors(error: JsonSchemaError) -> Iterator[str]:
    # oneOf/anyOf failures: the branches' own errors, or the deepest one, say what is wrong with which field.
    if error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            yield from _field_errors(deepest)
        else:
            branches = dict.fromkeys(e.message for e in error.context)
            yield f"{field_name(error.absolute_path)}: {' and '.join(branches)}"
        return
    yield f"{field_name(error.absolute_path)}: {error.message}"


def field_name(path: Any) -> str:
    """``results[0].assignee`` from a JSON path."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(the body)"


def describe(schema_name: str, method: str, path: str, response: HttpResponseBase, errors: list[str]) -> str:
    operation = _operation_id(schema_name, method, path)
    lines = [
        f"{method} {path} ({operation}) answered {response.status_code}, "
        f"which the schema served at {schema_name!r} does not promise:",
        *(f"  - {error}" for error in errors),
    ]
    if not getattr(response, "streaming", False):
        body = response.content.decode("utf-8", "replace")  # type: ignore[attr-defined]
        lines.append(f"  body: {body[:600]}{'…' if len(body) > 600 else ''}")
    return "\n".join(lines)


def _operation_id(schema_name: str, method: str, path: str) -> str:
    method = "get" if method.upper() == "HEAD" else method.lower()
    try:
        found = APICallPathFinder(openapi_for(schema_name).spec).find(method, f"{HOST_URL}{path}")
    except PathError:
        return "no operation"
    return (found.operation / "operationId").read_str(default="?")


@pytest.fixture(autouse=True)
def _api_responses_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Client.request

    def request(self: Client, **request: Any) -> Any:
        response = original(self, **request)
        wsgi_request = getattr(response, "wsgi_request", None)
        if wsgi_request is not None:
            check_response(wsgi_request, response)
        return response

    monkeypatch.setattr(Client, "request", request)
