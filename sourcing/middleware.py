"""Show every signed-in person the site in their own language and time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation

from sourcing import errorpages


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # Leave the thread as it was found: the next request (or task) chooses its own.
            timezone.deactivate()
            translation.deactivate()


class ContentSecurityPolicyMiddleware:
    """Every response carries ``settings.CONTENT_SECURITY_POLICY`` unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy
        return response


class ProductNotFoundMiddleware:
    """The product's own 404 page (or the API's JSON 404) on every runtime. With DEBUG on, Django would answer
    a missing page with its debug page, which lists every URL pattern; nobody using the product needs that."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            # No URL matched: the response is Django's debug page.
            return errorpages.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return errorpages.page_not_found(request, exception)
        return None


# The most of an unread request body read and dropped before answering; beyond it the connection is closed on it.
DRAIN_MAX_BYTES = 32 * 1024 * 1024


class DrainRequestBodyMiddleware:
    """Takes in what is left of a request body the answer did not read (a body over the size limit answered
    413, a request refused 401 before its body was looked at) before the answer goes out. A server that closes
    the connection on unread data makes the client's system reset it, and the client then sees a broken
    connection instead of the answer. Bodies past ``DRAIN_MAX_BYTES`` are not waited for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        stream = getattr(request, "_stream", None)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if stream is not None and 0 < length <= DRAIN_MAX_BYTES:
            while stream.read(64 * 1024):
                pass
        return response
