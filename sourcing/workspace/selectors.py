"""Reads for the cross-app pages."""

from __future__ import annotations

from typing import Any

from sourcing.models import Agency, ApiKey, Membership
from sourcing.roles import Scope
from sourcing.selectors import audit_event_list, members_by_role
from suppliers.models import Supplier
from suppliers.selectors import master as supplier_selectors


def dashboard_for(*, membership: Membership) -> dict[str, Any]:
    """What a role's dashboard shows: real counts and recent activity, within what the role may read."""
    context: dict[str, Any] = {
        "supplier_count": Supplier.objects.count(),
        "suppliers_by_country": supplier_selectors.supplier_counts_by_country()[:8],
        "my_recent_events": audit_event_list(actor_id=membership.user_id)[:8],
    }
    if Scope.MEMBER_READ in membership.scopes:
        context["members_by_role"] = members_by_role()
        context["active_api_keys"] = ApiKey.objects.filter(revoked_at__isnull=True).count()
        context["agency_count"] = Agency.objects.count()
    if Scope.AUDIT_READ in membership.scopes:
        context["recent_events"] = audit_event_list()[:10]
    return context
