"""An SMTP server that refuses: emails are retried with backoff, then failed and shown to staff.

The SMTP server is a real one on 127.0.0.1 (``smtp_server`` in conftest.py), spoken to by
Django's SMTP backend; the answers go through the public form. Never lost silently: every
email ends "sent" or "failed" with the server's reply in ``last_error`` and in the admin.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from notifications.tasks import requeue_pending_emails
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ARS_ADDRESS = "ars-test@ars.sante.fr"
REFERENT_ADDRESS = "anne.legoff@example.org"  # answer_data()'s référent
RECIPIENTS = sorted([ARS_ADDRESS, REFERENT_ADDRESS])
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def send_answer(client) -> None:
    campaign = CampaignFactory(contact_email=ARS_ADDRESS)
    response = client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())
    assert response.status_code == 302


def use_smtp(settings, port: int, max_attempts: int, retry_base_seconds: int) -> None:
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    settings.OUTBOX_MAX_ATTEMPTS = max_attempts
    settings.OUTBOX_RETRY_BASE_SECONDS = retry_base_seconds


def emails() -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.order_by("recipient"))


def make_due() -> None:
    """As if the retry delay had passed."""
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def assert_shown_as_failed_to_staff(admin_client, failed: list[OutgoingEmail], *texts: str):
    """The admin list filtered on "failed" has exactly these rows; each page shows the error."""
    listing = admin_client.get(
        reverse("admin:notifications_outgoingemail_changelist"), {"status": "failed"}
    )
    assert listing.status_code == 200
    assert {row.pk for row in listing.context["cl"].result_list} == {row.pk for row in failed}
    page = listing.content.decode()
    for row in failed:
        assert row.recipient in page
        detail = admin_client.get(
            reverse("admin:notifications_outgoingemail_change", args=[row.pk])
        ).content.decode()
        for text in texts:
            assert text in detail


def test_temporary_smtp_refusal_is_retried_with_doubling_delays_then_failed_visibly(
    client, admin_client, settings, smtp_server
):
    server = smtp_server(rcpt="451 4.7.1 Greylisted, please try again later")
    use_smtp(settings, server.port, max_attempts=3, retry_base_seconds=60)

    before = timezone.now()
    send_answer(client)  # tasks run in-process: the first attempt happens on commit
    after = timezone.now()
    for email in emails():
        assert (email.status, email.attempts) == ("pending", 1)
        assert "451" in email.last_error and "Greylisted" in email.last_error
        assert before + timedelta(seconds=60) <= email.next_attempt_at
        assert email.next_attempt_at <= after + timedelta(seconds=60)
    assert [server.rcpt_attempts(address) for address in RECIPIENTS] == [1, 1]

    # Before the delay is over, the sweep leaves them alone.
    assert requeue_pending_emails() == 0
    assert [server.rcpt_attempts(address) for address in RECIPIENTS] == [1, 1]

    make_due()
    before = timezone.now()
    assert requeue_pending_emails() == 2
    after = timezone.now()
    for email in emails():
        assert (email.status, email.attempts) == ("pending", 2)
        assert before + timedelta(seconds=120) <= email.next_attempt_at
        assert email.next_attempt_at <= after + timedelta(seconds=120)

    make_due()
    assert requeue_pending_emails() == 2
    failed = emails()
    for email in failed:
        assert (email.status, email.attempts) == ("failed", 3)
        assert email.last_error.startswith("SMTPRecipientsRefused")
        assert "451" in email.last_error
    assert [server.rcpt_attempts(address) for address in RECIPIENTS] == [3, 3]

    make_due()
    assert requeue_pending_emails() == 0  # failed is final: only staff resend
    assert_shown_as_failed_to_staff(admin_client, failed, "451", "Greylisted")


@pytest.mark.parametrize(
    ("refusal", "error", "reply"),
    [
        (
            {"rcpt": "550 5.1.1 Recipient address rejected: User unknown"},
            "SMTPRecipientsRefused",
            "550",
        ),
        ({"data": "554 5.7.1 Message rejected as spam"}, "SMTPDataError", "554"),
        (None, "ConnectionRefusedError", "Connection refused"),
    ],
    ids=["550-on-rcpt", "554-after-data", "no-server"],
)
def test_permanent_smtp_refusal_ends_failed_with_the_error_shown_to_staff(
    client, admin_client, settings, smtp_server, closed_port, refusal, error, reply
):
    server = smtp_server(**refusal) if refusal else None
    use_smtp(settings, server.port if server else closed_port, 3, retry_base_seconds=0)

    send_answer(client)
    assert requeue_pending_emails() == 2
    assert requeue_pending_emails() == 2

    failed = emails()
    assert [email.recipient for email in failed] == RECIPIENTS
    for email in failed:
        assert (email.status, email.attempts) == ("failed", 3)
        assert email.last_error.startswith(error)
        assert reply in email.last_error
        assert email.sent_at is None
    if server is not None:
        assert [len(server.transactions)] == [6]  # three attempts for each of the two emails
    assert requeue_pending_emails() == 0
    assert_shown_as_failed_to_staff(admin_client, failed, error, reply)


def test_worker_retries_a_refused_email_through_the_broker_then_marks_it_failed(
    client, admin_client, smtp_server, celery_worker_factory
):
    server = smtp_server(data="451 4.3.0 Temporary local problem, try again later")
    worker = celery_worker_factory(
        env={
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(server.port),
            "OUTBOX_MAX_ATTEMPTS": "3",
            "OUTBOX_RETRY_BASE_SECONDS": "1",
        }
    )

    send_answer(client)

    worker.wait_for(
        lambda: set(OutgoingEmail.objects.values_list("status", flat=True)) == {"failed"},
        timeout=60,
        what="both emails marked failed",
    )
    failed = emails()
    for email in failed:
        assert email.attempts == 3
        assert email.last_error.startswith("SMTPDataError")
        assert "451" in email.last_error
    assert [server.data_attempts(address) for address in RECIPIENTS] == [3, 3]
    # Celery's own retries, countdown doubling from OUTBOX_RETRY_BASE_SECONDS.
    log = worker.log()
    assert log.count("Retry in 1s") == 2 and log.count("Retry in 2s") == 2
    assert worker.emails() == []
    assert_shown_as_failed_to_staff(admin_client, failed, "SMTPDataError", "451")
