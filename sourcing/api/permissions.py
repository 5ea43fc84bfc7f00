"""One permission class: each endpoint declares the scope it needs per HTTP method."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sourcing.models import ApiKey

ANY_PRINCIPAL = "*"


class HasScope(BasePermission):
    message = "You do not have permission to do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        held = self.principal_scopes(request)
        if held is None:
            return False
        required: dict[str, str] = getattr(view, "required_scopes", {})
        method = request.method or ""
        # HEAD is a GET without the body: it needs what GET needs.
        scope = required.get("GET" if method == "HEAD" else method)
        if scope is None:
            # A method the view does not implement falls through to DRF's 405; any other is denied.
            return not _implements(view, method)
        if scope == ANY_PRINCIPAL:
            return True
        return scope in held

    def principal_scopes(self, request: Request) -> frozenset[str] | None:
        """The scopes the authenticated principal holds; None when it is not this API's kind of principal."""
        key = request.auth
        return key.effective_scopes if isinstance(key, ApiKey) else None


def _implements(view: Any, method: str) -> bool:
    action_map = getattr(view, "action_map", None)
    if action_map is not None:
        return method.lower() in action_map
    return hasattr(view, method.lower()) and method.lower() != "options"
