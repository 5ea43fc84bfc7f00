"""Reading request bodies, the same way for every endpoint of both APIs: a key the body's serializer (the one
the schema shows) does not declare is refused by name, and a single-line text field (a name, a code, an ERP id)
refuses tab and line breaks, which only a multi-line field (declared with ``style=MULTI_LINE``) takes. Endpoints
that hand the body to a service as sent (``json_body``) are checked against the same serializer; every value
is then checked by the service, and each problem is named by its field in the one error format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from sourcing.errors import DomainError
from sourcing.text import control_character_error

# DRF's own mark of a text field shown as a text area: a description, a note, an address.
MULTI_LINE = {"base_template": "textarea.html"}


def input_errors(
    data: Any, fields: Mapping[str, serializers.Field[Any, Any, Any, Any]], *, unknown: bool = True
) -> dict[str, list[str]]:
    """What is wrong with a body's keys and single-line text against the serializer ``fields``, by field name.
    Unknown keys of nested objects (rows of a batch) are left to the handler, which reports them with the
    row's other problems."""
    if not isinstance(data, Mapping):
        return {}
    extra = sorted(set(data) - set(fields)) if unknown else []
    errors: dict[str, list[str]] = {name: [_("Unknown field.")] for name in extra}
    for name in sorted(set(data) & set(fields)):
        _check_value(name, data[name], fields[name], errors)
    return errors


def _check_value(path: str, value: Any, field: Any, errors: dict[str, list[str]]) -> None:
    if isinstance(field, serializers.ListSerializer):
        child: Any = field.child
        for i, item in enumerate(value if isinstance(value, list) else []):
            for key, problems in input_errors(item, child.fields, unknown=False).items():
                errors.setdefault(f"{path}[{i}].{key}", []).extend(problems)
    elif isinstance(field, serializers.Serializer):
        for key, problems in input_errors(value, field.fields, unknown=False).items():
            errors.setdefault(f"{path}.{key}", []).extend(problems)
    elif isinstance(field, serializers.ListField):
        for item in value if isinstance(value, list) else []:
            _check_value(path, item, field.child, errors)
    elif isinstance(field, serializers.CharField) and isinstance(value, str):
        error = control_character_error(value, multiline=field.style.get("base_template") == "textarea.html")
        if error and error not in errors.get(path, []):
            errors.setdefault(path, []).append(error)


class CheckedInputMixin:
    """For a serializer of a request body: unknown keys and line breaks in single-line text are refused by
    name before the fields are validated (DRF alone drops an unknown key without a word)."""

    def to_internal_value(self, data: Any) -> Any:
        errors = input_errors(data, self.fields)  # type: ignore[attr-defined]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class InputSerializer(CheckedInputMixin, serializers.Serializer[Any]):
    """A request body's serializer (see ``CheckedInputMixin``)."""


def json_body(
    request: Request, allowed: list[str] | serializers.Serializer[Any] | type[serializers.Serializer[Any]]
) -> dict[str, Any]:
    """The request's JSON object, checked against the serializer the schema shows for it (unknown keys,
    single-line text); a list of names only refuses keys other than those."""
    data = request.data
    if not isinstance(data, dict):
        raise DomainError(_("Send a JSON object."))
    if isinstance(allowed, type):
        errors = input_errors(data, allowed().fields)
    elif isinstance(allowed, serializers.Serializer):
        errors = input_errors(data, allowed.fields)
    else:
        errors = {name: [_("Unknown field.")] for name in sorted(set(data) - set(allowed))}
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    return dict(data)


def require_fields(data: dict[str, Any], names: list[str]) -> None:
    missing = [name for name in names if name not in data]
    if missing:
        raise DomainError(
            _("This field is required."), fields={name: [_("This field is required.")] for name in missing}
        )


def json_flag(data: dict[str, Any], name: str) -> bool:
    """The JSON boolean ``name`` of the body (false when absent). Anything but true or false is refused by
    name: a string "false" is not taken for yes."""
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise DomainError(_("Use true or false."), fields={name: [_("Use true or false.")]})
    return value
