"""Onboarding pages: the profile tab (progress, tasks and their actions), the overdue list across suppliers,
and the checklist templates per tier."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.list_views import list_page, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers.forms.onboarding import (
    AssignForm,
    CompleteForm,
    DueForm,
    ItemEditForm,
    ItemForm,
    OverdueFilterForm,
    WaiveForm,
)
from suppliers.models import OnboardingTask
from suppliers.selectors import onboarding as selectors
from suppliers.services import onboarding as services
from suppliers.services import onboarding_templates as template_services
from suppliers.services.access import (
    access_onboarding_item,
    access_onboarding_task,
    access_onboarding_template,
    access_supplier,
)
from suppliers.views.profile import profile_context

# The overdue list's sortable columns: key → the ORM ordering ascending (the id breaks ties).
OVERDUE_SORTS = {
    "supplier": ("supplier__legal_name", "position"),
    "task": ("title",),
    "due": ("due_on", "supplier__legal_name", "position"),
}


def _form_errors(form: Any, exc: DomainError) -> None:
    """A service's errors on the fields they name; 403 and 404 are not form errors."""
    if exc.status in {403, 404}:
        raise exc
    add_service_errors(form, exc)


def _refusal(exc: DomainError) -> str:
    """A refused action as one message for the page it returns to."""
    if exc.status in {403, 404}:
        raise exc
    details = [m for ms in exc.fields.values() for m in ms]
    return " ".join([exc.message, *details]) if details and details != [exc.message] else exc.message


# The profile tab


