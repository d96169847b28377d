"""Issue #12, finding 1: a 1 KB « statuts.odt » declaring a gigabyte must not take the
portal down. Archives are judged on their directory (declared sizes, entry count,
compression ratio and method) before anything is decompressed, and each upload is
inspected once. Memory is bounded with tracemalloc, never with a timer."""

import io
import struct
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpts_portal import uploads
from cpts_portal.uploads import DOCX, ODT, validate_upload
from projects.models import Document, DocumentKind
from tests.factories import CptsProjectFactory

ODT_TYPE = b"application/vnd.oasis.opendocument.text"
GIGABYTE = 1 << 30
# Really inflated by the bomb's mimetype entry: enough to show on the old code, quick to build.
PADDING = 64 << 20
MEMORY_BOUND = 4 << 20


def bzip2_bomb(declared_size: int | None) -> bytes:
    """An ODT-looking zip whose ``mimetype`` entry (bzip2) inflates to the ODT type followed
    by 64 MB of spaces; ``declared_size`` patches the size its headers declare (``None``:
    the true size). The spaces are compressed in chunks: nothing large is ever in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("mimetype")
        info.compress_type = zipfile.ZIP_BZIP2
        with archive.open(info, "w") as entry:
            entry.write(ODT_TYPE)
            chunk = b" " * (1 << 20)
            for _ in range(PADDING // len(chunk)):
                entry.write(chunk)
        archive.writestr("content.xml", "<office:document-content/>")
    data = bytearray(buffer.getvalue())
    if declared_size is not None:
        # Uncompressed size: offset 22 of the local header, 24 of the directory record.
        struct.pack_into("<L", data, 22, declared_size)
        struct.pack_into("<L", data, data.index(b"PK\x01\x02") + 24, declared_size)
    return bytes(data)


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {
        "declares 1 GB": bzip2_bomb(GIGABYTE - 1),
        "declares its true 64 MB": bzip2_bomb(None),
        "declares 39 bytes": bzip2_bomb(len(ODT_TYPE)),
    }


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project(owner):
    return CptsProjectFactory(name="CPTS du Pays de Douarnenez", coordinators=[owner])


def peak_while(function) -> tuple[object, int]:
    """The result (or the exception raised) of ``function()`` and the peak it allocated."""
    tracemalloc.start()
    try:
        try:
            outcome = function()
        except Exception as error:  # returned to the test, which asserts on it
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "variant", ["declares 1 GB", "declares its true 64 MB", "declares 39 bytes"]
)
def test_bzip2_bomb_is_refused_without_inflating_it(bombs, variant):
    content = bombs[variant]
    assert len(content) < 2048
    upload = SimpleUploadedFile("statuts.odt", content)
    outcome, peak = peak_while(lambda: validate_upload(upload))
    assert isinstance(outcome, ValidationError), f"accepted as {outcome}"
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.0f} MB allocated"


def test_archive_declaring_a_gigabyte_gets_a_clear_french_error(bombs):
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("statuts.odt", bombs["declares 1 GB"]))
    assert caught.value.code == "archive_too_large"
    message = caught.value.messages[0]
    assert "se décompresse en 1,0\xa0Gio" in message
    assert "bombe de décompression" in message


def test_upload_page_refuses_the_bomb_next_to_the_file_field(client, project, owner, bombs):
    client.force_login(owner)
    url = reverse("projects:document_upload", kwargs={"pk": project.pk})
    upload = SimpleUploadedFile("statuts.odt", bombs["declares 1 GB"])
    response, peak = peak_while(
        lambda: client.post(url, {"kind": DocumentKind.STATUTES, "file": upload})
    )
    assert response.status_code == 422
    assert response.context["form"].errors["file"][0].startswith("Ce document se décompresse")
    assert "bombe de décompression" in response.content.decode()
    assert not Document.objects.exists()
    # The whole request (Django, templates, session) stays far from the bomb's 64 MB.
    assert peak < 16 << 20, f"{peak / 1e6:.0f} MB allocated"


def odt(mimetype: bytes = ODT_TYPE, entries: int = 0) -> bytes:
    """An ODT as LibreOffice writes it: ``mimetype`` first and stored, the rest deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>',
        )
        paragraphs = "<text:p>Statuts de l’association</text:p>" * 500
        archive.writestr(
            "content.xml",
            f"<office:document-content>{paragraphs}</office:document-content>",
        )
        archive.writestr("styles.xml", "<office:document-styles/>")
        for number in range(entries):
            archive.writestr(f"Pictures/{number}.png", b"")
    return buffer.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx(main_type: str = WORD_MAIN) -> bytes:
    """A DOCX as Word writes it: every part deflated, the main part declared in
    ``[Content_Types].xml``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        paragraphs = "<w:p><w:r><w:t>Projet de santé</w:t></w:r></w:p>" * 500
        archive.writestr("word/document.xml", f"<w:document>{paragraphs}</w:document>")
    return buffer.getvalue()


def test_real_odt_and_docx_still_pass():
    assert validate_upload(SimpleUploadedFile("statuts.odt", odt())) == ODT
    assert validate_upload(SimpleUploadedFile("projet.docx", docx())) == DOCX


def test_odt_with_spaces_after_its_type_is_not_an_odt():
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("statuts.odt", odt(ODT_TYPE + b" " * 2000)))
    assert caught.value.code == "bad_type"


def test_macro_enabled_word_document_is_not_a_docx():
    macro = "application/vnd.ms-word.document.macroEnabled.main+xml"
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("projet.docx", docx(macro)))
    assert caught.value.code == "bad_type"


def test_archive_with_thousands_of_entries_is_refused_before_being_parsed(monkeypatch):
    content = odt(entries=1500)

    def parsed(*args, **kwargs):
        raise AssertionError("ZipFile parsed the directory")

    with pytest.raises(ValidationError) as caught:
        monkeypatch.setattr(uploads.zipfile, "ZipFile", parsed)
        validate_upload(SimpleUploadedFile("statuts.odt", content))
    assert caught.value.code == "archive_entries"


def test_highly_compressed_entry_is_refused_even_under_the_total_cap():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        with archive.open("content.xml", "w") as entry:
            for _ in range(8):
                entry.write(b"\0" * (1 << 20))
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("statuts.odt", buffer.getvalue()))
    assert caught.value.code == "archive_ratio"


def test_each_upload_is_inspected_once(client, project, owner, monkeypatch):
    calls = []
    sniff = uploads.sniff_file_type

    def counting_sniff(upload):
        calls.append(upload.name)
        return sniff(upload)

    monkeypatch.setattr(uploads, "sniff_file_type", counting_sniff)
    client.force_login(owner)
    response = client.post(
        reverse("projects:document_upload", kwargs={"pk": project.pk}),
        {"kind": DocumentKind.STATUTES, "file": SimpleUploadedFile("statuts.odt", odt())},
    )
    assert response.status_code == 302
    assert Document.objects.get().content_type == ODT.content_type
    assert calls == ["statuts.odt"]
