"""Roles are data: each role maps to the scopes it holds. Views, endpoints and services name the scope they
need; ``sourcing.api.permissions.HasScope`` and ``sourcing.web.tenant_view`` read it; services check again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CATEGORY_MANAGER = "category_manager", _("Category manager")
    BUYER = "buyer", _("Buyer")
    QUALITY = "quality", _("Quality engineer")
    FINANCE = "finance", _("Finance")
    EXECUTIVE = "executive", _("Executive")
    AGENT = "agent", _("Sourcing agent")


INTERNAL_ROLES = frozenset(r for r in Role if r != Role.AGENT)


class Scope:
    ENTER = "tenant:enter"
    DASHBOARD_READ = "dashboard:read"
    TENANT_READ = "tenant:read"
    TENANT_WRITE = "tenant:write"
    MEMBER_READ = "member:read"
    MEMBER_WRITE = "member:write"
    AGENCY_READ = "agency:read"
    AGENCY_WRITE = "agency:write"
    APIKEY_MANAGE = "apikey:manage"
    AUDIT_READ = "audit:read"
    SUPPLIER_READ = "supplier:read"
    SUPPLIER_WRITE = "supplier:write"
    SUPPLIER_ASSIGN = "supplier:assign"
    SUPPLIER_QUALIFY = "supplier:qualify"  # lifecycle transitions: approve, reject, suspend, block, reinstate
    SUPPLIER_EVIDENCE = "supplier:evidence"  # certifications, documents, onboarding evidence
    SUPPLIER_AUDIT = "supplier:audit"  # plan and perform factory audits
    SUPPLIER_CONFIGURE = "supplier:configure"  # audit checklist and onboarding templates
    BANK_READ = "bank:read"
    BANK_WRITE = "bank:write"  # request a change of bank details, or approve someone else's
    CATEGORY_READ = "category:read"
    CATEGORY_WRITE = "category:write"
    SPEND_READ = "spend:read"
    SPEND_IMPORT = "spend:import"
    SPEND_WRITE = "spend:write"  # vendor links and merges, rules, mappings, baselines, findings
    FX_WRITE = "fx:write"
    RFQ_READ = "rfq:read"  # the landed-cost tables and the calculator
    RFQ_CONFIGURE = "rfq:configure"  # the duty table, freight lane rates and landed-cost settings
    WEBHOOK_MANAGE = "webhook:manage"  # outbound webhook endpoints, their secrets and delivery log
    PORTAL = "portal:access"


_INTERNAL_BASE = frozenset(
    {Scope.ENTER, Scope.DASHBOARD_READ, Scope.TENANT_READ, Scope.SUPPLIER_READ, Scope.CATEGORY_READ}
)
_SUPPLIER_ALL = frozenset(
    {
        Scope.SUPPLIER_WRITE,
        Scope.SUPPLIER_QUALIFY,
        Scope.SUPPLIER_EVIDENCE,
        Scope.SUPPLIER_AUDIT,
        Scope.SUPPLIER_CONFIGURE,
    }
)
_SPEND_ALL = frozenset({Scope.SPEND_READ, Scope.SPEND_IMPORT, Scope.SPEND_WRITE, Scope.FX_WRITE})
_RFQ_ALL = frozenset({Scope.RFQ_READ, Scope.RFQ_CONFIGURE})

ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.ADMIN: _INTERNAL_BASE
    | {
        Scope.TENANT_WRITE,
        Scope.MEMBER_READ,
        Scope.MEMBER_WRITE,
        Scope.AGENCY_READ,
        Scope.AGENCY_WRITE,
        Scope.APIKEY_MANAGE,
        Scope.WEBHOOK_MANAGE,
        Scope.AUDIT_READ,
        Scope.SUPPLIER_WRITE,
        Scope.SUPPLIER_ASSIGN,
        Scope.CATEGORY_WRITE,
        Scope.BANK_READ,
        Scope.BANK_WRITE,
    }
    | _SUPPLIER_ALL
    | _SPEND_ALL
    | _RFQ_ALL,
    Role.CATEGORY_MANAGER: _INTERNAL_BASE
    | {Scope.SUPPLIER_ASSIGN, Scope.AGENCY_READ, Scope.CATEGORY_WRITE}
    | _SUPPLIER_ALL
    | _SPEND_ALL
    | _RFQ_ALL,
    Role.BUYER: _INTERNAL_BASE
    | {Scope.SUPPLIER_WRITE, Scope.SUPPLIER_EVIDENCE, Scope.SPEND_READ, Scope.SPEND_IMPORT, Scope.SPEND_WRITE}
    | {Scope.RFQ_READ},
    # Quality qualifies suppliers on the evidence: certificates, documents, audits and their checklists.
    Role.QUALITY: _INTERNAL_BASE
    | {Scope.SUPPLIER_QUALIFY, Scope.SUPPLIER_EVIDENCE, Scope.SUPPLIER_AUDIT, Scope.SUPPLIER_CONFIGURE},
    # Finance reads the spend, keeps the exchange rates it is converted with, and keeps suppliers' bank details.
    Role.FINANCE: _INTERNAL_BASE
    | {Scope.SPEND_READ, Scope.FX_WRITE, Scope.BANK_READ, Scope.BANK_WRITE, Scope.RFQ_READ},
    Role.EXECUTIVE: _INTERNAL_BASE | {Scope.AUDIT_READ, Scope.SPEND_READ, Scope.RFQ_READ},
    # Agents get nothing model-wide: what they may see comes from object grants (sourcing.services.assign_agent).
    Role.AGENT: frozenset({Scope.ENTER, Scope.PORTAL}),
}


class ApiKeyScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    ADMIN = "admin", _("Administration")


# What an ERP key may do with each of its key scopes.
API_KEY_SCOPES: dict[str, frozenset[str]] = {
    ApiKeyScope.READ: frozenset(
        {
            Scope.TENANT_READ,
            Scope.MEMBER_READ,
            Scope.AUDIT_READ,
            Scope.SUPPLIER_READ,
            Scope.CATEGORY_READ,
            Scope.SPEND_READ,
            Scope.RFQ_READ,
        }
    ),
    ApiKeyScope.WRITE: frozenset(
        {
            Scope.TENANT_WRITE,
            Scope.SUPPLIER_WRITE,
            Scope.SUPPLIER_QUALIFY,
            Scope.SUPPLIER_EVIDENCE,
            Scope.CATEGORY_WRITE,
            Scope.SPEND_IMPORT,
            Scope.SPEND_WRITE,
            Scope.FX_WRITE,
            Scope.RFQ_CONFIGURE,
        }
    ),
    # What only an administrator may do in the browser: the outbound webhooks and their secrets.
    ApiKeyScope.ADMIN: frozenset({Scope.WEBHOOK_MANAGE}),
}


def scopes_for_role(role: str) -> frozenset[str]:
    return ROLE_SCOPES.get(role, frozenset())


def scopes_for_api_key(key_scopes: list[str]) -> frozenset[str]:
    result: frozenset[str] = frozenset()
    for key_scope in key_scopes:
        result |= API_KEY_SCOPES.get(key_scope, frozenset())
    return result
