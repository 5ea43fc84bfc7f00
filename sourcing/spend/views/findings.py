"""Findings and baselines pages: the findings list with filters, totals and export, the form to add one, the
detail with assignment, status, note and audit trail; baselines with the freeze form, the frozen table, the
comparison with a later period, and export; raising findings from the analyses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from sourcing.categories.selectors import categories as category_selectors
from sourcing.errors import DomainError
from sourcing.export_formats import Money
from sourcing.exports import export_response
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.selectors import money_totals
from sourcing.spend.forms.findings import (
    AssignForm,
    BaselineFreezeForm,
    CompareForm,
    FindingFilterForm,
    FindingForm,
    NoteForm,
    StatusForm,
)
from sourcing.spend.models import Baseline, Finding
from sourcing.spend.selectors import findings as selectors
from sourcing.spend.services import findings as services
from sourcing.spend.services.access import access_baseline, access_finding
from sourcing.web import TenantRequest, tenant_view

# The sortable columns: key → the ORM ordering ascending (the id breaks ties).
FINDING_SORTS = {
    "title": ("title",),
    "kind": ("kind",),
    "amount": ("amount",),
    "estimated_saving": ("estimated_saving", "created_at"),
    "status": ("status",),
    "created_at": ("created_at",),
}
BASELINE_SORTS = {
    "name": ("name",),
    "period_end": ("period_end", "-name"),
    "total": ("total",),
    "line_count": ("line_count",),
}
EXPORT_FORMATS = {"csv", "xlsx"}
Download = HttpResponse | StreamingHttpResponse


def _form_errors(form: Any, exc: DomainError, *, renames: dict[str, str] | None = None) -> None:
    """A service's errors on the fields they name; 403 and 404 are not form errors."""
    if exc.status in {403, 404}:
        raise exc
    add_service_errors(form, exc, renames=renames)


def _can_write(request: TenantRequest) -> bool:
    return Scope.SPEND_WRITE in request.membership.scopes


def _export_format(request: TenantRequest) -> str:
    fmt = request.GET.get("format", "")
    return fmt if fmt in EXPORT_FORMATS else ""


def _stamp() -> str:
    return timezone.localdate().isoformat()


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(microsecond=0) if value else None


# Findings


@tenant_view(Scope.SPEND_READ)
def finding_list(request: TenantRequest) -> HttpResponse | StreamingHttpResponse:
    form = FindingFilterForm(
        request.GET or None, categories=category_selectors.category_list(), assignees=selectors.assignee_choices()
    )
    filters = form.filters()
    mine = request.membership if filters.pop("mine") else None
    findings = selectors.finding_list(**filters, mine=mine)
    fmt = _export_format(request)
    if fmt:
        return _finding_export(request, findings, fmt, {**filters, "mine": bool(mine)})
    sort = sorting(request, FINDING_SORTS, default="-estimated_saving")
    page = list_page(request, sort.apply(findings))
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "findings": list(page.object_list),
        "totals": selectors.finding_totals(findings),
        "list_totals": money_totals(findings, sums=["amount", "estimated_saving"]),
        "filtered": any(filters.values()) or mine is not None,
        "can_write": _can_write(request),
        "query": request.GET.copy(),
        "tab": "findings",
    }
    return render(request, "spend/findings/finding_list.html", context)


FINDING_COLUMNS = [
    gettext_lazy("Id"),
    gettext_lazy("Kind"),
    gettext_lazy("Title"),
    gettext_lazy("Category code"),
    gettext_lazy("Category"),
    gettext_lazy("Suppliers"),
    gettext_lazy("Amount"),
    gettext_lazy("Estimated saving"),
    gettext_lazy("Currency"),
    gettext_lazy("Status"),
    gettext_lazy("Assignee"),
    gettext_lazy("Note"),
    gettext_lazy("Created"),
    gettext_lazy("Closed"),
]


def _finding_export(request: TenantRequest, findings: Any, fmt: str, filters: dict[str, Any]) -> Download:
    rows = [
        [
            str(f.pk),
            f.kind,
            f.display_title,
            f.category.code if f.category else "",
            f.category.name if f.category else "",
            "; ".join(str(s.get("name", "")) for s in f.suppliers if isinstance(s, dict)),
            Money(f.amount, f.currency),
            Money(f.estimated_saving, f.currency),
            f.currency,
            f.status,
            f.assignee.user.email if f.assignee else "",
            f.note,
            _local(f.created_at),
            _local(f.closed_at),
        ]
        for f in findings
    ]
    services.finding_export_record(tenant=request.tenant, by=request.actor, rows=len(rows), filters=filters, fmt=fmt)
    return export_response(fmt, f"findings-{request.tenant.slug}-{_stamp()}", FINDING_COLUMNS, rows)


