"""The factory audits and the risk flags as CSV or XLSX (``?format=csv|xlsx``): the list's filters, every row,
each export in the audit log. Internal notes stay out: the file leaves the building."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.utils.translation import gettext_lazy

from sourcing.exports import export_response
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.audits import AuditFilterForm
from suppliers.forms.risk import RiskFilterForm
from suppliers.selectors import audits as audit_selectors
from suppliers.selectors import risk as risk_selectors
from suppliers.selectors.onboarding import owner_choices
from suppliers.services.audits import factory_audit_export_record
from suppliers.services.risk import risk_flag_export_record

CHUNK = 2000
AUDIT_HEADER = [
    gettext_lazy("Supplier"),
    gettext_lazy("Site"),
    gettext_lazy("Audit type"),
    gettext_lazy("Checklist"),
    gettext_lazy("Auditor"),
    gettext_lazy("Planned for"),
    gettext_lazy("Performed on"),
    gettext_lazy("Status"),
    gettext_lazy("Score %"),
    gettext_lazy("Pass score %"),
    gettext_lazy("Critical question failed"),
    gettext_lazy("Summary"),
    gettext_lazy("Created"),
]
RISK_HEADER = [
    gettext_lazy("Supplier"),
    gettext_lazy("Flag"),
    gettext_lazy("Kind"),
    gettext_lazy("Severity"),
    gettext_lazy("Owner"),
    gettext_lazy("Source"),
    gettext_lazy("Raised"),
    gettext_lazy("Open"),
    gettext_lazy("Closed"),
]


def _format(request: TenantRequest) -> str:
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"


@tenant_view(Scope.SUPPLIER_READ)
def factory_audit_export(request: TenantRequest) -> HttpResponseBase:
    form = AuditFilterForm(
        request.GET or None, auditors=audit_selectors.audit_auditors(), suppliers=audit_selectors.audited_suppliers()
    )
    filters = form.filters()
    audits = audit_selectors.audit_list(**filters)

    def rows() -> Any:
        for a in audits.iterator(chunk_size=CHUNK):
            yield [
                a.supplier.legal_name, a.site.name if a.site else "", a.get_audit_type_display(), a.template.name,
                a.auditor.user.get_full_name() or a.auditor.user.email, a.planned_on, a.performed_on,
                a.get_status_display(), a.score, a.pass_score, a.critical_failed, a.summary, a.created_at,
            ]  # fmt: skip

    factory_audit_export_record(tenant=request.tenant, by=request.actor, filters=filters, fmt=_format(request))
    return export_response(_format(request), "factory-audits", AUDIT_HEADER, rows())


@tenant_view(Scope.SUPPLIER_READ)
def risk_flag_export(request: TenantRequest) -> HttpResponseBase:
    filters = RiskFilterForm(request.GET or None, owners=owner_choices()).filters()
    flags = risk_selectors.risk_flag_list(**filters)

    def rows() -> Any:
        for f in flags.iterator(chunk_size=CHUNK):
            owner = f.owner.user.get_full_name() or f.owner.user.email if f.owner else ""
            yield [
                f.supplier.legal_name, f.title, f.get_kind_display(), f.get_severity_display(), owner, f.source,
                f.raised_at, f.is_open, f.closed_at,
            ]  # fmt: skip

    risk_flag_export_record(tenant=request.tenant, by=request.actor, filters=filters, fmt=_format(request))
    return export_response(_format(request), "risk-flags", RISK_HEADER, rows())
