"""What the base layout needs: navigation for the current role and the tenant switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sourcing import selectors
from sourcing.roles import Scope

# (label, url name, scope): shown when the current membership holds the scope.
INTERNAL_NAV = [
    (_("Dashboard"), "dashboard", Scope.DASHBOARD_READ),
    (_("Categories"), "category_list", Scope.CATEGORY_READ),
    (_("FX rates"), "fx_rate_list", Scope.SPEND_READ),
    (_("Members"), "member_list", Scope.MEMBER_READ),
    (_("Agencies & agents"), "agency_list", Scope.AGENCY_READ),
    (_("API keys"), "api_key_list", Scope.APIKEY_MANAGE),
    (_("Audit log"), "audit_list", Scope.AUDIT_READ),
    (_("Settings"), "tenant_settings", Scope.TENANT_READ),
]
PORTAL_NAV = [
    (_("My assignments"), "portal_home", Scope.PORTAL),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    tenant = getattr(request, "tenant", None)
    context: dict[str, Any] = {"current_tenant": tenant, "current_membership": membership, "nav": []}
    if membership is not None and tenant is not None:
        items = PORTAL_NAV if membership.is_agent else INTERNAL_NAV
        context["nav"] = [
            {
                "label": label,
                "url": reverse(name, kwargs={"tenant_slug": tenant.slug}),
                "active": request.resolver_match is not None and request.resolver_match.url_name == name,
            }
            for label, name, scope in items
            if scope in membership.scopes
        ]
        context["is_portal"] = membership.is_agent
    user = getattr(request, "user", None)  # None on public API pages (no authentication there)
    if user is not None and user.is_authenticated:
        context["switcher"] = selectors.memberships_of_user(user)
    return context
