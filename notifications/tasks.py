"""Celery tasks of the outbox: they take row ids, never model instances.

``send_email`` claims a row atomically (only one sender at a time), sends it, marks it sent;
SMTP and network errors are retried with exponential backoff until
``OUTBOX_MAX_ATTEMPTS``, then the row is marked failed with its error, visible to staff.
``requeue_pending_emails`` runs periodically (Celery beat) and re-dispatches rows left
pending because the broker was down, or stuck "sending" because a worker died.
``dispatch_emails`` (used by ``services.queue_email`` on commit and by the sweep) lives here so
that this module never imports ``services``.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# A row "sending" for longer than this belongs to a worker that died mid-send.
STALE_SENDING_AFTER = timedelta(minutes=10)
RETRYABLE_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: base, 2×base, 4×base... capped at one hour."""
    return min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def sendable(now: datetime) -> Q:
    """Rows to send now: pending and due, or stuck in "sending" by a dead worker."""
    due = Q(status=OutgoingEmail.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER)
    return due | stale


def claim(email_id: int) -> bool:
    """Move a sendable row to "sending"; False if another worker has it or it is done."""
    now = timezone.now()
    return bool(
        OutgoingEmail.objects.filter(sendable(now), pk=email_id).update(
            status=OutgoingEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


@shared_task(bind=True, max_retries=None)
def send_email(self, email_id: int) -> str:
    if not claim(email_id):
        return "skipped"
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, to=[email.recipient]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    try:
        message.send()
    except RETRYABLE_ERRORS as error:
        return record_failure(self, email, error)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def record_failure(task, email: OutgoingEmail, error: Exception) -> str:
    description = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.error("Outgoing email %s failed for good: %s", email.pk, description)
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.FAILED, last_error=description
        )
        return "failed"
    delay = retry_delay(email.attempts)
    logger.warning("Outgoing email %s failed (%s), retry in %ss", email.pk, description, delay)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.PENDING,
        last_error=description,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    if not task.request.is_eager:
        # In-process (eager) mode has no delayed execution; the sweep retries instead.
        raise task.retry(countdown=delay)
    return "retry"


@shared_task
def requeue_pending_emails() -> int:
    """Dispatch every due pending row and every stale sending row; returns how many."""
    ids = list(
        OutgoingEmail.objects.filter(sendable(timezone.now())).values_list("pk", flat=True)[:500]
    )
    dispatch_emails(ids)
    return len(ids)


def dispatch_emails(ids: Iterable[int]) -> None:
    """Hand the rows to Celery; never raises, since the rows are safe in the database."""
    for email_id in ids:
        try:
            send_email.delay(email_id)
        except OperationalError:
            # Broker unreachable: each next row would wait for the same socket timeout, and
            # the request with it. They all stay pending for ``requeue_pending_emails``.
            logger.exception("Broker unreachable: email %s and next ones left pending", email_id)
            break
        except Exception:
            # Broker unreachable (or, with eager tasks, an unexpected error): the row stays
            # pending and ``requeue_pending_emails`` picks it up.
            logger.exception("Could not dispatch outgoing email %s; left pending", email_id)
