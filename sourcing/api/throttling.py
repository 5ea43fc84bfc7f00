from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per key (API_THROTTLE_RATE), counted in the shared cache."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PartnerRateThrottle(ApiKeyRateThrottle):
    """Partner API requests per agent (the API keys' rate), whichever of their tokens they use: more tokens, or
    a fresh one, buy no more requests."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.auth is None:
            return None
        return self.cache_format % {"scope": "partner", "ident": getattr(request.auth, "membership_id", None)}
