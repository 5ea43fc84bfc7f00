"""The entry point of every tenant page: ``/t/<tenant_slug>/…``.

``tenant_view(scope)`` resolves the tenant from the URL, checks the signed-in user's active membership in
it (a tenant that does not exist and one the user is not a member of answer the same 404), checks the scope
the view declares, and runs the view, template rendering included, inside ``tenant_scope``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from sourcing.actors import Actor
from sourcing.errors import NotFoundError, ScopeError
from sourcing.models import USABLE_MEMBERSHIP, Membership, Tenant, User
from sourcing.tenancy import tenant_scope
from sourcing.text import control_character_error, visible

View = Callable[..., HttpResponseBase]


class TenantRequest(HttpRequest):
    """What a view behind ``tenant_view`` receives (for type checkers; the attributes are set below)."""

    tenant: Tenant
    membership: Membership
    actor: Actor
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The sign-in name that lock-outs are counted by: the e-mail as sign-in reads it (case ignored), so
    "EXEC@globex.test" and "exec@globex.test" share one failure count."""
    source: Any = credentials if credentials is not None else request.POST
    return str(source.get(settings.AXES_USERNAME_FORM_FIELD) or source.get("username") or "").strip().lower()


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


def drop_unsafe_query(request: HttpRequest) -> None:
    """Query-string parameters holding control characters (a NUL cannot even be compared in PostgreSQL) are
    left out of ``request.GET``, and the page says which were ignored."""
    unsafe = [
        name
        for name, values in request.GET.lists()
        if any(control_character_error(v, multiline=False) for v in (name, *values))
    ]
    if not unsafe:
        return
    query = request.GET.copy()
    for name in unsafe:
        del query[name]
        messages.error(
            request,
            _("The filter “%(name)s” contains characters that are not allowed; it was ignored.")
            % {"name": visible(name)},
        )
    query._mutable = False
    request.GET = query  # type: ignore[assignment]  # made immutable above


# The date filters of list pages, as (start, end) query parameters: spend pages, the audit log.
DATE_FILTERS = (("date_from", "date_to"), ("since", "until"))


def drop_bad_date_filters(request: HttpRequest) -> None:
    """A date filter that is not a date, or a start after its end, is left out of ``request.GET`` (rather than
    silently reading as no filter or matching nothing) and the page says so."""
    query, changed = request.GET.copy(), False
    for start, end in DATE_FILTERS:
        days: dict[str, datetime.date] = {}
        for name in (start, end):
            value = query.get(name, "").strip()
            if not value:
                continue
            try:
                days[name] = datetime.date.fromisoformat(value)
            except ValueError:
                del query[name]
                changed = True
                messages.error(
                    request,
                    _("“%(value)s” is not a date (YYYY-MM-DD); the date filter was ignored.") % {"value": value[:40]},
                )
        if start in days and end in days and days[start] > days[end]:
            del query[start]
            del query[end]
            changed = True
            messages.error(request, _("The start date is after the end date; the date filter was ignored."))
    if changed:
        query._mutable = False
        request.GET = query  # type: ignore[assignment]  # made immutable above


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
                drop_unsafe_query(request)
                drop_bad_date_filters(request)
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
