"""Tagged PDFs (RGAA, PDF/UA-1): every PDF the portal renders has a structure tree, French
as its language and a title naming the document, and its text stays extractable."""

import io
import logging
import zipfile

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from ami import pdf as ami_pdf
from ami import tasks
from ami.models import PdfBatch
from projects import pdf as projects_pdf
from tests.factories import ActorFactory, CptsProjectFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_weasyprint_error(caplog):
    """WeasyPrint logs what a tagged PDF lacks (an image's alt text, the lang) as errors."""
    yield
    errors = [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.name.startswith("weasyprint") and record.levelno >= logging.ERROR
    ]
    assert not errors


def structure_types(element: DictionaryObject) -> set[str]:
    """The structure types (/S: /H1, /P, /Table…) under a structure element, recursively."""
    found = {str(element["/S"])} if "/S" in element else set()
    kids = element.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject):
            found |= structure_types(kid)
    return found


def check_tagged(content: bytes, title: str, text: str) -> None:
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    # pypdf's BooleanObject is always truthy: compare its value.
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert str(catalog["/Lang"]).startswith("fr")
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert {"/Document", "/H1", "/H2", "/P"} <= structure_types(catalog["/StructTreeRoot"])
    assert reader.metadata.title == title
    assert b'pdfuaid:part="1"' in catalog["/Metadata"].get_object().get_data()
    assert text in "\n".join(page.extract_text() for page in reader.pages)


def test_answer_summary_is_tagged():
    submission = SubmissionFactory()
    ActorFactory(submission=submission, name="Maëlle Riou")
    check_tagged(
        ami_pdf.submission_pdf(submission),
        f"Réponse {submission.reference} à l’AMI CPTS",
        "Maëlle Riou",
    )


def test_each_summary_of_a_batch_zip_is_tagged(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    submissions = [SubmissionFactory() for _ in range(2)]
    batch = PdfBatch.objects.create(
        requested_by=UserFactory(roles=["ARS"]), submission_ids=[s.pk for s in submissions], total=2
    )
    assert tasks.build_pdf_batch.delay(str(batch.pk)).get() == "done"
    batch.refresh_from_db()
    with batch.file.open("rb") as file, zipfile.ZipFile(file) as archive:
        for submission in submissions:
            check_tagged(
                archive.read(ami_pdf.pdf_filename(submission)),
                f"Réponse {submission.reference} à l’AMI CPTS",
                submission.reference,
            )


def test_fiche_projet_is_tagged():
    # HTML-escaped in the template, plain text in the PDF metadata.
    name = "CPTS Cap Sizun & Pays d'Iroise"
    project = CptsProjectFactory(name=name)
    check_tagged(
        projects_pdf.project_pdf(projects_pdf.fiche_project(project.pk)),
        f"Fiche projet — {name}",
        name,
    )
