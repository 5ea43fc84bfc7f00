"""API endpoints (registered by sourcing/urls.py from ``routes`` and ``api_patterns``)."""

from typing import Any

from django.urls import URLPattern

# (prefix, viewset, basename) for the router
routes: list[tuple[str, Any, str]] = []
# plain endpoints (APIView subclasses of sourcing.api.base.TenantAPIView)
api_patterns: list[URLPattern] = []
