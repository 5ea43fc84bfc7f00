"""The steps of performing an audit, shared by the internal audit page and the partner page. The two differ
only in their ``Desk``: which page shows the audit, whether that page can still take work, and who may be
named owner of a finding. The services decide who may act; these steps parse the form and say what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.web import TenantRequest
from suppliers.forms.audits import AuditAnswersForm, EvidenceForm, FindingForm, SubmitForm
from suppliers.models import AuditStatus, FactoryAudit
from suppliers.selectors import audits as selectors
from suppliers.services import audit_findings as finding_services
from suppliers.services import audits as services


@dataclass(frozen=True)
class Desk:
    page: str  # url name of the audit's page
    show: Callable[..., HttpResponse]  # (request, audit, **forms): the audit's page with these forms
    can_work: Callable[[TenantRequest, FactoryAudit], bool]  # whether that page still takes work on it
    cannot_work: Any  # what to say when it does not (a lazily translated string)
    finding_owners: Callable[[], Any] | None  # who may own a finding (None: nobody is offered)


def back(request: TenantRequest, desk: Desk, audit: FactoryAudit, anchor: str = "") -> HttpResponse:
    response = redirect(desk.page, tenant_slug=request.tenant.slug, audit_id=audit.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def refused(request: TenantRequest, desk: Desk, audit: FactoryAudit, exc: DomainError) -> HttpResponse:
    """A step the service refused as a whole (not the auditor, audit already submitted): say why, go back."""
    if exc.status == 404:
        raise exc
    messages.error(request, exc.message)
    return back(request, desk, audit)


def _again(request: TenantRequest, desk: Desk, audit: FactoryAudit, **forms: Any) -> HttpResponse:
    """The page again with the form's errors, or back with a message when the page takes no more work."""
    if not desk.can_work(request, audit):
        messages.error(request, desk.cannot_work)
        return back(request, desk, audit)
    return desk.show(request, audit, **forms)


def answer(request: TenantRequest, desk: Desk, audit: FactoryAudit) -> HttpResponse:
    form = AuditAnswersForm(request.POST, items=selectors.audit_sheet(audit=audit).items)
    if not form.is_valid():
        return desk.show(request, audit, answers_form=form)
    try:
        services.audit_answers_save(tenant=request.tenant, by=request.actor, audit_id=audit.pk, answers=form.answers())
    except DomainError as exc:
        if exc.code != "invalid":
            return refused(request, desk, audit, exc)
        add_service_errors(form, exc)
        return desk.show(request, audit, answers_form=form)
    messages.success(request, _("Answers saved."))
    return back(request, desk, audit, "checklist")


def submit(request: TenantRequest, desk: Desk, audit: FactoryAudit) -> HttpResponse:
    """Save the answers posted with it (if any), then submit."""
    items = selectors.audit_sheet(audit=audit).items
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return back(request, desk, audit)
    try:
        if any(f"answer_{i.pk}" in request.POST for i in items):
            answers = AuditAnswersForm(request.POST, items=items)
            if not answers.is_valid():
                return desk.show(request, audit, answers_form=answers)
            services.audit_answers_save(
                tenant=request.tenant, by=request.actor, audit_id=audit.pk, answers=answers.answers()
            )
        audit = services.audit_submit(tenant=request.tenant, by=request.actor, audit_id=audit.pk, **form.cleaned_data)
    except DomainError as exc:
        return refused(request, desk, audit, exc)
    if audit.status == AuditStatus.SUBMITTED:
        messages.success(
            request, _("Audit submitted with %(score)s %%; it now awaits review by quality.") % {"score": audit.score}
        )
    elif audit.status == AuditStatus.PASSED:
        messages.success(request, _("Audit submitted: passed with %(score)s %%.") % {"score": audit.score})
    else:
        messages.warning(request, _("Audit submitted: failed (%(score)s %%).") % {"score": audit.score})
    return back(request, desk, audit)


def upload_evidence(request: TenantRequest, desk: Desk, audit: FactoryAudit) -> HttpResponse:
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
                return refused(request, desk, audit, exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Evidence uploaded."))
            return back(request, desk, audit, "evidence")
    return _again(request, desk, audit, evidence_form=form)


def add_finding(request: TenantRequest, desk: Desk, audit: FactoryAudit) -> HttpResponse:
    owners = desk.finding_owners() if desk.finding_owners is not None else None
    form = FindingForm(request.POST, items=selectors.audit_sheet(audit=audit).items, owners=owners)
    if form.is_valid():
        try:
            finding_services.audit_finding_add(
                tenant=request.tenant, by=request.actor, audit_id=audit.pk, **form.service_arguments()
            )
        except DomainError as exc:
            if exc.code != "invalid":
                return refused(request, desk, audit, exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Finding added."))
            return back(request, desk, audit, "findings")
    return _again(request, desk, audit, finding_form=form)
