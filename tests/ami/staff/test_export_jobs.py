"""Large XLSX and ODS exports are built behind a progress page (a task; a background thread
without a broker), downloaded by the user who asked only; small ones come at once."""

import io

import openpyxl
import pytest
from django.urls import reverse

from ami import export_jobs
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(export_jobs, "EXPORT_INLINE_ROWS", 2)


def test_a_small_export_is_the_file_at_once(as_user, owner):
    SubmissionFactory()
    response = as_user(owner).get(reverse("staff:export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_a_large_export_goes_through_a_progress_page(as_user, owner, colleague):
    wanted = [SubmissionFactory(has_initiative=True) for _ in range(3)]
    SubmissionFactory()
    client = as_user(owner)

    response = client.get(reverse("staff:export", args=["xlsx"]) + "?objective=initiative")

    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Le fichier est prêt." in html
    download = html[html.index("/tableau-de-bord/exports/") :].split('"')[0]
    assert download.endswith("/telecharger/")
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    file = client.get(download)
    assert file.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(file.streaming_content))).worksheets[0]
    references = sorted(row[0].value for row in sheet.iter_rows(min_row=2))
    assert references == sorted(s.reference for s in wanted)

    # Another agent gets a 404, for the page and for the file.
    other = as_user(colleague)
    assert other.get(response["Location"]).status_code == 404
    assert other.get(download).status_code == 404


def test_a_running_export_page_refreshes_itself(as_user, owner):
    job = export_jobs.new_job(owner.pk, "ods", "", 5000)
    html = as_user(owner).get(reverse("staff:export_job", args=[job.id])).content.decode()
    assert 'http-equiv="refresh"' in html
    assert "En attente de traitement" in html