def _finding_form(request: TenantRequest, *, initial: dict[str, Any] | None = None, with_kind: bool) -> FindingForm:
    return FindingForm(
        request.POST or None,
        initial=initial,
        categories=category_selectors.category_list(),
        currency=request.tenant.base_currency,
        with_kind=with_kind,
    )


@tenant_view(Scope.SPEND_WRITE)
def finding_create(request: TenantRequest) -> HttpResponse:
    form = _finding_form(request, with_kind=True)
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_create(tenant=request.tenant, by=request.actor, **form.service_arguments())
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Finding added."))
            return redirect("finding_detail", tenant_slug=request.tenant.slug, finding_id=finding.pk)
    return render(request, "spend/findings/finding_form.html", {"form": form, "finding": None, "tab": "findings"})


@tenant_view(Scope.SPEND_WRITE)
def finding_edit(request: TenantRequest, finding_id: str) -> HttpResponse:
    finding = access_finding(by=request.actor, id=finding_id, need=Scope.SPEND_WRITE)
    initial = {
        "title": finding.display_title,
        "category": str(finding.category_id) if finding.category_id else "",
        "amount": finding.amount,
        "estimated_saving": finding.estimated_saving,
        "note": finding.note,
    }
    form = _finding_form(request, initial=initial, with_kind=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(
                tenant=request.tenant, by=request.actor, finding_id=finding.pk, **form.service_arguments()
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Finding saved."))
            return redirect("finding_detail", tenant_slug=request.tenant.slug, finding_id=finding.pk)
    return render(request, "spend/findings/finding_form.html", {"form": form, "finding": finding, "tab": "findings"})


def _detail(
    request: TenantRequest,
    finding: Finding,
    *,
    assign_form: AssignForm | None = None,
    status_form: StatusForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "finding": finding,
        "events": selectors.finding_events(finding=finding),
        "can_write": _can_write(request),
        "tab": "findings",
    }
    if context["can_write"]:
        assignees = selectors.assignee_choices(include=[finding.assignee_id])
        context["assign_form"] = assign_form or AssignForm(
            initial={"assignee": str(finding.assignee_id) if finding.assignee_id else ""}, assignees=assignees
        )
        context["status_form"] = status_form or StatusForm(current=finding.status)
        context["note_form"] = note_form or NoteForm(initial={"note": finding.note})
    return render(request, "spend/findings/finding_detail.html", context, status=status)


@tenant_view(Scope.SPEND_READ)
def finding_detail(request: TenantRequest, finding_id: str) -> HttpResponse:
    return _detail(request, access_finding(by=request.actor, id=finding_id, need=Scope.SPEND_READ))


def _back_to(request: TenantRequest, finding: Finding) -> HttpResponse:
    return redirect("finding_detail", tenant_slug=request.tenant.slug, finding_id=finding.pk)


@tenant_view(Scope.SPEND_WRITE)
@require_POST
def finding_assign(request: TenantRequest, finding_id: str) -> HttpResponse:
    finding = access_finding(by=request.actor, id=finding_id, need=Scope.SPEND_WRITE)
    form = AssignForm(request.POST, assignees=selectors.assignee_choices(include=[finding.assignee_id]))
    if form.is_valid():
        try:
            services.finding_assign(
                tenant=request.tenant,
                by=request.actor,
                finding_id=finding.pk,
                assignee_id=form.cleaned_data["assignee"],
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Assignment saved."))
            return _back_to(request, finding)
    return _detail(request, finding, assign_form=form, status=400)


@tenant_view(Scope.SPEND_WRITE)
@require_POST
def finding_set_status(request: TenantRequest, finding_id: str) -> HttpResponse:
    finding = access_finding(by=request.actor, id=finding_id, need=Scope.SPEND_WRITE)
    form = StatusForm(request.POST, current=finding.status)
    if form.is_valid():
        try:
            services.finding_set_status(
                tenant=request.tenant,
                by=request.actor,
                finding_id=finding.pk,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"] or None,  # an empty note keeps the one the finding has
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Status saved."))
            return _back_to(request, finding)
    return _detail(request, finding, status_form=form, status=400)


@tenant_view(Scope.SPEND_WRITE)
@require_POST
def finding_note(request: TenantRequest, finding_id: str) -> HttpResponse:
    finding = access_finding(by=request.actor, id=finding_id, need=Scope.SPEND_WRITE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.finding_update(
                tenant=request.tenant, by=request.actor, finding_id=finding.pk, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Note saved."))
            return _back_to(request, finding)
    return _detail(request, finding, note_form=form, status=400)


# Baselines


@tenant_view(Scope.SPEND_READ)
def baseline_list(request: TenantRequest) -> HttpResponse:
    baselines = selectors.baseline_list()
    sort = sorting(request, BASELINE_SORTS, default="-period_end")
    page = list_page(request, sort.apply(baselines))
    context = {
        "page": page,
        "sort": sort,
        "list_totals": money_totals(baselines, sums=["total", "line_count"]),
        "baselines": list(page.object_list),
        "can_write": _can_write(request),
        "form": BaselineFreezeForm() if _can_write(request) else None,
        "tab": "baselines",
    }
    return render(request, "spend/findings/baseline_list.html", context)


@tenant_view(Scope.SPEND_WRITE)
def baseline_freeze(request: TenantRequest) -> HttpResponse:
    form = BaselineFreezeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            baseline = services.baseline_freeze(tenant=request.tenant, by=request.actor, **form.cleaned_data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Baseline %(name)s frozen.") % {"name": baseline.name})
            return redirect("baseline_detail", tenant_slug=request.tenant.slug, baseline_id=baseline.pk)
    return render(request, "spend/findings/baseline_form.html", {"form": form, "tab": "baselines"})


@tenant_view(Scope.SPEND_READ)
def baseline_detail(request: TenantRequest, baseline_id: str) -> HttpResponse | StreamingHttpResponse:
    baseline = access_baseline(by=request.actor, id=baseline_id, need=Scope.SPEND_READ)
    form = CompareForm(request.GET or None)
    start = form.cleaned_data["period_start"] if form.is_valid() else None
    comparison = selectors.baseline_compare(baseline=baseline, period_start=start)
    fmt = _export_format(request)
    if fmt:
        return _baseline_export(request, baseline, comparison, fmt)
    context = {
        "baseline": baseline,
        "frozen": [_frozen_row(row) for row in baseline.by_category],
        "comparison": comparison,
        "form": form,
        "can_write": _can_write(request),
        "tab": "baselines",
    }
    return render(request, "spend/findings/baseline_detail.html", context)


def _frozen_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "amount": Decimal(row["amount"])}


BASELINE_COLUMNS = [
    gettext_lazy("Category id"),
    gettext_lazy("Category code"),
    gettext_lazy("Category"),
    gettext_lazy("Baseline amount"),
    gettext_lazy("Baseline lines"),
    gettext_lazy("Baseline suppliers"),
    gettext_lazy("Compared from"),
    gettext_lazy("Compared to"),
    gettext_lazy("Compared amount"),
    gettext_lazy("Difference"),
    gettext_lazy("Difference %"),
    gettext_lazy("Currency"),
]


def _baseline_export(
    request: TenantRequest, baseline: Baseline, comparison: selectors.Comparison, fmt: str
) -> Download:
    frozen = {row.get("category_id"): row for row in baseline.by_category}
    rows = []
    for r in comparison.rows:
        row = frozen.get(r.category_id, {})
        rows.append(
            [
                r.category_id or "",
                r.code,
                r.name or ("" if r.category_id else _("Uncategorised")),
                Money(r.baseline, comparison.currency),
                row.get("lines", 0),
                row.get("suppliers", 0),
                comparison.period_start,
                comparison.period_end,
                Money(r.current, comparison.currency),
                Money(r.difference, comparison.currency),
                r.pct if r.pct is not None else "",
                comparison.currency,
            ]
        )
    services.baseline_export_record(tenant=request.tenant, by=request.actor, baseline=baseline, fmt=fmt)
    return export_response(
        fmt, f"baseline-{baseline.period_start}-{baseline.period_end}-{_stamp()}", BASELINE_COLUMNS, rows
    )


@tenant_view(Scope.SPEND_WRITE)
@require_POST
def baseline_delete(request: TenantRequest, baseline_id: str) -> HttpResponse:
    baseline = access_baseline(by=request.actor, id=baseline_id, need=Scope.SPEND_WRITE)
    services.baseline_delete(tenant=request.tenant, by=request.actor, baseline_id=baseline.pk)
    messages.success(request, _("Baseline %(name)s deleted.") % {"name": baseline.name})
    return redirect("baseline_list", tenant_slug=request.tenant.slug)


@require_POST
@tenant_view(Scope.SPEND_WRITE)
def findings_raise(request: TenantRequest) -> HttpResponseBase:
    from sourcing.spend.services.finding_rules import findings_raise as raise_findings

    created, updated = raise_findings(tenant=request.tenant, by=request.actor)
    messages.success(
        request,
        ngettext("%(created)s finding raised", "%(created)s findings raised", created) % {"created": created}
        + "; "
        + ngettext("%(updated)s brought up to date or closed.", "%(updated)s brought up to date or closed.", updated)
        % {"updated": updated},
    )
    return redirect("finding_list", tenant_slug=request.tenant.slug)
