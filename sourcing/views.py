"""Pages of the core: home and tenant switcher, dashboards, tenant administration, audit, preferences."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sourcing import selectors, services
from sourcing.access import access_membership
from sourcing.audit_text import action_text
from sourcing.errors import DomainError
from sourcing.exports import export_response
from sourcing.forms import (
    AgencyForm,
    ApiKeyForm,
    AuditFilterForm,
    InviteForm,
    PreferencesForm,
    RoleForm,
    TenantSettingsForm,
    add_service_errors,
)
from sourcing.list_views import list_page, sorting
from sourcing.models import Membership, User
from sourcing.roles import Role, Scope
from sourcing.web import TenantRequest, tenant_view


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _landing(membership: Membership) -> str:
    name = "portal_home" if membership.role == Role.AGENT else "dashboard"
    return reverse(name, kwargs={"tenant_slug": membership.tenant.slug})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # login_required
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect(_landing(memberships[0]))
    return render(request, "sourcing/tenant_picker.html", {"memberships": memberships})


@tenant_view(Scope.ENTER)
def tenant_home(request: TenantRequest) -> HttpResponse:
    request.membership.tenant = request.tenant
    return redirect(_landing(request.membership))


@tenant_view(Scope.TENANT_READ)
def tenant_settings(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    initial = {f: getattr(tenant, f) for f in services.TENANT_FIELDS}
    form = TenantSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tenant_update(tenant=tenant, by=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("tenant_settings", tenant_slug=tenant.slug)
    can_edit = Scope.TENANT_WRITE in request.membership.scopes
    return render(request, "sourcing/tenant_settings.html", {"form": form, "can_edit": can_edit})


@tenant_view(Scope.MEMBER_READ)
def member_list(request: TenantRequest) -> HttpResponse:
    role = request.GET.get("role") or None
    members = list(selectors.member_list(role=role if role in Role.values else None))
    return render(
        request,
        "sourcing/member_list.html",
        {
            "members": members,
            "roles": Role.choices,
            "selected_role": role,
            "can_edit": Scope.MEMBER_WRITE in request.membership.scopes,
        },
    )


@tenant_view(Scope.MEMBER_WRITE)
def member_invite(request: TenantRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, initial={"language": request.tenant.default_language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.member_invite(
                tenant=request.tenant,
                by=request.actor,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                language=data["language"] or None,
                agency_id=data["agency"].pk if data["agency"] else None,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(email)s was invited.") % {"email": membership.user.email})
            return redirect("member_list", tenant_slug=request.tenant.slug)
    return render(request, "sourcing/member_invite.html", {"form": form})


@tenant_view(Scope.MEMBER_WRITE)
def member_edit(request: TenantRequest, membership_id: str) -> HttpResponse:
    membership = access_membership(by=request.actor, id=membership_id, need=Scope.MEMBER_WRITE)
    form = RoleForm(request.POST or None, initial={"role": membership.role, "agency": membership.agency_id})
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            services.member_change_role(
                tenant=request.tenant,
                by=request.actor,
                membership_id=membership.pk,
                role=form.cleaned_data["role"],
                agency_id=agency.pk if agency else None,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Role changed."))
            return redirect("member_list", tenant_slug=request.tenant.slug)
    return render(request, "sourcing/member_edit.html", {"form": form, "member": membership})


@tenant_view(Scope.MEMBER_WRITE)
@require_POST
def member_set_active(request: TenantRequest, membership_id: str) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        services.member_set_active(
            tenant=request.tenant,
            by=request.actor,
            membership_id=membership_id,
            active=active,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Member reactivated.") if active else _("Member deactivated."))
    return redirect("member_list", tenant_slug=request.tenant.slug)


@tenant_view(Scope.AGENCY_WRITE)
def agency_create(request: TenantRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_create(tenant=request.tenant, by=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Agency added."))
            return redirect("agency_list", tenant_slug=request.tenant.slug)
    return render(request, "sourcing/agency_create.html", {"form": form})


@tenant_view(Scope.AGENCY_WRITE)
@require_POST
def agency_set_active(request: TenantRequest, agency_id: str) -> HttpResponse:
    active = request.POST.get("active") == "1"
    services.agency_set_active(tenant=request.tenant, by=request.actor, agency_id=agency_id, active=active)
    messages.success(request, _("Agency updated."))
    return redirect("agency_list", tenant_slug=request.tenant.slug)


@tenant_view(Scope.APIKEY_MANAGE)
@never_cache  # a new token or key is shown once, in this response: never stored or shown again
def api_key_list(request: TenantRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, new_key = services.api_key_create(
                tenant=request.tenant,
                by=request.actor,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiKeyForm()
    keys = list(selectors.api_key_list())
    return render(request, "sourcing/api_key_list.html", {"keys": keys, "form": form, "new_key": new_key})


@tenant_view(Scope.APIKEY_MANAGE)
@require_POST
def api_key_revoke(request: TenantRequest, api_key_id: str) -> HttpResponse:
    services.api_key_revoke(tenant=request.tenant, by=request.actor, api_key_id=api_key_id)
    messages.success(request, _("Key revoked."))
    return redirect("api_key_list", tenant_slug=request.tenant.slug)


@tenant_view(Scope.AUDIT_READ)
def audit_list(request: TenantRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, object_types=selectors.audit_object_types())
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(**{k: v for k, v in filters.items() if v})
    sort = sorting(request, {"when": ("id",), "action": ("action",)}, default="-when")  # ids follow time
    page = list_page(request, sort.apply(events.select_related(None)))
    return render(request, "sourcing/audit_list.html", {"form": form, "page": page, "sort": sort})


AUDIT_EXPORT_HEADER = [
    gettext_lazy("When"),
    gettext_lazy("Who"),
    gettext_lazy("Action"),
    gettext_lazy("Action code"),
    gettext_lazy("Object type"),
    gettext_lazy("Object id"),
    gettext_lazy("Object"),
    gettext_lazy("IP address"),
    gettext_lazy("Before"),
    gettext_lazy("After"),
]


@tenant_view(Scope.AUDIT_READ)
def audit_export(request: TenantRequest) -> HttpResponseBase:
    """The audit log as filtered, every event (streamed as CSV, or as XLSX), times in the viewer's zone."""
    form = AuditFilterForm(request.GET or None, object_types=selectors.audit_object_types())
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    events = selectors.audit_event_list(**filters).select_related(None)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"

    def rows() -> Any:
        for e in events.iterator(chunk_size=2000):
            yield [
                e.created_at, e.actor_label, action_text(e.action), e.action, e.object_type, e.object_id,
                e.object_repr, e.ip_address, _json(e.before), _json(e.after),
            ]  # fmt: skip

    services.audit_event_export_record(tenant=request.tenant, by=request.actor, filters=filters, fmt=fmt)
    return export_response(fmt, "audit-log", AUDIT_EXPORT_HEADER, rows())


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else ""


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    form = PreferencesForm(request.POST or None, initial={"language": user.language, "time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(user=user, **form.cleaned_data)
        translation.activate(user.language)  # confirm in the language just chosen
        messages.success(request, _("Preferences saved."))
        response = redirect("preferences")
        set_language_cookie(response, form.cleaned_data["language"])
        return response
    return render(request, "sourcing/preferences.html", {"form": form})


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """The language cookie with the attributes the settings give it (Secure in production, HTTP-only)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax"
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch language: saved on the person when signed in, in a cookie otherwise."""
    language = request.POST.get("language", "en")
    if language not in {"en", "zh-hans"}:
        language = "en"
    if request.user.is_authenticated:
        services.user_set_preferences(user=request.user, language=language)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    set_language_cookie(response, language)
    return response