@tenant_view(Scope.SUPPLIER_READ)
def supplier_onboarding(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    tasks = selectors.onboarding_tasks(supplier)
    scopes = request.membership.scopes
    can_write = Scope.SUPPLIER_WRITE in scopes
    owners = selectors.owner_choices(include=[t.owner_id for t in tasks]) if can_write else []
    settled = sum(1 for t in tasks if t.status in selectors.SETTLED)
    rows = [
        {
            "task": t,
            "overdue": t.is_overdue(),
            "assign_form": AssignForm(initial={"owner": str(t.owner_id or "")}, owners=owners, prefix=str(t.pk))
            if can_write
            else None,
            "due_form": DueForm(initial={"due_on": t.due_on}, prefix=str(t.pk)) if can_write else None,
        }
        for t in tasks
    ]
    context = profile_context(
        request,
        supplier,
        "onboarding",
        rows=rows,
        settled=settled,
        total=len(tasks),
        percent=round(100 * settled / len(tasks)) if tasks else 0,
        blockers=services.supplier_award_blockers(supplier),
        complete_form=CompleteForm(),
        waive_form=WaiveForm(),
        can_waive=Scope.SUPPLIER_QUALIFY in scopes,
    )
    return render(request, "suppliers/onboarding/supplier_onboarding.html", context)


def _back_to_tab(request: TenantRequest, supplier_id: Any) -> HttpResponse:
    return redirect("supplier_onboarding", tenant_slug=request.tenant.slug, supplier_id=supplier_id)


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def onboarding_start(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_WRITE, merged=True)
    try:
        added = services.onboarding_start(tenant=request.tenant, by=request.actor, supplier_id=supplier.pk)
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        if added:
            messages.success(request, _("Onboarding started: %(n)d tasks added.") % {"n": len(added)})
        else:
            messages.info(request, _("Every item of the checklist is already a task."))
    return _back_to_tab(request, supplier.pk)


def _task_action(request: TenantRequest, task_id: str, act: Any, done: str) -> HttpResponse:
    task = access_onboarding_task(by=request.actor, id=task_id, need=Scope.SUPPLIER_READ)
    try:
        act(task)
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, done % {"task": task.title})
    return _back_to_tab(request, task.supplier_id)


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def onboarding_task_assign(request: TenantRequest, onboarding_task_id: str) -> HttpResponse:
    def act(task: OnboardingTask) -> None:
        # Read by its prefix, as the tab renders one form per task.
        owner = request.POST.get(f"{task.pk}-owner", request.POST.get("owner", ""))
        services.onboarding_task_assign(tenant=request.tenant, by=request.actor, task_id=task.pk, owner_id=owner)

    return _task_action(request, onboarding_task_id, act, _("Owner of %(task)s saved."))


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def onboarding_task_due(request: TenantRequest, onboarding_task_id: str) -> HttpResponse:
    def act(task: OnboardingTask) -> None:
        due = request.POST.get(f"{task.pk}-due_on", request.POST.get("due_on", ""))
        services.onboarding_task_set_due(tenant=request.tenant, by=request.actor, task_id=task.pk, due_on=due)

    return _task_action(request, onboarding_task_id, act, _("Due date of %(task)s saved."))


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def onboarding_task_complete(request: TenantRequest, onboarding_task_id: str) -> HttpResponse:
    def act(task: OnboardingTask) -> None:
        form = CompleteForm(request.POST, request.FILES)
        if not form.is_valid():
            raise DomainError(
                _("Please correct the fields below."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
            )
        upload = form.cleaned_data["file"]
        services.onboarding_task_complete(
            tenant=request.tenant,
            by=request.actor,
            task_id=task.pk,
            note=form.cleaned_data["note"],
            file=upload,
            file_name=upload.name if upload else "",
        )

    return _task_action(request, onboarding_task_id, act, _("%(task)s done."))


@tenant_view(Scope.SUPPLIER_QUALIFY)
@require_POST
def onboarding_task_waive(request: TenantRequest, onboarding_task_id: str) -> HttpResponse:
    def act(task: OnboardingTask) -> None:
        services.onboarding_task_waive(
            tenant=request.tenant, by=request.actor, task_id=task.pk, reason=request.POST.get("reason", "")
        )

    return _task_action(request, onboarding_task_id, act, _("%(task)s waived."))


@tenant_view(Scope.SUPPLIER_WRITE)
@require_POST
def onboarding_task_reopen(request: TenantRequest, onboarding_task_id: str) -> HttpResponse:
    def act(task: OnboardingTask) -> None:
        services.onboarding_task_reopen(tenant=request.tenant, by=request.actor, task_id=task.pk)

    return _task_action(request, onboarding_task_id, act, _("%(task)s reopened."))


@tenant_view(Scope.SUPPLIER_READ)
def onboarding_evidence(request: TenantRequest, onboarding_task_id: str) -> HttpResponse:
    """Evidence files leave only through here: tenant-scoped, recorded, and always as a download."""
    task = services.onboarding_evidence_download(tenant=request.tenant, by=request.actor, task_id=onboarding_task_id)
    try:
        handle = task.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=task.file_name, content_type=task.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a streamed response, which tenant_view passes through


# Overdue tasks across suppliers


@tenant_view(Scope.SUPPLIER_READ)
def onboarding_overdue(request: TenantRequest) -> HttpResponse:
    form = OverdueFilterForm(request.GET or None, owners=selectors.owner_choices())
    owner = form.owner_filter()
    sort = sorting(request, OVERDUE_SORTS, default="due")
    page = list_page(request, sort.apply(selectors.onboarding_overdue(owner=owner)))
    context = {"form": form, "page": page, "sort": sort, "tasks": list(page.object_list), "filtered": bool(owner)}
    return render(request, "suppliers/onboarding/overdue.html", context)


# Checklist templates


@tenant_view(Scope.SUPPLIER_CONFIGURE)
def onboarding_template_list(request: TenantRequest) -> HttpResponse:
    templates = template_services.onboarding_templates_ensure(tenant=request.tenant, by=request.actor)
    return render(request, "suppliers/onboarding/template_list.html", {"templates": templates})


def _template_page(request: TenantRequest, template: Any, form: ItemForm, status: int = 200) -> HttpResponse:
    context = {"template": template, "items": selectors.onboarding_items(template), "form": form}
    return render(request, "suppliers/onboarding/template_detail.html", context, status=status)


@tenant_view(Scope.SUPPLIER_CONFIGURE)
def onboarding_template_detail(request: TenantRequest, onboarding_template_id: str) -> HttpResponse:
    template = access_onboarding_template(by=request.actor, id=onboarding_template_id, need=Scope.SUPPLIER_CONFIGURE)
    return _template_page(request, template, ItemForm())


@tenant_view(Scope.SUPPLIER_CONFIGURE)
@require_POST
def onboarding_item_add(request: TenantRequest, onboarding_template_id: str) -> HttpResponse:
    template = access_onboarding_template(by=request.actor, id=onboarding_template_id, need=Scope.SUPPLIER_CONFIGURE)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            item = template_services.onboarding_item_add(
                tenant=request.tenant, by=request.actor, template_id=template.pk, **form.cleaned_data
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(item)s added.") % {"item": item.title})
            return redirect(
                "onboarding_template_detail", tenant_slug=request.tenant.slug, onboarding_template_id=template.pk
            )
    return _template_page(request, template, form)


@tenant_view(Scope.SUPPLIER_CONFIGURE)
def onboarding_item_edit(request: TenantRequest, onboarding_item_id: str) -> HttpResponse:
    item = access_onboarding_item(by=request.actor, id=onboarding_item_id, need=Scope.SUPPLIER_CONFIGURE)
    initial = {
        "title": item.title,
        "is_required": item.is_required,
        "due_days": item.due_days,
        "position": item.position,
    }
    form = ItemEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template_services.onboarding_item_update(
                tenant=request.tenant, by=request.actor, item_id=item.pk, **form.cleaned_data
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Item saved."))
            return redirect(
                "onboarding_template_detail", tenant_slug=request.tenant.slug, onboarding_template_id=item.template_id
            )
    return render(request, "suppliers/onboarding/item_form.html", {"form": form, "item": item})


@tenant_view(Scope.SUPPLIER_CONFIGURE)
@require_POST
def onboarding_item_remove(request: TenantRequest, onboarding_item_id: str) -> HttpResponse:
    item = access_onboarding_item(by=request.actor, id=onboarding_item_id, need=Scope.SUPPLIER_CONFIGURE)
    template = template_services.onboarding_item_remove(tenant=request.tenant, by=request.actor, item_id=item.pk)
    messages.success(request, _("%(item)s removed from the checklist.") % {"item": item.title})
    return redirect("onboarding_template_detail", tenant_slug=request.tenant.slug, onboarding_template_id=template.pk)
