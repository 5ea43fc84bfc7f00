"""What both APIs' OpenAPI schemas say beyond what drf-spectacular infers from the views: every operation's
error answers, in the one error format of ``sourcing.api.errors``, so generated clients get an error type.

One place for all of it (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) rather than a decorator on each view.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from sourcing.api.permissions import ANY_PRINCIPAL

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class ErrorDetailSerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="A stable code: `invalid`, `not_found`, `possible_duplicate`, …")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    # The metaclass takes declared fields off the class, so this does not clash with Serializer.fields at run time.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each offending input field (`lines[3].amount` in bulk bodies) with its messages; `{}` if none.",
    )
    details = serializers.JSONField(
        required=False,
        help_text="More about some errors, e.g. the candidates of a `possible_duplicate`.",
    )


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()


RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."},
}

# status → (when it is answered, extra response keys)
ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("The input is not valid: `error.fields` names each offending field.", {}),
    401: ("No credential, or one that is not valid (revoked, unknown, or of the other API).", {}),
    403: ("The credential does not hold the scope this operation needs.", {}),
    404: ("Not found: missing, or not yours. Another tenant's id answers exactly like a missing one.", {}),
    409: (
        "Conflicts with the current state (a move the lifecycle does not allow, a possible duplicate), "
        "or a request with the same `Idempotency-Key` is still running.",
        {},
    ),
    413: ("The request body is too large.", {}),
    415: ("The request body's content type is not accepted here.", {}),
    422: ("This `Idempotency-Key` was used before with another body.", {}),
    429: ("Too many requests for this credential.", {"headers": RETRY_AFTER}),
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, adding the error answers every operation can give, and the empty string
    to read-only text and choice fields whose model column may be blank."""

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        return super()._map_serializer_field(_as_answered(field), direction, bypass_extensions)

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(_as_answered(field), schema)

    def map_parsers(self) -> list[str]:
        """One request content type per operation: multipart when the body carries a file, JSON otherwise. The
        endpoints read more (a form without its file, JSON to be told the file is missing), but generated
        clients take one body type per operation and break on several types of one model."""
        media_types: list[str] = super().map_parsers()
        if len(media_types) <= 1:
            return media_types
        wanted = "multipart/form-data" if _has_file(self.get_request_serializer()) else "application/json"
        return [wanted] if wanted in media_types else media_types[:1]

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        responses: dict[str, Any] = operation["responses"]
        for status in self.error_statuses():
            description, extra = ERRORS[status]
            content = {"application/json": {"schema": dict(error)}}
            responses.setdefault(str(status), {"content": content, "description": description, **copy.deepcopy(extra)})
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self) -> list[int]:
        statuses = [400, 401, 404, 429]
        required: dict[str, str] = getattr(self.view, "required_scopes", {})
        if required.get(self.method) != ANY_PRINCIPAL:
            statuses.append(403)
        if self.method in UNSAFE:
            statuses.append(409)
        if self.method in WITH_BODY:
            statuses += [413, 415]
        if self.method == "POST":  # the idempotency guard is on POSTs
            statuses.append(422)
        return sorted(statuses)


def _as_answered(field: Any) -> Any:
    """DRF drops ``allow_blank`` from read-only model fields, yet the column may hold "" (no choice made, no
    e-mail given), and that is what the answer carries: the schema sees the field with ``allow_blank``."""
    if not _blank_in_model(field):
        return field
    field = copy.copy(field)
    field.allow_blank = True
    return field


def _has_file(serializer: Any) -> bool:
    if serializer is None or isinstance(serializer, dict):
        return False
    instance = force_instance(serializer)
    fields = getattr(instance, "fields", {})
    return any(isinstance(field, serializers.FileField) for field in fields.values())


def _blank_in_model(field: Any) -> bool:
    """A read-only text or choice field of a model serializer whose model column allows blank."""
    if not (field.read_only and isinstance(field, (serializers.CharField, serializers.ChoiceField))):
        return False
    source = field.source or ""
    if field.allow_blank or "." in source or source == "*":
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None:
        return False
    try:
        column = model._meta.get_field(source)
    except FieldDoesNotExist:
        return False
    return bool(column.blank) and isinstance(column, (models.CharField, models.TextField))


def postprocess_oas31(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Finish what the generator leaves in OpenAPI 3.0 form: ``nullable`` from hand-written schemas (the
    paginator's ``next``/``previous``) becomes a ``"null"`` type, and ``oneOf: [{}, {"type": "null"}]`` (any
    JSON value, or null) becomes ``{}``, which already admits null (as a ``oneOf`` it would match twice)."""
    _to_oas31(result)
    return result


def _to_oas31(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _to_oas31(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _to_oas31(value)
    if node.pop("nullable", False):
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            kind.append("null")
        elif kind is None and "oneOf" not in node and node:
            inner = {k: node.pop(k) for k in list(node) if k not in _OUTER_KEYS}
            node["oneOf"] = [inner, {"type": "null"}]
    one_of = node.get("oneOf")
    if isinstance(one_of, list) and {} in one_of:
        del node["oneOf"]


_OUTER_KEYS = frozenset({"readOnly", "writeOnly", "deprecated", "description", "title", "example", "default"})
