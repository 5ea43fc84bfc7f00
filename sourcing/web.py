"""The entry point of every tenant page: ``/t/<tenant_slug>/…``.

``tenant_view(scope)`` resolves the tenant from the URL, checks the signed-in user's active membership in
it (a tenant that does not exist and one the user is not a member of answer the same 404), checks the scope
the view declares, and runs the view, template rendering included, inside ``tenant_scope``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django_htmx.middleware import HtmxDetails

from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.models import USABLE_MEMBERSHIP, Membership, Tenant, User
from sourcing.tenancy import tenant_scope

View = Callable[..., HttpResponseBase]


class TenantRequest(HttpRequest):
    """What a view behind ``tenant_view`` receives (for type checkers; the attributes are set below)."""

    tenant: Tenant
    membership: Membership
    actor: Actor
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for lock-outs and the audit log. Behind TRUSTED_PROXY_COUNT proxies that each
    append to X-Forwarded-For, the client is that many entries from the right; anything further left is
    whatever the client chose to send, so it is never trusted."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


def _in_scope(tenant: Tenant, content: Iterable[Any]) -> Iterator[Any]:
    with tenant_scope(tenant):
        yield from content


def tenant_view(scope: str) -> Callable[[View], View]:
    """Declare the scope a tenant page needs; internal pages and partner pages both use this."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, tenant_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            tenant = Tenant.objects.filter(slug=tenant_slug, is_active=True).first()
            if tenant is None:
                raise Http404
            with tenant_scope(tenant):
                membership = (
                    Membership.objects.select_related("agency")
                    .filter(USABLE_MEMBERSHIP, user_id=request.user.pk)
                    .first()
                )
                if membership is None:
                    raise Http404
                membership.user = request.user  # type: ignore[assignment]
                if scope not in membership.scopes:
                    raise PermissionDenied
                request.tenant = tenant  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
                request.actor = Actor.for_membership(membership, ip_address=client_ip(request))  # type: ignore[attr-defined]
                try:
                    response = view(request, *args, **kwargs)
                except NotFoundError as exc:
                    raise Http404 from exc
                except ScopeError as exc:
                    raise PermissionDenied from exc
            if isinstance(response, StreamingHttpResponse) and not response.is_async:
                # A streamed body (a large export) is produced after this returns: it reads in the same scope.
                response.streaming_content = _in_scope(tenant, response.streaming_content)  # type: ignore[arg-type]
            return response

        wrapped.required_scope = scope  # type: ignore[attr-defined]
        return wrapped

    return decorate
