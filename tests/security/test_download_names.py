"""Issue #12, finding 4: a PDF uploaded as « statuts.bat » was served to ARS agents as
``attachment; filename="statuts.bat"``. Files are stored and served under names the
portal builds from the document kind and the detected type; the uploader's name is kept
for display only, escaped and without control or bidirectional characters."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Document, DocumentKind
from tests.factories import CptsProjectFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def project(owner, ars):
    return CptsProjectFactory(name="CPTS du Pays de Douarnenez", coordinators=[owner], by=ars)


def upload(client, project, name: str) -> Document:
    response = client.post(
        reverse("projects:document_upload", kwargs={"pk": project.pk}),
        {"kind": DocumentKind.STATUTES, "file": SimpleUploadedFile(name, PDF_BYTES)},
    )
    assert response.status_code == 302
    return Document.objects.get()


@pytest.mark.parametrize("name", ["statuts.bat", "x.html", "logo.svg", "statuts.pdf.exe"])
def test_pdf_uploaded_under_another_extension_is_served_as_a_pdf_named_by_the_portal(
    client, project, owner, ars, media_root, name
):
    client.force_login(owner)
    document = upload(client, project, name)
    client.force_login(ars)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="statuts-cpts-du-pays-de-douarnenez-{today}.pdf"'
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # On disk too, the name is the portal's: random, with the detected type's extension.
    stored = Path(document.file.path)
    assert stored.is_relative_to(media_root)
    assert stored.suffix == ".pdf"
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", stored.stem)
    assert document.original_name == name


def test_project_without_a_sluggable_name_falls_back_to_its_id(client, ars, owner):
    project = CptsProjectFactory(name="« — »", coordinators=[owner], by=ars)
    client.force_login(owner)
    document = upload(client, project, "statuts.bat")
    assert document.download_name.startswith(f"statuts-{project.pk}-")
    assert document.download_name.endswith(".pdf")


def test_original_name_is_shown_escaped(client, project, owner):
    client.force_login(owner)
    upload(client, project, "<img src=x onerror=alert(1)>.html")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;.html" in page
    assert "<img src=x" not in page


def test_bidirectional_and_control_characters_are_dropped_from_the_shown_name(
    client, project, owner
):
    # Through the service (admin, commands): Django's upload parser is not in the way.
    # U+202E would display « statuts\u202efdp.bat » as « statutstab.pdf ».
    document = services.add_document(
        project,
        DocumentKind.STATUTES,
        SimpleUploadedFile("C:\\Documents\\statuts\u202efdp\n.bat", PDF_BYTES),
        owner,
    )
    assert document.original_name == "statuts fdp .bat"
    client.force_login(owner)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "statuts fdp .bat" in page
    assert "\u202e" not in page
