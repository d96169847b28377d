"""A zip of the PDF summaries of the filtered list, built by a Celery task (eager here),
followed on a page that works without JavaScript, served to the user who asked only."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ami import tasks
from ami.models import PdfBatch
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def ask(client, query: str = ""):
    return client.post(reverse("staff:batch_create") + query)


def test_batch_of_the_filtered_list_is_built_and_downloaded_as_a_zip(
    as_user, owner, media, django_capture_on_commit_callbacks
):
    wanted = [SubmissionFactory(has_initiative=True) for _ in range(3)]
    SubmissionFactory()
    client = as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "?objective=initiative")
    batch = PdfBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:batch", args=[batch.pk])
    assert sorted(batch.submission_ids) == sorted(s.pk for s in wanted)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.percent) == ("done", 3, 3, 100)

    # Stored under MEDIA_ROOT, in a random folder that says nothing of the batch or the user.
    path = Path(batch.file.path)
    assert path.is_relative_to(media)
    folder = path.parent.name
    assert len(folder) >= 32 and str(batch.pk) not in str(path) and owner.username not in str(path)

    page = client.get(response["Location"]).content.decode()
    download = reverse("staff:batch_download", args=[batch.pk])
    assert download in page
    zipped = client.get(download)
    assert zipped.status_code == 200
    assert zipped["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content)))
    assert sorted(archive.namelist()) == sorted(f"{s.reference}.pdf" for s in wanted)
    for submission in wanted:
        reader = PdfReader(io.BytesIO(archive.read(f"{submission.reference}.pdf")))
        assert submission.reference in reader.pages[0].extract_text()


def test_progress_is_readable_as_json_and_on_the_page_without_javascript(as_user, owner):
    batch = PdfBatch.objects.create(
        requested_by=owner, submission_ids=[1, 2, 3, 4], total=4, done=1, status="running"
    )
    client = as_user(owner)
    status = client.get(reverse("staff:batch_status", args=[batch.pk])).json()
    assert status == {
        "status": "running",
        "status_label": "En cours",
        "done": 1,
        "total": 4,
        "percent": 25,
        "finished": False,
        "download_url": None,
    }
    page = client.get(reverse("staff:batch", args=[batch.pk])).content.decode()
    assert '<progress id="progression" class="portal-progress" max="4" value="1">' in page
    assert "1 PDF sur 4 produits" in page
    assert "Actualiser la page" in page  # no JavaScript needed to follow it
    assert '<script type="module" src="/static/js/staff-batch.js"></script>' in page
    assert "<script>" not in page and "style=" not in page
    assert reverse("staff:batch_download", args=[batch.pk]) not in page
    assert client.get(reverse("staff:batch_download", args=[batch.pk])).status_code == 404


def test_colleague_cannot_download_someone_elses_batch(
    as_user, owner, colleague, django_capture_on_commit_callbacks
):
    SubmissionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ask(as_user(owner))
    batch = PdfBatch.objects.get()
    assert batch.status == "done"
    download = reverse("staff:batch_download", args=[batch.pk])
    assert as_user(colleague).get(download).status_code == 404
    assert as_user(None).get(download).status_code == 302
    assert as_user(owner).get(download).status_code == 200


def test_task_runs_once_and_skips_a_claimed_batch(owner):
    submission = SubmissionFactory()
    batch = PdfBatch.objects.create(requested_by=owner, submission_ids=[submission.pk], total=1)
    assert tasks.build_pdf_batch.delay(str(batch.pk)).get() == "done"
    assert tasks.build_pdf_batch.delay(str(batch.pk)).get() == "skipped"


def test_failed_batch_is_reported(owner, monkeypatch, as_user):
    submission = SubmissionFactory()
    batch = PdfBatch.objects.create(requested_by=owner, submission_ids=[submission.pk], total=1)

    def broken(submission):
        raise OSError("disque plein")

    monkeypatch.setattr(tasks, "submission_pdf", broken)
    assert tasks.build_pdf_batch.delay(str(batch.pk)).get() == "failed"
    batch.refresh_from_db()
    assert batch.status == "failed" and "disque plein" in batch.error
    page = as_user(owner).get(reverse("staff:batch", args=[batch.pk])).content.decode()
    assert "a échoué" in page


def test_empty_or_too_large_selection_is_refused(as_user, owner, monkeypatch):
    from ami.staff import report_views

    client = as_user(owner)
    response = ask(client, "?objective=initiative")
    assert response.status_code == 302
    assert "objective=initiative" in response["Location"]
    assert "Aucune réponse ne correspond" in client.get(response["Location"]).content.decode()
    monkeypatch.setattr(report_views, "MAX_BATCH", 2)
    for _ in range(3):
        SubmissionFactory()
    response = ask(client)
    assert "affinez les filtres" in client.get(response["Location"]).content.decode()
    assert not PdfBatch.objects.exists()


def test_old_batches_and_their_zips_are_purged(owner):
    submission = SubmissionFactory()
    old = PdfBatch.objects.create(requested_by=owner, submission_ids=[submission.pk], total=1)
    tasks.build_pdf_batch.delay(str(old.pk)).get()
    old.refresh_from_db()
    path = Path(old.file.path)
    assert path.exists()
    PdfBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    recent = PdfBatch.objects.create(requested_by=owner, submission_ids=[], total=0)
    assert tasks.purge_pdf_batches.delay().get() == 1
    assert not path.exists()
    assert list(PdfBatch.objects.all()) == [recent]
