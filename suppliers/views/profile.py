"""The frame every tab of a supplier profile shares: the header (names, status, tier, type, open risk flags)
and the tab bar. Each tab is its own page in its subdomain's views module and renders a template that
extends ``suppliers/profile_base.html`` with the context ``profile_context`` returns."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sourcing.roles import Scope
from sourcing.web import TenantRequest
from suppliers.models import Supplier

# (key, label, url name, scope needed to see the tab)
TABS: list[tuple[str, Any, str, str]] = [
    ("overview", _("Overview"), "supplier_detail", Scope.SUPPLIER_READ),
    ("sites", _("Sites"), "supplier_sites", Scope.SUPPLIER_READ),
    ("contacts", _("Contacts"), "supplier_contacts", Scope.SUPPLIER_READ),
    ("certifications", _("Certifications"), "supplier_certifications", Scope.SUPPLIER_READ),
    ("documents", _("Documents"), "supplier_documents", Scope.SUPPLIER_READ),
    ("audits", _("Audits"), "supplier_audits", Scope.SUPPLIER_READ),
    ("onboarding", _("Onboarding"), "supplier_onboarding", Scope.SUPPLIER_READ),
    ("risk", _("Risk"), "supplier_risk", Scope.SUPPLIER_READ),
    ("bank", _("Bank details"), "supplier_bank", Scope.BANK_READ),
    ("activity", _("Activity"), "supplier_activity", Scope.SUPPLIER_READ),
]


def profile_context(request: TenantRequest, supplier: Supplier, tab: str, **extra: Any) -> dict[str, Any]:
    """The header and tab bar of ``supplier``'s profile with ``tab`` current, plus ``extra``."""
    from suppliers.services.risk import open_flags_by_supplier

    scopes = request.membership.scopes
    tabs = []
    for key, label, url_name, scope in TABS:
        if scope not in scopes:
            continue
        try:
            url = reverse(url_name, kwargs={"tenant_slug": request.tenant.slug, "supplier_id": supplier.pk})
        except NoReverseMatch:
            continue  # a tab whose page this installation does not have
        tabs.append({"key": key, "label": label, "url": url, "current": key == tab})
    return {
        "supplier": supplier,
        "tabs": tabs,
        "tab": tab,
        "open_flags": open_flags_by_supplier([supplier.pk])[supplier.pk],
        "can_write": Scope.SUPPLIER_WRITE in scopes,
        **extra,
    }
