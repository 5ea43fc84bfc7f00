"""Pages for partner tokens: an agent's own "API access" page on the portal, and the admins' list of every
agent's tokens (next to the API keys), each with its revoke action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sourcing import partner_tokens
from sourcing.errors import DomainError
from sourcing.forms import Form, add_service_errors
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view


class PartnerTokenForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=partner_tokens.NAME_MAX,
        help_text=gettext_lazy("Where you will use it, e.g. “Office laptop” or “Our ERP connector”."),
    )


@tenant_view(Scope.PORTAL)
@never_cache  # a new token or key is shown once, in this response: never stored or shown again
def portal_api_access(request: TenantRequest) -> HttpResponse:
    form = PartnerTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = partner_tokens.partner_token_create(
                tenant=request.tenant, by=request.actor, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            form = PartnerTokenForm()
    tokens = list(partner_tokens.partner_token_list_for_membership(membership=request.membership))
    return render(
        request,
        "portal/api_access.html",
        {
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
            "active_count": sum(1 for t in tokens if t.is_active),
            "max_active": partner_tokens.MAX_ACTIVE_TOKENS,
        },
    )


@tenant_view(Scope.PORTAL)
@require_POST
def portal_partner_token_revoke(request: TenantRequest, partner_token_id: str) -> HttpResponse:
    partner_tokens.partner_token_revoke(tenant=request.tenant, by=request.actor, token_id=partner_token_id)
    messages.success(request, _("Token revoked."))
    return redirect("portal_api_access", tenant_slug=request.tenant.slug)


@tenant_view(Scope.APIKEY_MANAGE)
def partner_token_list(request: TenantRequest) -> HttpResponse:
    tokens = list(partner_tokens.partner_token_list())
    return render(request, "sourcing/partner_token_list.html", {"tokens": tokens})


@tenant_view(Scope.APIKEY_MANAGE)
@require_POST
def partner_token_revoke(request: TenantRequest, partner_token_id: str) -> HttpResponse:
    partner_tokens.partner_token_revoke(tenant=request.tenant, by=request.actor, token_id=partner_token_id)
    messages.success(request, _("Token revoked."))
    return redirect("partner_token_list", tenant_slug=request.tenant.slug)
