"""One error format for every API error:

{"error": {"status": 404, "code": "not_found", "message": "Not found.", "fields": {}}}
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from sourcing.errors import DomainError


def too_large_body() -> dict[str, Any]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    message = _("The request body is too large: at most %(size)s of JSON (send files as multipart uploads).")
    return error_body(413, "request_too_large", message % {"size": filesizeformat(limit)})


def error_body(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(detail, dict):
        fields = {str(k): [str(e) for e in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
        general = fields.pop("non_field_errors", [])
        message = general[0] if general else "Some fields are not valid."
        if general:
            fields["non_field_errors"] = general
        return message, fields
    if isinstance(detail, list):
        return (str(detail[0]) if detail else "Invalid input."), {}
    return str(detail), {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = error_body(exc.status, exc.code, exc.message, exc.fields)
        if exc.details is not None:
            body["error"]["details"] = exc.details
        return Response(body, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    message, fields = _flatten(exc.detail)
    code = exc.get_codes() if not isinstance(exc.detail, (dict, list)) else "invalid"
    response.data = error_body(response.status_code, str(code), message, fields)
    return response


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """What Django answers itself before a view runs (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many
    fields, a disallowed host), in the API's format."""
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(too_large_body(), status=413)
    message = _("Bad request.") if isinstance(exception, SuspiciousOperation) or exception is None else str(exception)
    return JsonResponse(error_body(400, "bad_request", message), status=400)


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(404, "not_found", "Not found."), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(500, "server_error", "Internal server error."), status=500)
