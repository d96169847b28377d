"""Without a broker, a PDF zip is built in a background thread: the click answers at once
with the progress page, which shows the batch done once the thread has finished."""

import threading

import pytest
from django.urls import reverse

from ami.models import PdfBatch
from cpts_portal.background import run_in_background
from tests.factories import SubmissionFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def background_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("background-")]


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_zip_is_built_after_the_click_answered(
    settings, as_user, owner, monkeypatch
):
    settings.BACKGROUND_TASKS_IN_THREADS = True
    SubmissionFactory()
    SubmissionFactory()
    started = threading.Event()
    release = threading.Event()
    from ami import tasks

    real = tasks.submission_pdf

    def slow_pdf(submission):
        started.set()
        assert release.wait(30), "the test never released the thread"
        return real(submission)

    monkeypatch.setattr(tasks, "submission_pdf", slow_pdf)
    client = as_user(owner)

    response = client.post(reverse("staff:batch_create"))

    # The request came back while the thread is still on the first PDF.
    assert response.status_code == 302
    assert started.wait(30)
    batch = PdfBatch.objects.get()
    assert batch.status == PdfBatch.Status.RUNNING
    page = client.get(response["Location"]).content.decode()
    assert "produits" in page  # « 0 PDF sur 2 produits… »

    release.set()
    for thread in background_threads():
        thread.join(60)
    batch.refresh_from_db()
    assert (batch.status, batch.done) == (PdfBatch.Status.DONE, 2)
    assert "Télécharger l’archive" in client.get(response["Location"]).content.decode()


def test_with_tasks_in_threads_off_a_task_runs_inline(settings):
    settings.BACKGROUND_TASKS_IN_THREADS = False
    calls = []

    class Task:
        name = "t"

        class app:
            class conf:
                task_always_eager = True

        @staticmethod
        def delay(*args):
            calls.append(args)

    assert run_in_background(Task, 1) is None
    assert calls == [(1,)]
