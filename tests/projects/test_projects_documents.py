"""Uploads: type checked on content, size capped, unguessable names, served after a check."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpts_portal.uploads import validate_upload
from projects.models import Document, DocumentKind, ProjectEvent
from projects.services import add_document

from .helpers import PDF_BYTES, docx_bytes, odt_bytes, pdf_file

pytestmark = pytest.mark.django_db


def upload_url(project) -> str:
    return reverse("projects:document_upload", kwargs={"pk": project.pk})


def test_fake_pdf_with_wrong_magic_bytes_is_refused(client, project, owner):
    client.force_login(owner)
    fake = SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(upload_url(project), {"kind": DocumentKind.LETTER, "file": fake})
    assert response.status_code == 422
    assert "n’est pas un document PDF, ODT ou DOCX valide" in response.content.decode()
    assert not Document.objects.exists()


def test_zip_that_is_neither_odt_nor_docx_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", "MZ")
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("lettre.docx", buffer.getvalue()))


def test_oversize_file_is_refused(client, project, owner, settings):
    settings.PROJECTS_UPLOAD_MAX_BYTES = 1024
    client.force_login(owner)
    big = pdf_file(content=PDF_BYTES + b"0" * 2048)
    response = client.post(upload_url(project), {"kind": DocumentKind.LETTER, "file": big})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Le fichier pèse 2,1\xa0Kio ; la limite est de 1,0\xa0Kio." in page
    assert not Document.objects.exists()


def test_default_size_cap_is_ten_megabytes():
    from cpts_portal.uploads import upload_max_bytes

    assert upload_max_bytes() == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("lettre.pdf", PDF_BYTES, "pdf"),
        ("lettre.odt", odt_bytes(), "odt"),
        ("projet-sante.docx", docx_bytes(), "docx"),
    ],
)
def test_pdf_odt_and_docx_are_stored_under_media_root_with_unguessable_names(
    client, project, owner, media_root, name, content, extension
):
    client.force_login(owner)
    response = client.post(
        upload_url(project),
        {
            "kind": DocumentKind.LETTER,
            "file": SimpleUploadedFile(name, content),
            "retour": "lettre",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("projects:letter", kwargs={"pk": project.pk})
    document = Document.objects.get()
    stored = Path(document.file.path)
    assert stored.is_relative_to(media_root)
    assert stored.suffix == f".{extension}"
    assert name.rsplit(".", 1)[0] not in stored.name
    assert len(stored.stem) >= 32
    assert stored.read_bytes() == content
    assert document.original_name == name
    assert ProjectEvent.objects.filter(project=project, kind="document_added").exists()


def test_document_is_served_as_an_attachment_to_allowed_users(
    client, project, owner, colleague, ars, urps, am
):
    document = add_document(project, DocumentKind.LETTER, pdf_file("Lettre signée.pdf"), owner)
    url = document.get_absolute_url()
    for user in (owner, colleague, ars, urps, am):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment;")
        # Served under the portal's name (kind, project), not « Lettre signée.pdf ».
        assert (
            'filename="lettre-intention-cpts-du-pays-de-douarnenez-'
            in response["Content-Disposition"]
        )
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_document_is_hidden_from_outsiders_and_anonymous(client, project, owner, outsider):
    document = add_document(project, DocumentKind.LETTER, pdf_file(), owner)
    url = document.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_document_of_another_project_is_not_served_under_this_one(
    client, project, other_project, owner, outsider
):
    document = add_document(other_project, DocumentKind.LETTER, pdf_file(), outsider)
    client.force_login(owner)
    url = reverse(
        "projects:document_download", kwargs={"pk": project.pk, "document_pk": document.pk}
    )
    assert client.get(url).status_code == 404


def test_media_is_not_served_by_a_public_url(client, project, owner, settings):
    document = add_document(project, DocumentKind.LETTER, pdf_file(), owner)
    assert client.get(f"{settings.MEDIA_URL}{document.file.name}").status_code == 404


def test_contract_documents_are_for_the_ars_and_assurance_maladie(client, project, owner):
    client.force_login(owner)
    response = client.post(
        upload_url(project), {"kind": DocumentKind.AMENDMENT, "file": pdf_file()}
    )
    assert response.status_code == 422
    assert "kind" in response.context["form"].errors
