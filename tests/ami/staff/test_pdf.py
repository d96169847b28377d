"""PDF summary: WeasyPrint with its own stylesheet, local fonts, no network, French dates,
page numbers; for staff, and for the référent through the private link."""

import io
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ami import pdf
from ami.models import Submission
from ami.staff import services
from cpts_portal import pdf as shared_pdf
from tests.factories import ActorFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def answer(owner):
    submission = SubmissionFactory(
        context="Le pays de Douarnenez manque de médecins le samedi.",
        territory_text="Douarnenez Communauté",
    )
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.make_aware(datetime(2026, 3, 5, 9, 30))
    )
    submission.refresh_from_db()
    ActorFactory(submission=submission, name="Maëlle Riou", profession="infirmier")
    services.change_status(submission, Submission.Status.IN_REVIEW, by=owner)
    services.add_note(submission, owner, "Note interne à ne jamais imprimer")
    services.give_opinion(submission, owner, "favorable", "Avis à ne jamais imprimer")
    return submission


def check_summary(content: bytes, submission: Submission) -> str:
    assert content.startswith(b"%PDF-")
    reader, text = pdf_text(content)
    for expected in (
        submission.reference,
        "Avril 2022",
        "jeudi 5 mars 2026 à 09:30",  # French date, Paris time
        "Maëlle Riou",
        "Infirmier ou infirmière",
        "Le pays de Douarnenez manque de médecins le samedi.",
        "Réflexion en cours autour d’un projet de CPTS",
        "statut « En cours d'analyse »",
        f"Page 1 sur {len(reader.pages)}",
    ):
        assert expected in text, (expected, text)
    assert "ne jamais imprimer" not in text
    assert any("Marianne" in name for name in font_names(reader))
    return text


def test_staff_downloads_the_pdf_summary(as_user, urps_member, answer):
    response = as_user(urps_member).get(reverse("staff:submission_pdf", args=[answer.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{answer.reference}.pdf"'
    check_summary(response.content, answer)


def test_referent_downloads_the_same_summary_through_the_private_link(as_user, answer):
    page = as_user(None).get(answer.get_private_url()).content.decode()
    url = reverse("ami:referent_pdf", args=[answer.access_token])
    assert url in page
    response = as_user(None).get(url)
    assert response.status_code == 200
    check_summary(response.content, answer)


def test_long_answer_runs_over_pages_numbered_x_of_y(owner):
    submission = SubmissionFactory(context="Un long contexte.\n" * 300)
    reader, _text = pdf_text(pdf.submission_pdf(submission))
    pages = len(reader.pages)
    assert pages >= 3
    assert f"Page {pages} sur {pages}" in reader.pages[-1].extract_text()
    assert f"Page 2 sur {pages}" in reader.pages[1].extract_text()


def test_fetcher_reads_static_files_only():
    font = Path(shared_pdf.static_uri(shared_pdf.FONTS["regular"]).removeprefix("file://"))
    assert shared_pdf.local_path(font.as_uri()) == font.resolve()
    response = shared_pdf.LocalOnlyFetcher().fetch(font.as_uri())
    assert response.read(4) == b"wOFF"
    refused = [
        "https://example.org/logo.png",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.org/x",
        "file:///etc/passwd",
        (Path(settings.BASE_DIR) / "manage.py").as_uri(),
        (Path(settings.BASE_DIR) / "static" / ".." / "manage.py").as_uri(),
        "file://example.org/static/css/portal.css",
        "data:text/plain,hello",
    ]
    for url in refused:
        with pytest.raises(shared_pdf.LocalFileRefused):
            shared_pdf.LocalOnlyFetcher().fetch(url)


def test_rendering_never_asks_for_anything_but_local_files(monkeypatch):
    asked = []
    original = shared_pdf.LocalOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(shared_pdf.LocalOnlyFetcher, "fetch", spy)
    submission = SubmissionFactory(
        context='<img src="http://127.0.0.1:9/x.png"> <link rel="stylesheet" href="https://cdn/x">'
    )
    _reader, text = pdf_text(pdf.submission_pdf(submission))
    assert '<img src="http://127.0.0.1:9/x.png">' in text  # printed as text, not fetched
    assert asked and all(url.startswith("file:///") for url in asked)
