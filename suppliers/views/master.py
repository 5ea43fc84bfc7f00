"""Supplier master pages: the list with filters and export, create and edit with the duplicate check, the
profile's overview, sites, contacts and activity tabs, the lifecycle actions, the qualification board, and the
duplicate clusters with their merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sourcing.errors import DomainError
from sourcing.exports import export_response
from sourcing.forms import add_service_errors
from sourcing.list_views import keyset_page, page_size, sorting
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view
from suppliers import lifecycle
from suppliers.forms.master import (
    ContactForm,
    MergeForm,
    SiteForm,
    SupplierFilterForm,
    SupplierForm,
    TransitionForm,
)
from suppliers.governance import governance_for
from suppliers.models import Contact, Site, Supplier
from suppliers.selectors import master as selectors
from suppliers.selectors import qualification as qualification_selectors
from suppliers.selectors.duplicates import supplier_clusters
from suppliers.services import master as services
from suppliers.services import merge as merge_services
from suppliers.services import qualification as qualification_services
from suppliers.services import sites_contacts as site_services
from suppliers.services.access import access_contact, access_site, access_supplier
from suppliers.views.profile import profile_context


def _filter_form(request: TenantRequest, categories: list[Any], members: dict[Any, Any]) -> SupplierFilterForm:
    return SupplierFilterForm(request.GET or None, categories=categories, owners=selectors.owner_choices(members))


@tenant_view(Scope.SUPPLIER_READ)
def supplier_list(request: TenantRequest) -> HttpResponse:
    """One page of the list, its rows in one query: flags, certificates and categories are kept on the row,
    and categories and owners are named from what the filter reads anyway."""
    categories, members = selectors.category_choices(), selectors.members_by_id()
    form = _filter_form(request, categories, members)
    sort = sorting(request, {key: (field,) for key, field in selectors.SUPPLIER_SORTS.items()}, default="name")
    size = page_size(request)
    listed = selectors.list_page(
        selectors.supplier_list(form.filters()),
        request.GET.get("after"),
        size,
        members=members,
        refs=selectors.category_refs(categories),
        today=timezone.localdate(),
        sort=sort.key,
        descending=sort.descending,
    )
    page = keyset_page(
        request, total=listed.total, start=listed.start, shown=len(listed.rows), size=size, cursor=listed.next_cursor
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "suppliers/supplier_list.html",
        {
            "form": form,
            "rows": listed.rows,
            "page": page,
            "sort": sort,
            "export_query": query.urlencode(),
            "can_write": Scope.SUPPLIER_WRITE in request.membership.scopes,
        },
    )


EXPORT_HEADER = [
    gettext_lazy("Legal name"),
    gettext_lazy("Local name"),
    gettext_lazy("Status"),
    gettext_lazy("Tier"),
    gettext_lazy("Type"),
    gettext_lazy("Credit code"),
    gettext_lazy("Country"),
    gettext_lazy("Province"),
    gettext_lazy("City"),
    gettext_lazy("Website"),
    gettext_lazy("Phone"),
    gettext_lazy("ERP id"),
    gettext_lazy("Owner"),
    gettext_lazy("Categories"),
    gettext_lazy("Open risk flags"),
    gettext_lazy("Certificates expiring"),
    gettext_lazy("Certificates expired"),
]


@tenant_view(Scope.SUPPLIER_READ)
def supplier_export(request: TenantRequest) -> HttpResponseBase:
    """The list as filtered, every row (streamed as CSV, or as XLSX), formulas escaped. Internal and risk notes
    are not exported: the export leaves the building."""
    categories, members = selectors.category_choices(), selectors.members_by_id()
    form = _filter_form(request, categories, members)
    queryset = selectors.supplier_list(form.filters())
    refs, today = selectors.category_refs(categories), timezone.localdate()

    def rows() -> Any:
        for s in queryset.iterator(chunk_size=2000):
            expired, expiring = s.certificate_states(today)
            yield [
                s.legal_name,
                s.local_name,
                s.get_status_display(),
                s.get_tier_display(),
                s.get_supplier_type_display(),
                s.credit_code,
                s.country,
                s.province,
                s.city,
                s.website,
                s.phone,
                s.external_id,
                s.owner.user.email if s.owner else "",
                " ".join(c.code for c in selectors.categories_of(s, refs)),
                s.open_flag_count,
                expiring,
                expired,
            ]

    from sourcing.audit import audit_record

    audit_record(
        tenant=request.tenant, by=request.actor, action="supplier.export", after={"filters": request.GET.dict()}
    )
    return export_response(request.GET.get("format", "csv"), "suppliers", EXPORT_HEADER, rows())


def _supplier_form(request: TenantRequest, initial: dict[str, Any] | None = None) -> SupplierForm:
    return SupplierForm(
        request.POST or None,
        initial=initial,
        categories=selectors.category_choices(),
        owners=selectors.owner_choices(),
    )


def _initial(supplier: Supplier) -> dict[str, Any]:
    initial = {name: getattr(supplier, name) for name in services.SUPPLIER_FIELDS if hasattr(supplier, name)}
    initial["aliases"] = "\n".join(supplier.aliases)
    initial["owner"] = str(supplier.owner_id or "")
    initial["categories"] = [str(c.pk) for c in selectors.categories_by_supplier([supplier.pk])[supplier.pk]]
    return initial


@tenant_view(Scope.SUPPLIER_WRITE)
def supplier_create(request: TenantRequest) -> HttpResponse:
    form = _supplier_form(request, {"owner": str(request.membership.pk)})
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.supplier_create(
                tenant=request.tenant,
                by=request.actor,
                fields=form.fields_for_service(),
                allow_duplicates=form.cleaned_data["allow_duplicates"],
            )
        except services.PossibleDuplicate as exc:
            candidates = exc.candidates
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_service_errors(form, exc, renames={v: k for k, v in SupplierForm.RENAMED.items()})
        else:
            messages.success(request, _("Supplier %(name)s added as a prospect.") % {"name": supplier})
            return redirect("supplier_detail", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return render(request, "suppliers/supplier_form.html", {"form": form, "supplier": None, "candidates": candidates})


@tenant_view(Scope.SUPPLIER_WRITE)
def supplier_edit(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_WRITE, merged=True)
    form = _supplier_form(request, _initial(supplier))
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(
                tenant=request.tenant,
                by=request.actor,
                supplier_id=supplier.pk,
                fields=form.fields_for_service(),
                allow_duplicates=form.cleaned_data["allow_duplicates"],
            )
        except services.PossibleDuplicate as exc:
            candidates = exc.candidates
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_service_errors(form, exc, renames={v: k for k, v in SupplierForm.RENAMED.items()})
        else:
            messages.success(request, _("Supplier saved."))
            return redirect("supplier_detail", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return render(
        request, "suppliers/supplier_form.html", {"form": form, "supplier": supplier, "candidates": candidates}
    )


@tenant_view(Scope.SUPPLIER_READ)
def supplier_detail(request: TenantRequest, supplier_id: str) -> HttpResponse:
    """The overview tab: identity, governance, categories, qualification (what blocks approval, the actions the
    viewer may take) and the status timeline."""
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    scopes = request.membership.scopes
    actions = [a for a in lifecycle.actions_from(supplier.status) if a.scope in scopes]
    return render(
        request,
        "suppliers/supplier_detail.html",
        profile_context(
            request,
            supplier,
            "overview",
            governance=governance_for(supplier.tier),
            categories=selectors.categories_by_supplier([supplier.pk])[supplier.pk],
            blockers=qualification_selectors.approval_blockers(supplier),
            timeline=qualification_selectors.status_timeline(supplier),
            agents=selectors.agents_of(supplier),
            actions=actions,
            transition_form=TransitionForm(),
            merged_from=list(supplier.merged_from.order_by("legal_name")),
        ),
    )


@require_POST
@tenant_view(Scope.SUPPLIER_READ)
def supplier_transition(request: TenantRequest, supplier_id: str) -> HttpResponse:
    """One lifecycle action (the service checks the scope the action needs and the approval rules)."""
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    form = TransitionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        qualification_services.supplier_transition(
            tenant=request.tenant,
            by=request.actor,
            supplier_id=supplier.pk,
            action=data.get("action", ""),
            reason=data.get("reason", ""),
            conditions=data.get("conditions", ""),
            expires_on=data.get("expires_on") or None,
        )
    except DomainError as exc:
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items() if k != "action")
        messages.error(request, f"{exc.message} {detail}".strip())
    else:
        supplier.refresh_from_db(fields=["status"])
        messages.success(request, _("The supplier is now %(status)s.") % {"status": supplier.get_status_display()})
    return redirect("supplier_detail", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)


@tenant_view(Scope.SUPPLIER_READ)
def qualification_board(request: TenantRequest) -> HttpResponse:
    return render(request, "suppliers/qualification_board.html", {"columns": qualification_selectors.board()})


# Sites and contacts ------------------------------------------------------------------------------------------


@tenant_view(Scope.SUPPLIER_READ)
def supplier_sites(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    return render(
        request,
        "suppliers/supplier_sites.html",
        profile_context(request, supplier, "sites", sites=list(Site.objects.filter(supplier_id=supplier.pk))),
    )


def _child_form_page(
    request: TenantRequest,
    *,
    supplier_id: str,
    kind: str,
    child_id: str | None,
) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    form_class: Any = SiteForm if kind == "site" else ContactForm
    child = None
    initial: dict[str, Any] = {}
    if child_id is not None:
        access: Any = access_site if kind == "site" else access_contact
        child = access(by=request.actor, supplier=supplier, id=child_id, need=Scope.SUPPLIER_WRITE)
        initial = {name: getattr(child, name) for name in form_class.base_fields}
        if kind == "site":
            initial["processes"] = ", ".join(child.processes)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        save: Any = site_services.site_save if kind == "site" else site_services.contact_save
        key = "site_id" if kind == "site" else "contact_id"
        try:
            save(
                tenant=request.tenant,
                by=request.actor,
                supplier_id=supplier.pk,
                **{key: child.pk if child else None},
                **form.cleaned_data,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            tab = "supplier_sites" if kind == "site" else "supplier_contacts"
            return redirect(tab, tenant_slug=request.tenant.slug, supplier_id=supplier.pk)
    return render(
        request,
        "suppliers/child_form.html",
        profile_context(
            request, supplier, "sites" if kind == "site" else "contacts", form=form, child=child, kind=kind
        ),
    )


@tenant_view(Scope.SUPPLIER_WRITE)
def site_create(request: TenantRequest, supplier_id: str) -> HttpResponse:
    return _child_form_page(request, supplier_id=supplier_id, kind="site", child_id=None)


@tenant_view(Scope.SUPPLIER_WRITE)
def site_edit(request: TenantRequest, supplier_id: str, site_id: str) -> HttpResponse:
    return _child_form_page(request, supplier_id=supplier_id, kind="site", child_id=site_id)


@require_POST
@tenant_view(Scope.SUPPLIER_WRITE)
def site_delete(request: TenantRequest, supplier_id: str, site_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_WRITE, merged=True)
    site_services.site_delete(tenant=request.tenant, by=request.actor, supplier_id=supplier.pk, site_id=site_id)
    messages.success(request, _("Site removed."))
    return redirect("supplier_sites", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)


@tenant_view(Scope.SUPPLIER_READ)
def supplier_contacts(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    return render(
        request,
        "suppliers/supplier_contacts.html",
        profile_context(request, supplier, "contacts", contacts=list(Contact.objects.filter(supplier_id=supplier.pk))),
    )


@tenant_view(Scope.SUPPLIER_WRITE)
def contact_create(request: TenantRequest, supplier_id: str) -> HttpResponse:
    return _child_form_page(request, supplier_id=supplier_id, kind="contact", child_id=None)


@tenant_view(Scope.SUPPLIER_WRITE)
def contact_edit(request: TenantRequest, supplier_id: str, contact_id: str) -> HttpResponse:
    return _child_form_page(request, supplier_id=supplier_id, kind="contact", child_id=contact_id)


@require_POST
@tenant_view(Scope.SUPPLIER_WRITE)
def contact_delete(request: TenantRequest, supplier_id: str, contact_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_WRITE, merged=True)
    site_services.contact_delete(
        tenant=request.tenant, by=request.actor, supplier_id=supplier.pk, contact_id=contact_id
    )
    messages.success(request, _("Contact removed."))
    return redirect("supplier_contacts", tenant_slug=request.tenant.slug, supplier_id=supplier.pk)


@tenant_view(Scope.SUPPLIER_READ)
def supplier_activity(request: TenantRequest, supplier_id: str) -> HttpResponse:
    supplier = access_supplier(by=request.actor, id=supplier_id, need=Scope.SUPPLIER_READ, merged=True)
    return render(
        request,
        "suppliers/supplier_activity.html",
        profile_context(request, supplier, "activity", events=selectors.supplier_activity(supplier)),
    )


# Duplicates and merge ----------------------------------------------------------------------------------------


@tenant_view(Scope.SUPPLIER_READ)
def supplier_duplicates(request: TenantRequest) -> HttpResponse:
    clusters = supplier_clusters()
    return render(
        request,
        "suppliers/supplier_duplicates.html",
        {
            "clusters": clusters[:200],
            "total": len(clusters),
            "can_write": Scope.SUPPLIER_WRITE in request.membership.scopes,
        },
    )


@require_POST
@tenant_view(Scope.SUPPLIER_WRITE)
def supplier_merge(request: TenantRequest) -> HttpResponse:
    """Merge ``source`` into ``target`` (both ids from the form, resolved again by the service)."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the supplier to keep and the one to merge into it."))
        return redirect("supplier_duplicates", tenant_slug=request.tenant.slug)
    try:
        target = merge_services.supplier_merge(
            tenant=request.tenant,
            by=request.actor,
            source_id=form.cleaned_data["source"],
            target_id=form.cleaned_data["target"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supplier_duplicates", tenant_slug=request.tenant.slug)
    messages.success(request, _("Merged into %(name)s.") % {"name": target})
    return redirect("supplier_detail", tenant_slug=request.tenant.slug, supplier_id=target.pk)
