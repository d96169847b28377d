"""Celery tasks of the AMI; they take ids, never model instances."""

import logging
import tempfile
import zipfile
from datetime import datetime, timedelta

from celery import shared_task
from django.core.files import File
from django.utils import timezone

from territories.permissions import scope_by_region

from . import privacy, services
from .models import PdfBatch
from .pdf import pdf_filename, pdf_submissions, submission_pdf

logger = logging.getLogger(__name__)


@shared_task
def build_pdf_batch(batch_id: str) -> str:
    """Build the zip of a ``PdfBatch``: one PDF summary per submission, progress saved as
    it goes (the batch's page polls it), the zip stored under MEDIA_ROOT in a random folder.

    Runs once: a batch already claimed is skipped. A failure is saved on the batch, shown
    to the user, and not retried (the user may ask again).
    """
    claimed = PdfBatch.objects.filter(pk=batch_id, status=PdfBatch.Status.PENDING).update(
        status=PdfBatch.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    batch = PdfBatch.objects.select_related("requested_by").get(pk=batch_id)
    try:
        with tempfile.TemporaryFile() as archive:
            with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
                # Submissions deleted since the request are simply left out.
                # And those of a region the user who asked does not read (any more).
                submissions = (
                    scope_by_region(pdf_submissions(), batch.requested_by, "campaign__region")
                    .filter(pk__in=batch.submission_ids)
                    .order_by("pk")
                )
                for done, submission in enumerate(submissions.iterator(chunk_size=20), start=1):
                    zipped.writestr(pdf_filename(submission), submission_pdf(submission))
                    PdfBatch.objects.filter(pk=batch_id).update(done=done)
            archive.seek(0)
            batch.file.save("reponses-ami.zip", File(archive), save=False)
    except Exception as error:
        logger.exception("PDF batch %s failed", batch_id)
        PdfBatch.objects.filter(pk=batch_id).update(
            status=PdfBatch.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    PdfBatch.objects.filter(pk=batch_id).update(
        status=PdfBatch.Status.DONE,
        file=batch.file.name,
        done=batch.total,
        finished_at=timezone.now(),
    )
    return "done"


@shared_task
def build_export(job_id: str, user_id: int) -> str:
    """Build the file of an export job (``ami.export_jobs``), its progress saved as it goes."""
    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from . import export_jobs, exports
    from .filters import SubmissionFilter
    from .selectors import readable_submissions

    job = export_jobs.get_job(job_id, user_id)
    if job is None or job.status != "pending":
        return "skipped"
    job.status = "running"
    job.save()
    try:
        user = get_user_model().objects.get(pk=user_id)
        request = type("Request", (), {"user": user})()
        data = QueryDict(job.query, mutable=True)
        data.pop("tri", None)  # the file has its own order (and sorting needs annotations)
        # The scope of the user who asked, read now (as the dashboard they exported).
        queryset = SubmissionFilter(data, queryset=readable_submissions(user), request=request).qs

        def progress(done: int) -> None:
            job.done = done
            job.save()

        content = exports.databook(exports.export_queryset(queryset), progress).export(
            job.extension
        )
        path = export_jobs.job_file_path(exports.filename(job.extension))
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    except Exception:
        logger.exception("Export job %s failed", job_id)
        job.status = "failed"
        job.save()
        return "failed"
    job.status, job.done, job.file, job.filename = "done", job.total, str(path), path.name
    job.save()
    return "done"


# The zips hold personal data: they are for the meeting at hand, not an archive.
PDF_BATCH_RETENTION = timedelta(days=1)


@shared_task
def purge_pdf_batches() -> int:
    """Delete the batches older than ``PDF_BATCH_RETENTION``, and their zips; returns how many.

    Meant for Celery beat (e.g. hourly), next to the outbox sweep.
    """
    old = PdfBatch.objects.filter(created_at__lt=timezone.now() - PDF_BATCH_RETENTION)
    count = 0
    for batch in old.iterator():
        if batch.file:
            batch.file.delete(save=False)
        batch.delete()
        count += 1
    return count


@shared_task
def anonymise_closed_submissions(now: str | None = None) -> list[int]:
    """RGPD: anonymise the answers closed more than ``PERSONAL_DATA_RETENTION_MONTHS`` ago
    (``ami.privacy``); returns their ids. Idempotent: run again, it finds none.

    Meant for Celery beat, daily (``CELERY_BEAT_SCHEDULE``). ``now`` (ISO 8601) replays
    a given day; by default, the present.
    """
    moment = datetime.fromisoformat(now) if now else None
    done = privacy.anonymise_closed_submissions(moment)
    if done:
        logger.info("Anonymised the personal data of %d closed submission(s)", len(done))
    return done


@shared_task
def purge_answer_drafts(now: str | None = None) -> int:
    """Delete the drafts of answers not saved for ``DRAFT_RETENTION_DAYS``
    (``ami.services.purge_answer_drafts``); returns how many. Idempotent.

    Meant for Celery beat, nightly (``CELERY_BEAT_SCHEDULE``). ``now`` (ISO 8601) replays
    a given day; by default, the present.
    """
    moment = datetime.fromisoformat(now) if now else None
    deleted = services.purge_answer_drafts(moment)
    if deleted:
        logger.info("Deleted %d answer draft(s) past their retention", deleted)
    return deleted
