"""Export job pages: follow an export's progress, download its file. A list's own page starts the export (its
scope is the list's; see ``sourcing.spend.views.analysis.spend_lines_export``), through
``export_job_services.export_job_start`` and ``export_job_start_response`` below."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render

from sourcing import export_job_services as services
from sourcing.access import access_export_job
from sourcing.errors import DomainError, NotFoundError, ScopeError
from sourcing.exports import CSV_TYPE, XLSX_TYPE
from sourcing.models import ExportStatus
from sourcing.roles import Scope
from sourcing.web import TenantRequest, tenant_view

CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


@tenant_view(Scope.ENTER)
def export_job_detail(request: TenantRequest, export_job_id: str) -> HttpResponse:
    job = access_export_job(by=request.actor, id=export_job_id, need=Scope.ENTER)
    kind = services.export_kinds().get(job.kind)
    percent, done, total = services.export_job_progress(job=job)
    context = {"job": job, "label": kind.label if kind else job.kind, "percent": percent, "done": done, "total": total}
    if request.htmx and not job.is_finished:
        return render(request, "sourcing/_export_job_progress.html", context)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "sourcing/export_job.html", context)


@tenant_view(Scope.ENTER)
def export_job_download(request: TenantRequest, export_job_id: str) -> HttpResponseBase:
    job = access_export_job(by=request.actor, id=export_job_id, need=Scope.ENTER)
    if job.status != ExportStatus.SUCCEEDED or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file_name, content_type=CONTENT_TYPES[job.format]
    )


def export_job_start_response(request: TenantRequest, *, kind: str) -> HttpResponseBase:
    """Start an export of the list ``kind`` from a list page's export form (``format``, and ``query``: the list's
    query string as it was) and send the person to the job's page."""
    filters = QueryDict(request.POST.get("query", "")[:4000]).dict()
    try:
        job = services.export_job_start(
            tenant=request.tenant, by=request.actor, kind=kind, fmt=request.POST.get("format", ""), filters=filters
        )
    except (NotFoundError, ScopeError):
        raise  # the page wrapper answers 404 and 403
    except DomainError as exc:
        return HttpResponse(str(exc), status=400)
    return redirect("export_job_detail", tenant_slug=request.tenant.slug, export_job_id=job.pk)
