"""Files joined to an answer: to a message, either way, or to the answer by its référents.

Writes (each in one transaction, history through ``record_event``, emails through the
outbox; the staff's message, with or without a file, is ``ami.staff.services.send_message``)
and the reads the download views need. Files are checked by
``cpts_portal.uploads.validate_upload`` (type by content, size cap, archive bounds), stored
under random names (``ami.models.attachment_path``) and served under
``Attachment.download_name``, only after a permission check: staff whose role reads
answers (``ami.staff.correction_views``), référents through their private link
(``ami.referent_views``).
"""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _

from cpts_portal.history import record_event
from cpts_portal.uploads import display_name, stored_file_response, validate_upload
from notifications.services import queue_email

from .models import ATTACHMENTS_PER_SUBMISSION, Attachment, Submission, SubmissionEvent
from .services import staff_recipients, staff_url

Kind = SubmissionEvent.Kind


def check_room(submission: Submission, count: int) -> None:
    """Refuse more than ``ATTACHMENTS_PER_SUBMISSION`` files on one answer."""
    if submission.attachments.count() + count > ATTACHMENTS_PER_SUBMISSION:
        raise ValidationError(
            _("Cette réponse compte déjà %(count)d pièces jointes, le maximum.")
            % {"count": ATTACHMENTS_PER_SUBMISSION},
            code="too_many_attachments",
        )


def store_attachment(
    submission: Submission,
    upload: UploadedFile,
    *,
    kind: str,
    from_referent: bool,
    by: AbstractBaseUser | None = None,
    event: SubmissionEvent | None = None,
) -> Attachment:
    """Check and store one file (call inside the caller's transaction).

    Raises ``ValidationError`` (French message) for a file refused by ``validate_upload``.
    """
    file_type = validate_upload(upload)
    attachment = Attachment(
        submission=submission,
        event=event,
        kind=Attachment.Kind(kind),
        from_referent=from_referent,
        original_name=display_name(upload.name),
        content_type=file_type.content_type,
        size=upload.size,
        uploaded_by=by if by is not None and by.is_authenticated else None,
    )
    # attachment_path names the stored file (random, extension of the detected type).
    attachment.file.save(f"piece.{file_type.extension}", upload, save=False)
    attachment.save()
    return attachment


def attachment_names(uploads: Sequence[UploadedFile]) -> list[str]:
    return [display_name(upload.name) for upload in uploads]


def post_referent_message(
    submission: Submission, text: str, uploads: Sequence[UploadedFile] = ()
) -> SubmissionEvent:
    """The référents write to the ARS from their private link, with files if they wish;
    the agent in charge (else the campaign's ARS address) is told by email."""
    for upload in uploads:
        validate_upload(upload)
    check_room(submission, len(uploads))
    with transaction.atomic():
        names = attachment_names(uploads)
        data = {"from": "referent", **({"attachments": names} if names else {})}
        event = record_event(submission, Kind.MESSAGE, comment=text, data=data)
        for upload in uploads:
            store_attachment(
                submission, upload, kind=Attachment.Kind.MESSAGE, from_referent=True, event=event
            )
        queue_email(
            staff_recipients(submission),
            "ami/emails/message_from_referent",
            {
                "submission": submission,
                "message": text,
                "attachments": names,
                "staff_url": staff_url(submission),
            },
            related=submission,
        )
    return event


def add_referent_document(submission: Submission, upload: UploadedFile, kind: str) -> Attachment:
    """A document the référents join to their answer (a letter, a list of professionals).

    Side effects, in one transaction: the file stored, a ``DOCUMENT_ADDED`` event (kind and
    name), the email « document ajouté » to the agent in charge (else the ARS address).
    ``ValidationError`` for a refused file or a kind that is not a document's.
    """
    if kind not in Attachment.DOCUMENT_KINDS:
        raise ValidationError(_("Choisissez le type de document."), code="bad_kind")
    validate_upload(upload)
    check_room(submission, 1)
    with transaction.atomic():
        attachment = store_attachment(submission, upload, kind=kind, from_referent=True)
        event = record_event(
            submission,
            Kind.DOCUMENT_ADDED,
            data={"attachment_id": attachment.pk, "kind": kind, "name": attachment.original_name},
        )
        attachment.event = event
        attachment.save(update_fields=["event"])
        queue_email(
            staff_recipients(submission),
            "ami/emails/referent_document",
            {
                "submission": submission,
                "attachment": attachment,
                "staff_url": staff_url(submission),
            },
            related=submission,
        )
    return attachment


# --- Reads -----------------------------------------------------------------------------------


def submission_attachments(submission: Submission) -> QuerySet[Attachment]:
    """Every file of the answer, oldest first (messages both ways and documents)."""
    return Attachment.objects.filter(submission=submission).select_related("submission")


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download under the portal's name; call after the permission check."""
    return stored_file_response(attachment.file, attachment.download_name, attachment.content_type)


def delete_attachments(submission: Submission) -> int:
    """Delete the answer's files, rows now and stored files once the transaction commits
    (RGPD erasure, retention); returns how many."""
    rows = list(Attachment.objects.filter(submission=submission))
    files = [(row.file.storage, row.file.name) for row in rows if row.file]
    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()

    def remove() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove)
    return len(rows)
