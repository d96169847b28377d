"""Issue #13 item 5: files in messages, both ways, and documents joined to the answer by
the référents: checked like project documents (type by content, size cap, archive bounds,
portal-built names), served only after a permission check, as attachments."""

import io
import os
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ami.models import ATTACHMENTS_PER_SUBMISSION, Attachment, Submission, SubmissionEvent
from ami.privacy import REASON_ERASURE, anonymise_submission
from ami.staff.services import send_message
from notifications.models import OutgoingEmail
from tests.factories import SubmissionFactory
from tests.projects.helpers import PDF_BYTES, odt_bytes, pdf_file

pytestmark = pytest.mark.django_db
Kind = SubmissionEvent.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def referent_post(client, submission, name, data, token=None):
    return client.post(reverse(name, args=[token or submission.access_token]), data)


def staff_file(as_user, owner, submission) -> Attachment:
    send_message(submission, owner, "Voici le modèle.", [pdf_file("modèle.pdf")])
    return Attachment.objects.get(submission=submission, from_referent=False)


def test_staff_message_with_a_file_reaches_the_referents(as_user, owner, submission):
    client = as_user(owner)
    response = client.post(
        reverse("staff:message", args=[submission.pk]),
        {
            "message-text": "Voici le modèle de lettre.",
            "message-file": pdf_file("modèle.pdf"),
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.from_referent) == ("message", False)
    assert attachment.event.comment == "Voici le modèle de lettre."
    email = OutgoingEmail.objects.get(template="ami/emails/message_to_referents")
    assert "modèle.pdf" in email.body_text
    page = as_user(None).get(submission.get_private_url()).content.decode()
    assert attachment.referent_url in page
    download = as_user(None).get(attachment.referent_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"{submission.reference}-piece-jointe-" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_one_staff_form_sends_the_message_alone_or_with_a_file(as_user, owner, submission):
    client = as_user(owner)
    url = reverse("staff:message", args=[submission.pk])
    form = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert form.count(f'action="{url}"') == 1
    assert 'name="message-file"' in form
    alone = client.post(url, {"message-text": "Sans pièce jointe."}, follow=True)
    assert "Le message est envoyé aux référents." in alone.content.decode()
    with_file = client.post(
        url, {"message-text": "Avec le modèle.", "message-file": pdf_file()}, follow=True
    )
    assert "Le message et sa pièce jointe sont envoyés" in with_file.content.decode()
    events = submission.events.filter(kind=Kind.MESSAGE).order_by("pk")
    assert [event.data for event in events] == [
        {"from": "staff"},
        {"from": "staff", "attachments": ["lettre.pdf"]},
    ]
    assert Attachment.objects.get().event == events[1]
    emails = OutgoingEmail.objects.filter(template="ami/emails/message_to_referents")
    assert ["lettre.pdf" in email.body_text for email in emails.order_by("pk")] == [False, True]


def file_error(page: str) -> str:
    """The error under the file field of « Écrire aux référents »."""
    found = re.search(r'id="id_message-file-message-error">([^<]*)<', page)
    return found.group(1) if found else ""


def test_staff_refused_file_is_told_next_to_the_file_field(as_user, owner, submission):
    response = as_user(owner).post(
        reverse("staff:message", args=[submission.pk]),
        {"message-text": "Ci-joint.", "message-file": SimpleUploadedFile("a.pdf", b"MZ\x90")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "n’est pas un document PDF, ODT ou DOCX" in file_error(page)
    assert "Ci-joint." in page  # nothing typed is lost
    assert not submission.events.filter(kind=Kind.MESSAGE).exists()


def test_staff_file_beyond_the_answer_bound_is_told_next_to_the_file_field(
    as_user, owner, submission
):
    for _ in range(ATTACHMENTS_PER_SUBMISSION):
        referent_post(
            as_user(None), submission, "ami:referent_document",
            {"document-kind": "other", "document-file": pdf_file()},
        )  # fmt: skip
    response = as_user(owner).post(
        reverse("staff:message", args=[submission.pk]),
        {"message-text": "Un de plus.", "message-file": pdf_file()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "le maximum" in file_error(page)
    assert "Un de plus." in page
    assert Attachment.objects.count() == ATTACHMENTS_PER_SUBMISSION
    assert not submission.events.filter(kind=Kind.MESSAGE).exists()
    assert not OutgoingEmail.objects.filter(template="ami/emails/message_to_referents").exists()


def test_referent_message_with_a_file_reaches_the_staff(as_user, owner, submission):
    response = referent_post(
        as_user(None),
        submission,
        "ami:referent_message",
        {"reponse-text": "La liste jointe.", "reponse-file": pdf_file("liste.pdf")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.from_referent
    email = OutgoingEmail.objects.get(template="ami/emails/message_from_referent")
    assert email.recipient == owner.email
    assert "> liste.pdf" in email.body_text  # quoted: a name typed by someone else
    page = as_user(owner).get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert attachment.staff_url in page
    download = as_user(owner).get(attachment.staff_url)
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"


def test_referent_document_joined_to_the_answer(as_user, owner, submission):
    upload = SimpleUploadedFile("liste.odt", odt_bytes())
    response = referent_post(
        as_user(None),
        submission,
        "ami:referent_document",
        {"document-kind": "professionals", "document-file": upload},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.kind == "professionals"
    assert attachment.download_name.endswith(".odt")
    assert submission.events.filter(kind=Kind.DOCUMENT_ADDED).exists()
    assert OutgoingEmail.objects.filter(template="ami/emails/referent_document").exists()


# --- Permissions ------------------------------------------------------------------------------


def test_staff_file_download_trio(as_user, owner, colleague, outsider, submission):
    attachment = staff_file(as_user, owner, submission)
    assert as_user(owner).get(attachment.staff_url).status_code == 200
    assert as_user(colleague).get(attachment.staff_url).status_code == 200
    assert as_user(outsider).get(attachment.staff_url).status_code == 403
    assert as_user(None).get(attachment.staff_url).status_code == 302  # login


def test_file_of_another_answer_is_404_by_either_door(as_user, owner, submission):
    attachment = staff_file(as_user, owner, submission)
    other = SubmissionFactory()
    wrong_staff = reverse("staff:attachment", args=[other.pk, attachment.pk])
    assert as_user(owner).get(wrong_staff).status_code == 404
    wrong_referent = reverse("ami:referent_attachment", args=[other.access_token, attachment.pk])
    assert as_user(None).get(wrong_referent).status_code == 404


def test_wrong_token_reads_and_writes_nothing(as_user, owner, submission):
    attachment = staff_file(as_user, owner, submission)
    wrong = submission.access_token[:-2] + "zz"
    client = as_user(None)
    assert (
        client.get(reverse("ami:referent_attachment", args=[wrong, attachment.pk])).status_code
        == 404
    )
    response = referent_post(
        client,
        submission,
        "ami:referent_document",
        {"document-kind": "letter", "document-file": pdf_file()},
        token=wrong,
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("role_fixture", ["urps_member", "am_agent"])
def test_partners_read_files_but_do_not_send_them(
    request, as_user, owner, submission, role_fixture
):
    attachment = staff_file(as_user, owner, submission)
    user = request.getfixturevalue(role_fixture)
    assert as_user(user).get(attachment.staff_url).status_code == 200
    response = as_user(user).post(
        reverse("staff:message", args=[submission.pk]),
        {"message-text": "x", "message-file": pdf_file()},
    )
    assert response.status_code == 403


def test_expired_link_gets_no_file(as_user, owner, submission):
    attachment = staff_file(as_user, owner, submission)
    Submission.objects.filter(pk=submission.pk).update(access_expires_at="2020-01-01T00:00Z")
    assert as_user(None).get(attachment.referent_url).status_code == 410


# --- Refused files ---------------------------------------------------------------------------


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"\0" * (30 << 20))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("lettre.pdf", b"MZ\x90\x00 not a pdf", "n’est pas un document PDF, ODT ou DOCX"),
        ("page.html", b"<html><script>alert(1)</script></html>", "n’est pas un document"),
        ("liste.odt", None, "bombe de décompression"),
    ],
)
def test_refused_files_are_told_next_to_the_field(as_user, submission, name, content, error):
    upload = SimpleUploadedFile(name, zip_bomb() if content is None else content)
    response = referent_post(
        as_user(None),
        submission,
        "ami:referent_message",
        {"reponse-text": "Ci-joint.", "reponse-file": upload},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    assert "Ci-joint." in page  # nothing typed is lost
    assert not Attachment.objects.exists()
    assert not submission.events.filter(kind=Kind.MESSAGE).exists()


def test_file_over_the_cap_is_refused(as_user, settings, submission):
    settings.PROJECTS_UPLOAD_MAX_BYTES = 50
    response = referent_post(
        as_user(None),
        submission,
        "ami:referent_document",
        {"document-kind": "letter", "document-file": pdf_file()},
    )
    assert "la limite est de" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_pdf_named_exe_is_served_as_pdf(as_user, owner, submission):
    referent_post(
        as_user(None),
        submission,
        "ami:referent_document",
        {"document-kind": "letter", "document-file": pdf_file("lettre.pdf.exe")},
    )
    attachment = Attachment.objects.get()
    response = as_user(owner).get(attachment.staff_url)
    assert response["Content-Type"] == "application/pdf"
    assert ".exe" not in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.pdf"')


def test_files_per_answer_are_bounded(as_user, submission):
    client = as_user(None)
    for _ in range(ATTACHMENTS_PER_SUBMISSION):
        referent_post(
            client, submission, "ami:referent_document",
            {"document-kind": "other", "document-file": pdf_file()},
        )  # fmt: skip
    response = referent_post(
        client, submission, "ami:referent_document",
        {"document-kind": "other", "document-file": pdf_file()},
    )  # fmt: skip
    assert "le maximum" in response.content.decode()
    assert Attachment.objects.count() == ATTACHMENTS_PER_SUBMISSION


def test_erasure_deletes_the_files(django_capture_on_commit_callbacks, as_user, owner, submission):
    attachment = staff_file(as_user, owner, submission)
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_submission(submission, REASON_ERASURE, by=owner)
    assert not Attachment.objects.exists()
    assert not os.path.exists(path)
