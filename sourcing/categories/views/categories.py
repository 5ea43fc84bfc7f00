"""Category pages: the tree with filters and export, the form, the detail with specifications and the CSV
import. The Kraljic matrix, sized by spend, is a cross-app page (sourcing/workspace/views.py)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sourcing.categories import csvio
from sourcing.categories.fields import REQUIREMENT_FIELDS
from sourcing.categories.forms.categories import CategoryFilterForm, CategoryForm, ImportForm, SpecUploadForm
from sourcing.categories.models import Category
from sourcing.categories.selectors import categories as selectors
from sourcing.categories.services import categories as services
from sourcing.categories.services.access import access_category
from sourcing.errors import DomainError
from sourcing.forms import add_service_errors
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view


def _can_edit(request: TenantRequest) -> bool:
    return Scope.CATEGORY_WRITE in request.membership.scopes


@tenant_view(Scope.CATEGORY_READ)
def category_list(request: TenantRequest) -> HttpResponse:
    form = CategoryFilterForm(request.GET or None, owners=selectors.owner_choices())
    filters = form.filters()
    nodes = selectors.category_list(**filters)
    return render(
        request,
        "categories/category_list.html",
        {
            "form": form,
            "nodes": nodes,
            "matched": sum(1 for n in nodes if n.matched),
            "filtered": any(filters.values()),
            "can_edit": _can_edit(request),
        },
    )


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@tenant_view(Scope.CATEGORY_READ)
def category_export(request: TenantRequest) -> HttpResponse:
    """The list as filtered, as CSV in the import's columns (and a few more for reading)."""
    form = CategoryFilterForm(request.GET or None, owners=selectors.owner_choices())
    filters = form.filters()
    nodes = selectors.category_list(**filters, context=False)
    rows: list[list[Any]] = [list(csvio.EXPORT_COLUMNS)]
    for node in nodes:
        c = node.category
        rows.append(
            [
                c.code,
                c.name,
                c.parent.code if c.parent else "",
                c.description,
                c.segment,
                c.profit_impact,
                c.supply_risk,
                _yes_no(c.is_production_material),
                c.expected_lead_time_days,
                c.kraljic_position or "",
                c.owner.user.email if c.owner else "",
                node.children_count,
                "; ".join(c.compliance_requirements),
                "; ".join(c.required_certifications),
                "; ".join(c.required_audits),
            ]
        )
    services.category_export_record(tenant=request.tenant, by=request.actor, rows=len(nodes), filters=filters)
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheets read the file as UTF-8 (Chinese names included)
    csvio.write(rows, out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="categories-{request.tenant.slug}-{stamp}.csv"'
    return response


def _category_form(request: TenantRequest, category: Category | None, initial: dict[str, Any]) -> CategoryForm:
    return CategoryForm(
        request.POST or None,
        initial=initial,
        nodes=selectors.category_list(),
        owners=selectors.owner_choices(include=[category.owner_id] if category else []),
        category=category,
    )


@tenant_view(Scope.CATEGORY_WRITE)
def category_create(request: TenantRequest) -> HttpResponse:
    parent = selectors.as_uuid(request.GET.get("parent"))
    form = _category_form(request, None, {"parent": str(parent) if parent else ""})
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(tenant=request.tenant, by=request.actor, **form.service_arguments())
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Category %(category)s added.") % {"category": category})
            return redirect("category_detail", tenant_slug=request.tenant.slug, category_id=category.pk)
    return render(request, "categories/category_form.html", {"form": form, "category": None})


@tenant_view(Scope.CATEGORY_WRITE)
def category_edit(request: TenantRequest, category_id: str) -> HttpResponse:
    category = access_category(by=request.actor, id=category_id, need=Scope.CATEGORY_WRITE)
    form = _category_form(request, category, CategoryForm.initial_for(category))
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                tenant=request.tenant, by=request.actor, category_id=category.pk, **form.service_arguments()
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("category_detail", tenant_slug=request.tenant.slug, category_id=category.pk)
    return render(request, "categories/category_form.html", {"form": form, "category": category})


_REQUIREMENT_HEADINGS = {
    "compliance_requirements": gettext_lazy("Compliance"),
    "required_certifications": gettext_lazy("Certifications"),
    "required_audits": gettext_lazy("Audits"),
}


def _requirements(category: Category) -> list[tuple[str, list[str]]]:
    """Each requirement list under its heading, values shown by their labels."""
    result = []
    for name, heading in _REQUIREMENT_HEADINGS.items():
        labels = dict(REQUIREMENT_FIELDS[name].choices)
        result.append((str(heading), [str(labels.get(v, v)) for v in getattr(category, name)]))
    return result


def _detail(request: TenantRequest, category: Category, spec_form: SpecUploadForm) -> HttpResponse:
    return render(
        request,
        "categories/category_detail.html",
        {
            "category": category,
            "requirements": _requirements(category),
            "ancestors": selectors.category_ancestors(category=category),
            "children": selectors.category_children(category=category),
            "specs": selectors.category_specs(category=category),
            "spec_form": spec_form,
            "can_edit": _can_edit(request),
        },
    )


@tenant_view(Scope.CATEGORY_READ)
def category_detail(request: TenantRequest, category_id: str) -> HttpResponse:
    category = access_category(by=request.actor, id=category_id, need=Scope.CATEGORY_READ)
    return _detail(request, category, SpecUploadForm())


@tenant_view(Scope.CATEGORY_WRITE)
@require_POST
def category_delete(request: TenantRequest, category_id: str) -> HttpResponse:
    category = access_category(by=request.actor, id=category_id, need=Scope.CATEGORY_WRITE)
    try:
        services.category_delete(tenant=request.tenant, by=request.actor, category_id=category.pk)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect("category_detail", tenant_slug=request.tenant.slug, category_id=category.pk)
    messages.success(request, _("Category %(category)s deleted.") % {"category": category})
    return redirect("category_list", tenant_slug=request.tenant.slug)


@tenant_view(Scope.CATEGORY_WRITE)
@require_POST
def category_spec_upload(request: TenantRequest, category_id: str) -> HttpResponse:
    category = access_category(by=request.actor, id=category_id, need=Scope.CATEGORY_WRITE)
    form = SpecUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            spec = services.category_spec_upload(
                tenant=request.tenant,
                by=request.actor,
                category_id=category.pk,
                title=form.cleaned_data["title"],
                file=upload,
                file_name=upload.name,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(title)s version %(version)d uploaded.") % {"title": spec.title, "version": spec.version},
            )
            return redirect("category_detail", tenant_slug=request.tenant.slug, category_id=category.pk)
    return _detail(request, category, form)


@tenant_view(Scope.CATEGORY_READ)
def category_spec_download(request: TenantRequest, spec_id: str) -> HttpResponse:
    """Specification files leave only through here: tenant-scoped, recorded, and always as a download."""
    spec = services.category_spec_download(tenant=request.tenant, by=request.actor, spec_id=spec_id)
    try:
        handle = spec.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=spec.file_name, content_type=spec.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a streamed response, which tenant_view passes through


@tenant_view(Scope.CATEGORY_WRITE)
def category_import(request: TenantRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[csvio.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.categories_import_csv(
                tenant=request.tenant, by=request.actor, file=upload, file_name=upload.name
            )
        except services.CategoryImportError as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Import done: %(created)d added, %(updated)d changed, %(unchanged)d unchanged.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("category_list", tenant_slug=request.tenant.slug)
    return render(
        request,
        "categories/category_import.html",
        {"form": form, "errors": errors, "columns": csvio.IMPORT_COLUMNS},
    )
