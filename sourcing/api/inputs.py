"""Checks every API request's input before a handler sees it, so malformed input answers 400 in the one error
format, naming the field, instead of failing further down (PostgreSQL refuses NUL, spreadsheets refuse other
control characters, and a deeply nested body exhausts the stack)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from sourcing.text import control_character_error

# No request body of this API comes near this depth; a deeper one is refused before anything walks it.
MAX_JSON_DEPTH = 32


def check_query(request: Request) -> None:
    """Query-string values are single-line text (filters, search terms, ids)."""
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        for value in [name, *values]:
            error = control_character_error(value, multiline=False)
            if error:
                errors.setdefault(_safe_name(name), []).append(error)
                break
    if errors:
        raise exceptions.ValidationError(errors)


def check_body(request: Request) -> None:
    """Every string of the body (keys included) without control characters, at most ``MAX_JSON_DEPTH`` deep.
    The body may be sent to multi-line fields, so tab and line breaks are left to the fields to judge."""
    try:
        data = request.data
    except RecursionError as exc:
        raise exceptions.ParseError(_("The JSON is nested too deeply.")) from exc
    errors: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            error = control_character_error(value, multiline=True)
            if error:
                errors.setdefault(path or "non_field_errors", []).append(error)
            continue
        if not isinstance(value, (dict, list)) and not hasattr(value, "lists"):
            continue
        if depth >= MAX_JSON_DEPTH:
            message = _("Nested more than %(n)s levels deep.") % {"n": MAX_JSON_DEPTH}
            raise exceptions.ValidationError({path.split(".")[0].split("[")[0] or "non_field_errors": [message]})
        if isinstance(value, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
            continue
        # A form body (QueryDict) repeats a key for several values; each is named by the key alone.
        items = [(k, v) for k, values in value.lists() for v in values] if hasattr(value, "lists") else value.items()
        for key, item in items:
            key_text = str(key)
            child = f"{path}.{_safe_name(key_text)}" if path else _safe_name(key_text)
            error = control_character_error(key_text, multiline=False)
            if error:
                errors.setdefault(child, []).append(error)
                continue
            stack.append((child, item, depth + 1))
    if errors:
        raise exceptions.ValidationError(dict(sorted(errors.items())))


def _safe_name(name: str) -> str:
    """A field name as it can be shown back: control characters replaced, length bounded."""
    return "".join("?" if control_character_error(c, multiline=False) else c for c in name[:100])
