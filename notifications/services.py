"""Writing to the outbox. Sending happens in ``notifications.tasks``.

Imports go one way: ``services`` → ``tasks`` (``dispatch_emails`` lives beside the task it
queues, so the periodic sweep needs nothing from here).
"""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template.loader import render_to_string

from .models import OutgoingEmail
from .regions import region_code_of
from .tasks import dispatch_emails


@dataclass(frozen=True)
class Attachment:
    """A text attachment, stored in the outbox row as it will be sent."""

    filename: str
    mimetype: str
    content: str

    def __post_init__(self) -> None:
        if not self.mimetype.startswith("text/"):
            # The row stores text: binary files belong in storage, not in the outbox.
            raise ValueError(f"Only text attachments are supported, not {self.mimetype}")
        if "/" in self.filename or "\\" in self.filename:
            raise ValueError(f"Attachment names have no path: {self.filename!r}")


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    return subject, text, html


def queue_email(
    recipients: Iterable[str],
    template: str,
    context: dict,
    related: models.Model | None = None,
    attachments: Sequence[Attachment] = (),
    region_code: str | None = None,
) -> list[OutgoingEmail]:
    """Store one outbox row per recipient and dispatch them once the transaction commits.

    Call it inside the transaction of the business change: if that change rolls back, no
    email exists; if it commits and the broker is down, the rows stay pending and the
    periodic sweep sends them. ``attachments`` are copied into each row. ``region_code``:
    the region the email belongs to; by default that of ``related``
    (``notifications.regions``).
    """
    if region_code is None:
        region_code = region_code_of(related)
    subject, text, html = render_email(template, context)
    stored_attachments = [asdict(attachment) for attachment in attachments]
    related_type = ContentType.objects.get_for_model(related) if related is not None else None
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            recipient=recipient,
            template=template,
            subject=subject,
            body_text=text,
            body_html=html,
            attachments=stored_attachments,
            related_type=related_type,
            related_id=related.pk if related is not None else None,
            region_code=region_code,
        )
        for recipient in dict.fromkeys(recipients)  # once each, order kept
    )
    ids = [email.pk for email in emails]
    transaction.on_commit(lambda: dispatch_emails(ids))
    return emails


def emails_about(obj: models.Model) -> models.QuerySet[OutgoingEmail]:
    """The outbox rows related to one object, newest first."""
    return OutgoingEmail.objects.filter(
        related_type=ContentType.objects.get_for_model(obj), related_id=obj.pk
    )
