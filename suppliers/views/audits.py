"""Factory audit pages: checklist templates and their questions, the audits tab of a supplier's profile with the
plan form, an audit's checklist (answered here by its internal auditor), the overview of all audits and the
list of open findings. Agents perform their audits on the partner pages (``portal_audits``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers import audit_scoring
from suppliers.forms.audits import (
    AuditAnswersForm,
    AuditFilterForm,
    AuditPlanForm,
    AuditQuestionForm,
    AuditTemplateForm,
    EvidenceForm,
    FindingCloseForm,
    FindingFilterForm,
    FindingForm,
    ReviewForm,
    SubmitForm,
)
from suppliers.models import AuditEvidence, AuditStatus, FactoryAudit, Site, Supplier
from suppliers.selectors import audits as selectors
from suppliers.services import audit_findings as finding_services
from suppliers.services import audit_review
from suppliers.services import audit_templates as template_services
from suppliers.services import audits as services
from suppliers.services.access import (
    access_audit,
    access_audit_finding,
    access_audit_question,
    access_audit_template,
    access_supplier,
)
from suppliers.views import audit_steps as steps
from suppliers.views.profile import profile_context

# The lists' sortable columns: key → the ORM ordering ascending (the id breaks ties).
AUDIT_SORTS = {
    "created": ("created_at",),
    "supplier": ("supplier__legal_name",),
    "audit": ("audit_type",),
    "planned": ("planned_on",),
    "performed": ("performed_on",),
    "status": ("status",),
    "score": ("score",),
}
FINDING_SORTS = {
    "due": ("due_on", "-created_at"),
    "finding": ("description",),
    "supplier": ("audit__supplier__legal_name",),
}


def _can(request: TenantRequest, scope: str) -> bool:
    return scope in request.membership.scopes


def _slug(request: TenantRequest) -> str:
    return request.tenant.slug


# Checklist templates


@tenant_view(Scope.SUPPLIER_READ)
def audit_template_list(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "suppliers/audits/template_list.html",
        {"templates": list(selectors.template_list()), "can_configure": _can(request, Scope.SUPPLIER_CONFIGURE)},
    )


@tenant_view(Scope.SUPPLIER_CONFIGURE)
def audit_template_create(request: TenantRequest) -> HttpResponse:
    form = AuditTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = template_services.audit_template_create(
                tenant=request.tenant, by=request.actor, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Checklist %(name)s added; now add its questions.") % {"name": template})
            return redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=template.pk)
    return render(request, "suppliers/audits/template_form.html", {"form": form, "template": None})


@tenant_view(Scope.SUPPLIER_CONFIGURE)
def audit_template_edit(request: TenantRequest, audit_template_id: str) -> HttpResponse:
    template = access_audit_template(by=request.actor, id=audit_template_id, need=Scope.SUPPLIER_CONFIGURE)
    form = AuditTemplateForm(request.POST or None, initial=AuditTemplateForm.initial_for(template))
    if request.method == "POST" and form.is_valid():
        try:
            template_services.audit_template_update(
                tenant=request.tenant, by=request.actor, template_id=template.pk, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Checklist saved. Audits already planned keep their questions."))
            return redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=template.pk)
    return render(request, "suppliers/audits/template_form.html", {"form": form, "template": template})


def _template_detail(request: TenantRequest, template: Any, question_form: AuditQuestionForm | None = None) -> Any:
    sections = selectors.template_sections(template=template)
    names = [s.name for s in sections]
    return render(
        request,
        "suppliers/audits/template_detail.html",
        {
            "template": template,
            "sections": sections,
            "question_count": sum(len(s.entries) for s in sections),
            "question_form": question_form or AuditQuestionForm(sections=names),
            "section_names": names,
            "can_configure": _can(request, Scope.SUPPLIER_CONFIGURE),
        },
    )


@tenant_view(Scope.SUPPLIER_READ)
def audit_template_detail(request: TenantRequest, audit_template_id: str) -> HttpResponse:
    template = access_audit_template(by=request.actor, id=audit_template_id, need=Scope.SUPPLIER_READ)
    return _template_detail(request, template)


@tenant_view(Scope.SUPPLIER_CONFIGURE)
@require_POST
def audit_template_set_active(request: TenantRequest, audit_template_id: str) -> HttpResponse:
    template = access_audit_template(by=request.actor, id=audit_template_id, need=Scope.SUPPLIER_CONFIGURE)
    active = request.POST.get("active") == "1"
    template_services.audit_template_set_active(
        tenant=request.tenant, by=request.actor, template_id=template.pk, active=active
    )
    if active:
        messages.success(request, _("Checklist %(name)s is active again.") % {"name": template})
    else:
        messages.success(request, _("Checklist %(name)s deactivated: no new audit can use it.") % {"name": template})
    return redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=template.pk)


@tenant_view(Scope.SUPPLIER_CONFIGURE)
@require_POST
def audit_question_add(request: TenantRequest, audit_template_id: str) -> HttpResponse:
    template = access_audit_template(by=request.actor, id=audit_template_id, need=Scope.SUPPLIER_CONFIGURE)
    form = AuditQuestionForm(request.POST)
    if form.is_valid():
        try:
            template_services.audit_question_add(
                tenant=request.tenant, by=request.actor, template_id=template.pk, **form.cleaned_data
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=template.pk)
    return _template_detail(request, template, form)


@tenant_view(Scope.SUPPLIER_CONFIGURE)
def audit_question_edit(request: TenantRequest, audit_question_id: str) -> HttpResponse:
    question = access_audit_question(by=request.actor, id=audit_question_id, need=Scope.SUPPLIER_CONFIGURE)
    initial = {"section": question.section, "text": question.text, "weight": question.weight}
    initial["is_critical"] = question.is_critical
    form = AuditQuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template_services.audit_question_update(
                tenant=request.tenant, by=request.actor, question_id=question.pk, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=question.template_id)
    return render(request, "suppliers/audits/question_form.html", {"form": form, "question": question})


@tenant_view(Scope.SUPPLIER_CONFIGURE)
@require_POST
def audit_question_delete(request: TenantRequest, audit_question_id: str) -> HttpResponse:
    question = access_audit_question(by=request.actor, id=audit_question_id, need=Scope.SUPPLIER_CONFIGURE)
    template_services.audit_question_remove(tenant=request.tenant, by=request.actor, question_id=question.pk)
    messages.success(request, _("Question removed. Audits already planned keep it."))
    return redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=question.template_id)


@tenant_view(Scope.SUPPLIER_CONFIGURE)
@require_POST
def audit_question_move(request: TenantRequest, audit_question_id: str) -> HttpResponse:
    question = access_audit_question(by=request.actor, id=audit_question_id, need=Scope.SUPPLIER_CONFIGURE)
    up = request.POST.get("direction") != "down"
    template_services.audit_question_move(tenant=request.tenant, by=request.actor, question_id=question.pk, up=up)
    url = redirect("audit_template_detail", tenant_slug=_slug(request), audit_template_id=question.template_id)
    url["Location"] += f"#q-{question.pk}"
    return url


# A supplier's audits


def _plan_form(request: TenantRequest, supplier: Supplier, data: Any = None) -> AuditPlanForm:
    return AuditPlanForm(
        data,
        templates=list(selectors.template_list(active_only=True)),
        auditors=selectors.auditor_choices(supplier=supplier),
        sites=list(Site.objects.filter(supplier_id=supplier.pk).only("id", "name").order_by("name")),
    )


def _supplier_audits(request: TenantRequest, supplier: Supplier, plan_form: AuditPlanForm | None = None) -> Any:
    can_plan = _can(request, Scope.SUPPLIER_AUDIT)
    if can_plan and plan_form is None:
        plan_form = _plan_form(request, supplier)
    return render(
        request,
        "suppliers/audits/supplier_audits.html",
        profile_context(
            request,
            supplier,
            "audits",
            audits=selectors.supplier_audits(supplier=supplier),
            plan_form=plan_form if can_plan else None,
        ),
    )


@tenant_view(Scope.SUPPLIER_READ)
def supplier_audits(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    return _supplier_audits(request, supplier)


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_plan(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_AUDIT, merged=True)
    form = _plan_form(request, supplier, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.audit_plan(
                tenant=request.tenant,
                by=request.actor,
                supplier_id=supplier.pk,
                template_id=data["template"],
                auditor_id=data["auditor"],
                site_id=data["site"] or None,
                planned_on=data["planned_on"],
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Audit planned: %(audit)s.") % {"audit": audit.template.name})
            return redirect("audit_detail", tenant_slug=_slug(request), audit_id=audit.pk)
    return _supplier_audits(request, supplier, form)


# Overview and findings


@tenant_view(Scope.SUPPLIER_READ)
def factory_audit_list(request: TenantRequest) -> HttpResponse:
    form = AuditFilterForm(
        request.GET or None, auditors=selectors.audit_auditors(), suppliers=selectors.audited_suppliers()
    )
    filters = form.filters()
    sort = sorting(request, AUDIT_SORTS, default="-created")
    page = list_page(request, sort.apply(selectors.audit_list(**filters)))
    return render(
        request,
        "suppliers/audits/audit_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "audits": list(page.object_list),
            "filtered": any(filters.values()),
            "awaiting_review": selectors.awaiting_review_count(),
            "awaiting_status": selectors.AWAITING_REVIEW,
        },
    )


@tenant_view(Scope.SUPPLIER_READ)
def audit_finding_list(request: TenantRequest) -> HttpResponse:
    form = FindingFilterForm(request.GET or None)
    overdue = form.is_valid() and form.cleaned_data["overdue"]
    today = timezone.localdate()
    sort = sorting(request, FINDING_SORTS, default="due")
    page = list_page(request, sort.apply(selectors.open_findings(overdue_only=overdue, today=today)))
    return render(
        request,
        "suppliers/audits/finding_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "findings": list(page.object_list),
            "today": today,
            "filtered": overdue,
            "can_close": _can(request, Scope.SUPPLIER_AUDIT),
        },
    )


# One audit


def _is_auditor(request: TenantRequest, audit: FactoryAudit) -> bool:
    return audit.auditor_id == request.membership.pk and _can(request, Scope.SUPPLIER_AUDIT)


def _can_review(request: TenantRequest, audit: FactoryAudit) -> bool:
    """Whether the page offers the review: the service decides again."""
    return (
        audit.status == selectors.AWAITING_REVIEW
        and _can(request, Scope.SUPPLIER_AUDIT)
        and audit.auditor.user_id != request.membership.user_id
    )


def _audit_detail(request: TenantRequest, audit: FactoryAudit, **forms: Any) -> HttpResponse:
    sheet = selectors.audit_sheet(audit=audit)
    performing = _is_auditor(request, audit) and audit.status in selectors.OPEN
    notes = selectors.finding_close_notes(findings=sheet.findings)
    for finding in sheet.findings:
        finding.close_note = notes.get(str(finding.pk), "")  # type: ignore[attr-defined]
    can_review = _can_review(request, audit)
    context: dict[str, Any] = {
        "audit": audit,
        "sheet": sheet,
        "performing": performing,
        "can_close": _can(request, Scope.SUPPLIER_AUDIT),
        "today": timezone.localdate(),
        "review": selectors.latest_review(audit=audit),
        "can_review": can_review,
        "review_form": (forms.get("review_form") or ReviewForm()) if can_review else None,
        "proposed_pass": audit_scoring.passes(audit.score, audit.critical_failed, audit.pass_score),
    }
    if performing:
        answers = forms.get("answers_form") or AuditAnswersForm(items=sheet.items)
        answers.attach(sheet.items)
        context.update(
            answers_form=answers,
            submit_form=SubmitForm(initial={"summary": audit.summary}),
            evidence_form=forms.get("evidence_form") or EvidenceForm(items=sheet.items),
            finding_form=forms.get("finding_form")
            or FindingForm(items=sheet.items, owners=selectors.finding_owner_choices()),
        )
    return render(request, "suppliers/audits/audit_detail.html", context)


@tenant_view(Scope.SUPPLIER_READ)
def audit_detail(request: TenantRequest, audit_id: str) -> HttpResponse:
    return _audit_detail(request, access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_READ))


DESK = steps.Desk(
    page="audit_detail",
    show=lambda request, audit, **forms: _audit_detail(request, audit, **forms),
    can_work=lambda request, audit: _is_auditor(request, audit) and audit.status in selectors.OPEN,
    cannot_work=gettext_lazy("Only the audit's auditor can work on it."),
    finding_owners=lambda: selectors.finding_owner_choices(),
)


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_answer(request: TenantRequest, audit_id: str) -> HttpResponse:
    return steps.answer(request, DESK, access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_AUDIT))


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_submit(request: TenantRequest, audit_id: str) -> HttpResponse:
    """Save the answers posted with it (if any), then submit."""
    return steps.submit(request, DESK, access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_AUDIT))


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_review_accept(request: TenantRequest, audit_id: str) -> HttpResponse:
    audit = access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_AUDIT)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        audit = audit_review.audit_review_accept(tenant=request.tenant, by=request.actor, audit_id=audit.pk, note=note)
    except DomainError as exc:
        return steps.refused(request, DESK, audit, exc)
    if audit.status == AuditStatus.PASSED:
        messages.success(request, _("Audit accepted: passed with %(score)s %%.") % {"score": audit.score})
    else:
        messages.warning(request, _("Audit accepted: failed (%(score)s %%).") % {"score": audit.score})
    return steps.back(request, DESK, audit)


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_review_return(request: TenantRequest, audit_id: str) -> HttpResponse:
    audit = access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_AUDIT)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            audit_review.audit_review_return(
                tenant=request.tenant, by=request.actor, audit_id=audit.pk, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            if exc.code != "invalid":
                return steps.refused(request, DESK, audit, exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Audit returned to its auditor with your note."))
            return steps.back(request, DESK, audit)
    if not _can_review(request, audit):
        messages.error(request, _("This audit is not awaiting review."))
        return steps.back(request, DESK, audit)
    return _audit_detail(request, audit, review_form=form)


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_evidence_upload(request: TenantRequest, audit_id: str) -> HttpResponse:
    return steps.upload_evidence(request, DESK, access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_AUDIT))


@tenant_view(Scope.SUPPLIER_READ)
def audit_evidence_download(request: TenantRequest, audit_evidence_id: str) -> HttpResponse:
    """Evidence files leave only through here: tenant-scoped, recorded, and always as a download."""
    evidence = services.audit_evidence_download(tenant=request.tenant, by=request.actor, evidence_id=audit_evidence_id)
    return evidence_response(evidence)


def evidence_response(evidence: AuditEvidence) -> HttpResponse:
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.file_name, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a streamed response, which tenant_view passes through


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_finding_add(request: TenantRequest, audit_id: str) -> HttpResponse:
    return steps.add_finding(request, DESK, access_audit(by=request.actor, id=audit_id, need=Scope.SUPPLIER_AUDIT))


@tenant_view(Scope.SUPPLIER_AUDIT)
@require_POST
def audit_finding_close(request: TenantRequest, audit_finding_id: str) -> HttpResponse:
    finding = access_audit_finding(by=request.actor, id=audit_finding_id, need=Scope.SUPPLIER_AUDIT)
    form = FindingCloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        finding_services.audit_finding_close(tenant=request.tenant, by=request.actor, finding_id=finding.pk, note=note)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message)
    else:
        messages.success(request, _("Finding closed."))
    if request.POST.get("next") == "findings":
        return redirect("audit_finding_list", tenant_slug=_slug(request))
    return redirect("audit_detail", tenant_slug=_slug(request), audit_id=finding.audit_id)
