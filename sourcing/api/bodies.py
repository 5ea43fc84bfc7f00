"""Reading JSON bodies in endpoints that hand them to a service as sent: the shape is checked here, every value
by the service, and each problem is named by its field in the one error format."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from sourcing.errors import DomainError


def json_body(request: Request, allowed: list[str] | type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """The request's JSON object; keys other than ``allowed`` (names, or the fields of the serializer the
    schema shows for the body) are refused by name."""
    if isinstance(allowed, type):
        allowed = list(allowed().fields)
    data = request.data
    if not isinstance(data, dict):
        raise DomainError(_("Send a JSON object."))
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown field."), fields={name: [_("Unknown field.")] for name in unknown})
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
