"""Partner pages for factory audits: the audits assigned to the agent and, for each, the checklist to fill in,
evidence to upload, findings to add and the submission. An audit that is not the agent's, or whose supplier
is no longer assigned to them, is a 404 exactly like a missing id. Templates carry only partner-safe fields."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.audits import AuditAnswersForm, EvidenceForm, FindingForm, SubmitForm
from suppliers.models import AuditStatus, FactoryAudit
from suppliers.selectors import audits as selectors
from suppliers.services import audits as services
from suppliers.services.access import access_audit
from suppliers.views import audit_steps as steps
from suppliers.views.audits import evidence_response


def _audit(request: TenantRequest, audit_id: str) -> FactoryAudit:
    return access_audit(by=request.actor, id=audit_id, need=Scope.PORTAL)


@tenant_view(Scope.PORTAL)
def portal_audit_list(request: TenantRequest) -> HttpResponse:
    sort = sorting(request, PORTAL_AUDIT_SORTS, default="-created")
    page = list_page(request, sort.apply(selectors.audits_assigned_to(membership=request.membership)))
    context = {"audits": list(page.object_list), "page": page, "sort": sort}
    return render(request, "portal/audits/audit_list.html", context)


# The agent's audit list's sortable columns (the id breaks ties).
PORTAL_AUDIT_SORTS = {
    "created": ("created_at",),
    "supplier": ("supplier__legal_name",),
    "audit": ("audit_type",),
    "planned": ("planned_on",),
    "status": ("status",),
    "score": ("score",),
}


def _detail(request: TenantRequest, audit: FactoryAudit, **forms: Any) -> HttpResponse:
    sheet = selectors.audit_sheet(audit=audit)
    performing = audit.status in selectors.OPEN
    review = selectors.latest_review(audit=audit) if audit.status == AuditStatus.IN_PROGRESS else None
    context: dict[str, Any] = {
        "audit": audit,
        "sheet": sheet,
        "performing": performing,
        "today": timezone.localdate(),
        # only the note addressed to the agent, of a return not yet answered by a new submission
        "returned_note": review.note if review is not None and review.outcome == "returned" else None,
        "returned_on": review.at if review is not None and review.outcome == "returned" else None,
    }
    if performing:
        answers = forms.get("answers_form") or AuditAnswersForm(items=sheet.items)
        answers.attach(sheet.items)
        context.update(
            answers_form=answers,
            submit_form=SubmitForm(initial={"summary": audit.summary}),
            evidence_form=forms.get("evidence_form") or EvidenceForm(items=sheet.items),
            finding_form=forms.get("finding_form") or FindingForm(items=sheet.items, owners=None),
        )
    return render(request, "portal/audits/audit_detail.html", context)


@tenant_view(Scope.PORTAL)
def portal_audit_detail(request: TenantRequest, audit_id: str) -> HttpResponse:
    return _detail(request, _audit(request, audit_id))


DESK = steps.Desk(
    page="portal_audit_detail",
    show=lambda request, audit, **forms: _detail(request, audit, **forms),
    can_work=lambda request, audit: audit.status in selectors.OPEN,
    cannot_work=gettext_lazy("This audit has been submitted; it can no longer be changed."),
    finding_owners=None,  # agents do not pick the buyer's people
)


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_answer(request: TenantRequest, audit_id: str) -> HttpResponse:
    return steps.answer(request, DESK, _audit(request, audit_id))


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_submit(request: TenantRequest, audit_id: str) -> HttpResponse:
    """Save the answers posted with it (if any), then submit."""
    return steps.submit(request, DESK, _audit(request, audit_id))


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_evidence_upload(request: TenantRequest, audit_id: str) -> HttpResponse:
    return steps.upload_evidence(request, DESK, _audit(request, audit_id))


@tenant_view(Scope.PORTAL)
def portal_audit_evidence_download(request: TenantRequest, audit_evidence_id: str) -> HttpResponse:
    evidence = services.audit_evidence_download(tenant=request.tenant, by=request.actor, evidence_id=audit_evidence_id)
    return evidence_response(evidence)


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_finding_add(request: TenantRequest, audit_id: str) -> HttpResponse:
    return steps.add_finding(request, DESK, _audit(request, audit_id))
