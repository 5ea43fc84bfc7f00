"""Partner pages for factory audits: the audits assigned to the agent and, for each, the checklist to fill in,
evidence to upload, findings to add and the submission. An audit that is not the agent's, or whose supplier
is no longer assigned to them, is a 404 exactly like a missing id. Templates carry only partner-safe fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.audits import AuditAnswersForm, EvidenceForm, FindingForm, SubmitForm
from suppliers.models import AuditStatus, FactoryAudit
from suppliers.selectors import audits as selectors
from suppliers.services import audits as services
from suppliers.views.audits import evidence_response


def _audit(request: TenantRequest, audit_id: str) -> FactoryAudit:
    return selectors.audit_get_for_agent(membership=request.membership, audit_id=audit_id)


@tenant_view(Scope.PORTAL)
def portal_audit_list(request: TenantRequest) -> HttpResponse:
    audits = list(selectors.audit_list_for_agent(membership=request.membership))
    return render(request, "portal/audits/audit_list.html", {"audits": audits})


def _detail(request: TenantRequest, audit: FactoryAudit, **forms: Any) -> HttpResponse:
    sheet = selectors.audit_sheet(audit=audit)
    performing = audit.status in selectors.OPEN
    context: dict[str, Any] = {"audit": audit, "sheet": sheet, "performing": performing, "today": timezone.localdate()}
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


def _back(request: TenantRequest, audit: FactoryAudit, anchor: str = "") -> HttpResponse:
    response = redirect("portal_audit_detail", tenant_slug=request.tenant.slug, audit_id=audit.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request: TenantRequest, audit: FactoryAudit, exc: DomainError) -> HttpResponse:
    if exc.status == 404:
        raise exc
    messages.error(request, exc.message)
    return _back(request, audit)


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_answer(request: TenantRequest, audit_id: str) -> HttpResponse:
    audit = _audit(request, audit_id)
    form = AuditAnswersForm(request.POST, items=selectors.audit_sheet(audit=audit).items)
    if not form.is_valid():
        return _detail(request, audit, answers_form=form)
    try:
        services.audit_answers_save(tenant=request.tenant, by=request.actor, audit_id=audit.pk, answers=form.answers())
    except DomainError as exc:
        return _refused(request, audit, exc)
    messages.success(request, _("Answers saved."))
    return _back(request, audit, "checklist")


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_submit(request: TenantRequest, audit_id: str) -> HttpResponse:
    """Save the answers posted with it (if any), then submit."""
    audit = _audit(request, audit_id)
    items = selectors.audit_sheet(audit=audit).items
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return _back(request, audit)
    try:
        if any(f"answer_{i.pk}" in request.POST for i in items):
            answers = AuditAnswersForm(request.POST, items=items)
            if not answers.is_valid():
                return _detail(request, audit, answers_form=answers)
            services.audit_answers_save(
                tenant=request.tenant, by=request.actor, audit_id=audit.pk, answers=answers.answers()
            )
        audit = services.audit_submit(tenant=request.tenant, by=request.actor, audit_id=audit.pk, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, audit, exc)
    if audit.status == AuditStatus.PASSED:
        messages.success(request, _("Audit submitted: passed with %(score)s %%.") % {"score": audit.score})
    else:
        messages.warning(request, _("Audit submitted: failed (%(score)s %%).") % {"score": audit.score})
    return _back(request, audit)


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_evidence_upload(request: TenantRequest, audit_id: str) -> HttpResponse:
    audit = _audit(request, audit_id)
    form = EvidenceForm(request.POST, request.FILES, items=selectors.audit_sheet(audit=audit).items)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.audit_evidence_upload(
                tenant=request.tenant,
                by=request.actor,
                audit_id=audit.pk,
                file=upload,
                file_name=upload.name,
                item_id=form.cleaned_data["item"] or None,
                caption=form.cleaned_data["caption"],
            )
        except DomainError as exc:
            if exc.code != "invalid":
                return _refused(request, audit, exc)
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Evidence uploaded."))
            return _back(request, audit, "evidence")
    if audit.status not in selectors.OPEN:
        messages.error(request, _("This audit has been submitted; it can no longer be changed."))
        return _back(request, audit)
    return _detail(request, audit, evidence_form=form)


@tenant_view(Scope.PORTAL)
def portal_audit_evidence_download(request: TenantRequest, audit_evidence_id: str) -> HttpResponse:
    evidence = services.audit_evidence_download(tenant=request.tenant, by=request.actor, evidence_id=audit_evidence_id)
    return evidence_response(evidence)


@tenant_view(Scope.PORTAL)
@require_POST
def portal_audit_finding_add(request: TenantRequest, audit_id: str) -> HttpResponse:
    audit = _audit(request, audit_id)
    form = FindingForm(request.POST, items=selectors.audit_sheet(audit=audit).items, owners=None)
    if form.is_valid():
        try:
            services.audit_finding_add(
                tenant=request.tenant, by=request.actor, audit_id=audit.pk, **form.service_arguments()
            )
        except DomainError as exc:
            if exc.code != "invalid":
                return _refused(request, audit, exc)
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Finding added."))
            return _back(request, audit, "findings")
    if audit.status not in selectors.OPEN:
        messages.error(request, _("This audit has been submitted; it can no longer be changed."))
        return _back(request, audit)
    return _detail(request, audit, finding_form=form)
