"""Error pages: HTML for people, the one JSON error format under /api/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import permission_denied as django_permission_denied

from sourcing.api.errors import error_body, json_bad_request, json_not_found, json_server_error


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return json_bad_request(request, exception)
    return django_bad_request(request, exception or Exception())


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return json_not_found(request, exception)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        from django.http import JsonResponse

        return JsonResponse(error_body(403, "permission_denied", "You do not have permission to do this."), status=403)
    return django_permission_denied(request, exception or Exception(), template_name="403.html")


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return json_server_error(request)
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
