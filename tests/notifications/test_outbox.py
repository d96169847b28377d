"""The outbox: claim, send once, retry with backoff, fail visibly, sweep what was left."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import tasks
from notifications.models import OutgoingEmail
from notifications.services import queue_email
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status


def make_email(**fields) -> OutgoingEmail:
    defaults = {
        "recipient": "a@example.org",
        "template": "t",
        "subject": "Objet",
        "body_text": "Corps",
    }
    return OutgoingEmail.objects.create(**(defaults | fields))


def notification_context(submission) -> dict:
    return {
        "submission": submission,
        "campaign": submission.campaign,
        "actors": [],
        "referents": [],
    }


def test_queue_email_renders_and_dispatches_after_commit(django_capture_on_commit_callbacks):
    submission = SubmissionFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = queue_email(
            ["x@example.org", "x@example.org", "y@example.org"],
            "ami/emails/acknowledgement",
            {
                "submission": submission,
                "campaign": submission.campaign,
                "actors": [],
                "private_url": "https://portail/suivi/t/",
            },
            related=submission,
        )
    assert [row.recipient for row in rows] == ["x@example.org", "y@example.org"]
    assert rows[0].subject.startswith("Accusé de réception")
    assert mail.outbox == []  # nothing leaves before commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2


def test_rolled_back_change_leaves_no_email():
    submission = SubmissionFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(
            ["x@example.org"], "ami/emails/ars_notification", notification_context(submission)
        )
        raise RuntimeError
    assert not OutgoingEmail.objects.exists()


def test_send_marks_sent_and_a_second_send_does_nothing():
    email = make_email()
    assert tasks.send_email.delay(email.pk).get() == "sent"
    assert tasks.send_email.delay(email.pk).get() == "skipped"
    email.refresh_from_db()
    assert email.status == Status.SENT and email.sent_at is not None
    assert len(mail.outbox) == 1


def test_smtp_error_schedules_a_retry_with_backoff(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    email = make_email()
    before = timezone.now()
    assert tasks.send_email.delay(email.pk).get() == "retry"
    email.refresh_from_db()
    assert email.status == Status.PENDING
    assert email.attempts == 1
    assert email.next_attempt_at >= before + timedelta(seconds=60)
    # Not due yet: a new attempt is refused until the backoff has passed.
    assert tasks.send_email.delay(email.pk).get() == "skipped"


def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    assert [tasks.retry_delay(n) for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


def test_email_is_marked_failed_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = make_email(attempts=1)
    assert tasks.send_email.delay(email.pk).get() == "failed"
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "SMTPServerDisconnected" in email.last_error


def test_sweep_sends_due_pending_and_stale_sending_rows_only():
    due = make_email(recipient="due@example.org")
    later = make_email(
        recipient="later@example.org", next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    stale = make_email(
        recipient="stale@example.org",
        status=Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    busy = make_email(
        recipient="busy@example.org", status=Status.SENDING, claimed_at=timezone.now()
    )
    assert tasks.requeue_pending_emails.delay().get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["due@example.org", "stale@example.org"]
    statuses = dict(OutgoingEmail.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "sent", later.pk: "pending", stale.pk: "sent", busy.pk: "sending"}


def test_broker_down_at_commit_leaves_row_pending(monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_email, "delay", broker_down)
    submission = SubmissionFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_email(
            ["x@example.org"], "ami/emails/ars_notification", notification_context(submission)
        )
    assert len(callbacks) == 1
    assert OutgoingEmail.objects.get().status == Status.PENDING
