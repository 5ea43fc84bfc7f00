"""What the base layout needs: navigation for the current role and the tenant switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _

from sourcing import selectors
from sourcing.roles import Scope

# (label, url name, scope): shown when the current membership holds the scope.
INTERNAL_NAV = [
    (_("Dashboard"), "dashboard", Scope.DASHBOARD_READ),
    (_("Suppliers"), "supplier_list", Scope.SUPPLIER_READ),
    (_("Categories"), "category_list", Scope.CATEGORY_READ),
    (_("Spend"), "spend_overview", Scope.SPEND_READ),
    (_("Findings"), "finding_list", Scope.SPEND_READ),
    (_("Spend set-up"), "fx_rate_list", Scope.SPEND_READ),
    (_("Landed cost"), "landed_cost_calculator", Scope.RFQ_READ),
    (_("Members"), "member_list", Scope.MEMBER_READ),
    (_("Agencies & agents"), "agency_list", Scope.AGENCY_READ),
    (_("API keys"), "api_key_list", Scope.APIKEY_MANAGE),
    (_("Webhooks"), "webhook_endpoint_list", Scope.WEBHOOK_MANAGE),
    (_("Audit log"), "audit_list", Scope.AUDIT_READ),
    (_("Settings"), "tenant_settings", Scope.TENANT_READ),
]
# Items that stand for a whole section of pages, by the path the section's pages share.
NAV_SECTIONS = {
    "fx_rate_list": ("spend/setup/",),
    "landed_cost_calculator": ("rfq/landed-cost/", "rfq/setup/"),
    "spend_overview": ("spend/",),
    "finding_list": ("spend/findings/", "spend/baselines/"),
    "category_list": ("categories/",),
    "supplier_list": ("suppliers/",),
    "webhook_endpoint_list": ("admin/webhooks/",),
}
PORTAL_NAV = [
    (_("My assignments"), "portal_home", Scope.PORTAL),
    (_("Propose a supplier"), "portal_supplier_propose", Scope.PORTAL),
    (_("My audits"), "portal_audit_list", Scope.PORTAL),
    (_("API access"), "portal_api_access", Scope.PORTAL),
]
# The pages of the suppliers section that are not about one supplier, as a strip of tabs above them.
SUPPLIER_AREA = [
    (_("Suppliers"), "supplier_list"),
    (_("Qualification board"), "qualification_board"),
    (_("Possible duplicates"), "supplier_duplicates"),
    (_("Expiring certificates"), "certificate_expiring"),
    (_("Audits"), "factory_audit_list"),
    (_("Audit findings"), "audit_finding_list"),
    (_("Overdue onboarding"), "onboarding_overdue"),
    (_("Risk flags"), "risk_flag_list"),
    (_("Bank detail changes"), "bank_change_list"),
    (_("Audit checklists"), "audit_template_list"),
    (_("Onboarding checklists"), "onboarding_template_list"),
]


def _area_tabs(request: HttpRequest, tenant: Any, membership: Any) -> list[dict[str, Any]]:
    match = request.resolver_match
    if match is None or "supplier_id" in match.kwargs or not request.path.startswith(f"/t/{tenant.slug}/suppliers/"):
        return []
    tabs = []
    for label, name in SUPPLIER_AREA:
        try:
            url = reverse(name, kwargs={"tenant_slug": tenant.slug})
        except NoReverseMatch:
            continue
        if getattr(resolve(url).func, "required_scope", None) not in membership.scopes:
            continue  # the page's own scope decides, so a tab never leads to a refusal
        tabs.append({"label": label, "url": url, "current": match.url_name == name})
    return tabs if any(t["current"] for t in tabs) else []


def shell(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    tenant = getattr(request, "tenant", None)
    context: dict[str, Any] = {"current_tenant": tenant, "current_membership": membership, "nav": []}
    if membership is not None and tenant is not None:
        items = PORTAL_NAV if membership.is_agent else INTERNAL_NAV
        nav: list[dict[str, Any]] = []
        for label, name, scope in items:
            if scope in membership.scopes:
                url = reverse(name, kwargs={"tenant_slug": tenant.slug})
                sections = [f"/t/{tenant.slug}/{p}" for p in NAV_SECTIONS.get(name, ())] or [url]
                nav.append({"label": label, "url": url, "sections": sections, "active": False})
        # The item with the longest section that starts this page's address: the spend cube lights "Spend", the
        # category rules (under spend/setup/) light "Spend set-up", a baseline lights "Findings".
        matches = [(len(p), i) for i in nav for p in i["sections"] if request.path.startswith(p)]
        if matches:
            max(matches, key=lambda m: m[0])[1]["active"] = True
        context["nav"] = nav
        context["is_portal"] = membership.is_agent
        if not membership.is_agent:
            context["area_tabs"] = _area_tabs(request, tenant, membership)
    user = getattr(request, "user", None)  # None on public API pages (no authentication there)
    if user is not None and user.is_authenticated:
        context["switcher"] = selectors.memberships_of_user(user)
    return context
