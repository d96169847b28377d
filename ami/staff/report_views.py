"""Staff reports: exports, statistics, PDF summaries and zips of PDF summaries."""

from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territories.permissions import scope_by_region

from .. import export_jobs, exports
from ..audit import Action as AccessAction
from ..audit import filter_summary, record_access
from ..models import PdfBatch, Submission
from ..pdf import pdf_response, pdf_submissions
from . import services
from .access import staff_required
from .stats import statistics_key, statistics_of
from .views import filtered

# Beyond this, the list should be narrowed: a zip is for a meeting's file, not an archive.
MAX_BATCH = 200


@staff_required()
def export(request: HttpRequest, extension: str) -> HttpResponse:
    """The filtered list as a file; logged with its filters and its number of rows."""
    filterset = filtered(request)
    queryset = filterset.qs
    rows = queryset.order_by().count()
    record_access(
        request.user,
        AccessAction.EXPORT,
        reference=_("Liste des réponses (%(format)s)") % {"format": extension.upper()},
        details={"format": extension, "filters": filter_summary(filterset.form), "rows": rows},
    )
    if extension != "csv" and rows > export_jobs.EXPORT_INLINE_ROWS:
        # Built whole, a large spreadsheet takes seconds: behind a progress page instead.
        job = services.start_export(
            request.user, extension=extension, query=request.GET.urlencode(), rows=rows
        )
        return redirect("staff:export_job", pk=job.id)
    return exports.export_response(queryset, extension)


def own_export(request: HttpRequest, pk: UUID) -> export_jobs.ExportJob:
    job = export_jobs.get_job(str(pk), request.user.pk)
    if job is None:
        raise Http404
    return job


@staff_required()
def export_job(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The progress of a large export; refreshes itself until the file is ready."""
    return render(request, "ami/staff/export_job.html", {"job": own_export(request, pk)})


@staff_required()
def export_job_download(request: HttpRequest, pk: UUID) -> FileResponse:
    job = own_export(request, pk)
    if job.status != "done":
        raise Http404
    return FileResponse(
        open(job.file, "rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=exports.CONTENT_TYPES[job.extension],
    )


@staff_required()
def statistics(request: HttpRequest) -> HttpResponse:
    filterset = filtered(request)
    key = statistics_key(filterset.qs)
    chart_list, figures = statistics_of(filterset.qs, key)
    return render(
        request,
        "ami/staff/statistics.html",
        {
            "filterset": filterset,
            "total": figures.total,
            "figures": figures,
            "charts": chart_list,
            "delay": figures.delay,
            # The figures' markup is kept too (ami/staff/statistics.html), under the same key.
            "statistics_key": key,
        },
    )


@staff_required()
def submission_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        submission = scope_by_region(pdf_submissions(), request.user, "campaign__region").get(pk=pk)
    except Submission.DoesNotExist as missing:
        raise Http404 from missing
    record_access(request.user, AccessAction.PDF_DOWNLOADED, submission)
    return pdf_response(submission)


@require_POST
@staff_required()
def create_batch(request: HttpRequest) -> HttpResponse:
    """A zip of the PDF summaries of the filtered list (the filters are in the query string)."""
    filterset = filtered(request)
    ids = list(filterset.qs.values_list("pk", flat=True)[: MAX_BATCH + 1])
    dashboard = reverse("staff:dashboard") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if not ids:
        messages.error(request, _("Aucune réponse ne correspond aux filtres."))
        return redirect(dashboard)
    if len(ids) > MAX_BATCH:
        messages.error(
            request,
            _("Plus de %(max)d réponses : affinez les filtres pour produire les PDF.")
            % {"max": MAX_BATCH},
        )
        return redirect(dashboard)
    batch = services.create_pdf_batch(request.user, ids, filters=filter_summary(filterset.form))
    return redirect("staff:batch", pk=batch.pk)


def own_batch(request: HttpRequest, pk: UUID) -> PdfBatch:
    """Only the user who asked sees a batch; anyone else gets a 404, as if it did not exist."""
    return get_object_or_404(PdfBatch, pk=pk, requested_by=request.user)


@staff_required()
def batch_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    return render(request, "ami/staff/batch.html", {"batch": own_batch(request, pk)})


@staff_required()
def batch_status(request: HttpRequest, pk: UUID) -> JsonResponse:
    batch = own_batch(request, pk)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "done": batch.done,
            "total": batch.total,
            "percent": batch.percent,
            "finished": batch.is_finished,
            "download_url": reverse("staff:batch_download", args=[batch.pk])
            if batch.status == PdfBatch.Status.DONE
            else None,
        }
    )


@staff_required()
def batch_download(request: HttpRequest, pk: UUID) -> FileResponse:
    batch = own_batch(request, pk)
    if batch.status != PdfBatch.Status.DONE or not batch.file:
        raise Http404
    name = f"reponses-ami-{timezone.localtime(batch.created_at):%Y-%m-%d-%H%M}.zip"
    record_access(
        request.user,
        AccessAction.PDF_BATCH_DOWNLOADED,
        reference=_("Lot de %(count)d récapitulatifs PDF") % {"count": batch.total},
        details={"batch": str(batch.pk), "rows": batch.total},
    )
    return FileResponse(
        batch.file.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )
