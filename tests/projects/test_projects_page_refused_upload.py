"""A file refused from the project page's documents section brings back the project page,
the error next to the file field; from the other pages, the upload page as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Document, DocumentKind

from .helpers import pdf_file

pytestmark = pytest.mark.django_db

REFUSED = "n’est pas un document PDF, ODT ou DOCX valide"


def fake_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")


def upload(client, project, **extra):
    url = reverse("projects:document_upload", kwargs={"pk": project.pk})
    return client.post(url, {"kind": DocumentKind.LETTER, "file": fake_pdf(), **extra})


def test_refused_file_from_the_project_page_comes_back_on_the_project_page(client, project, owner):
    client.force_login(owner)
    response = upload(client, project, title="Statuts signés")
    assert response.status_code == 422
    assert "projects/detail.html" in [t.name for t in response.templates]
    form = response.context["document_form"]
    assert REFUSED in " ".join(form.errors["file"])
    page = response.content.decode()
    assert page.count(REFUSED) == 2  # the summary and next to the file field
    assert 'href="#id_file"' in page
    assert f"<title>Erreur — {project.name}" in page
    assert 'value="Statuts signés"' in page  # what was typed is kept
    assert not Document.objects.exists()


def test_valid_file_from_the_project_page_goes_back_to_its_documents(client, project, owner):
    client.force_login(owner)
    url = reverse("projects:document_upload", kwargs={"pk": project.pk})
    response = client.post(url, {"kind": DocumentKind.LETTER, "file": pdf_file()})
    assert response.status_code == 302
    assert response.url == f"{project.get_absolute_url()}#documents"
    assert Document.objects.count() == 1


def test_project_page_shows_no_error_before_any_upload(client, project, owner):
    client.force_login(owner)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert f"<title>{project.name}" in response.content.decode()


def test_refused_file_from_another_page_keeps_the_upload_page(client, project, owner):
    client.force_login(owner)
    response = upload(client, project, retour="lettre")
    assert response.status_code == 422
    assert "projects/document_form.html" in [t.name for t in response.templates]
