"""A planned exchange dropped by a status change is cancelled in the référents' calendars:
the email of the move carries an .ics with METHOD:CANCEL, the same UID, a higher SEQUENCE."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ami import workflow
from ami.ics import Method, exchange_calendar
from ami.models import Exchange, Orientation, Submission
from ami.staff import services
from notifications.models import OutgoingEmail
from tests.factories import ExchangeFactory, ReferentFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status


def calendar_properties(content: str) -> dict[str, str]:
    """The first value of each property of an .ics text, lines unfolded (RFC 5545 §3.1)."""
    properties: dict[str, str] = {}
    for line in content.replace("\r\n ", "").split("\r\n"):
        name, _, value = line.partition(":")
        properties.setdefault(name.split(";")[0], value)
    return properties


def ics_of(template: str, recipient: str = "anne@example.org") -> dict[str, str]:
    row = OutgoingEmail.objects.filter(template=template, recipient=recipient).latest("pk")
    [attachment] = row.attachments
    assert attachment["mimetype"] == "text/calendar"
    return calendar_properties(attachment["content"])


@pytest.fixture
def answer(owner):
    submission = SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)
    submission.referents.update(name="Anne Le Goff", email="anne@example.org")
    ReferentFactory(submission=submission, name="Sans adresse", email="")
    return submission


@pytest.fixture
def planned(answer, owner) -> Exchange:
    """An exchange next week, its invitation sent."""
    starts_at = timezone.now() + timedelta(days=7)
    return services.plan_exchange(
        answer, owner, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), place="ARS"
    )


def test_closing_cancels_the_planned_exchange_in_the_calendars(as_user, owner, answer, planned):
    invitation = ics_of("ami/emails/exchange_planned")
    response = as_user(owner).post(
        reverse("staff:close", args=[answer.pk]), {"cloture-reason": "withdrawn"}, follow=True
    )
    planned.refresh_from_db()
    assert planned.cancelled_at is not None
    row = OutgoingEmail.objects.get(template="ami/emails/closed")
    [attachment] = row.attachments
    assert attachment["filename"] == f"annulation-echange-{answer.reference}.ics"
    cancellation = calendar_properties(attachment["content"])
    assert cancellation["METHOD"] == "CANCEL"
    assert cancellation["UID"] == invitation["UID"] == planned.ical_uid
    assert int(cancellation["SEQUENCE"]) > int(invitation["SEQUENCE"])
    assert cancellation["STATUS"] == "CANCELLED"
    assert cancellation["DTSTART"] == invitation["DTSTART"]
    assert "Le temps d’échange prévu le" in row.body_text
    assert "est annulé" in row.body_text and "est annulé" in row.body_html
    # The history keeps what was cancelled.
    assert answer.events.get(kind="closed").data["cancelled_exchange"] == {
        "exchange_id": planned.pk,
        "starts_at": planned.starts_at.isoformat(),
    }
    assert "annulé, annulation envoyée aux référents" in response.content.decode()


def test_the_sent_email_carries_the_cancellation(
    owner, answer, planned, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.close(answer, owner, reason="withdrawn")
    [message] = [m for m in mail.outbox if "Clôture" in m.subject]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"annulation-echange-{answer.reference}.ics", "text/calendar")
    assert calendar_properties(content)["METHOD"] == "CANCEL"


def test_orienting_before_the_date_cancels_the_exchange(owner, answer, planned):
    services.orient(answer, owner, orientation=Orientation.INFORMATION)
    cancellation = ics_of("ami/emails/oriented")
    assert (cancellation["METHOD"], cancellation["STATUS"]) == ("CANCEL", "CANCELLED")
    assert cancellation["UID"] == planned.ical_uid
    row = OutgoingEmail.objects.get(template="ami/emails/oriented")
    assert "est annulé" in row.body_text


def test_back_to_review_cancels_the_exchange_with_an_email_of_its_own(owner, answer, planned):
    services.change_status(answer, Status.IN_REVIEW, owner)
    cancellation = ics_of(workflow.EXCHANGE_CANCELLED_EMAIL)
    assert (cancellation["METHOD"], cancellation["SEQUENCE"]) == ("CANCEL", "1")
    row = OutgoingEmail.objects.get(template=workflow.EXCHANGE_CANCELLED_EMAIL)
    assert row.subject == (
        f"Annulation de l’échange sur votre réponse {answer.reference} à l’AMI CPTS"
    )
    assert "est annulé" in row.body_text and "reste en cours d’analyse" in row.body_text
    assert "{{" not in row.body_text and "{{" not in row.body_html


def test_planning_again_after_a_cancellation_invites_to_a_new_event(owner, answer, planned):
    services.change_status(answer, Status.IN_REVIEW, owner)
    starts_at = timezone.now() + timedelta(days=14)
    again = services.plan_exchange(
        answer, owner, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), place="ARS"
    )
    assert again.pk != planned.pk and again.ical_uid != planned.ical_uid
    answer.refresh_from_db()
    assert answer.current_exchange == again


def test_moving_the_exchange_does_not_cancel_it(owner, answer, planned):
    starts_at = planned.starts_at + timedelta(days=1)
    services.plan_exchange(
        answer, owner, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), place="ARS"
    )
    planned.refresh_from_db()
    assert planned.cancelled_at is None
    assert ics_of("ami/emails/exchange_planned")["METHOD"] == "REQUEST"


def test_closing_without_a_planned_exchange_attaches_nothing(owner, answer):
    services.close(answer, owner, reason="withdrawn")
    assert OutgoingEmail.objects.get(template="ami/emails/closed").attachments == []


def test_a_past_exchange_is_not_cancelled(owner, answer, planned):
    past = timezone.now() - timedelta(hours=2)
    Exchange.objects.filter(pk=planned.pk).update(starts_at=past, ends_at=past + timedelta(hours=1))
    services.close(answer, owner, reason="information_given")
    planned.refresh_from_db()
    assert (planned.cancelled_at, planned.sequence) == (None, 0)
    row = OutgoingEmail.objects.get(template="ami/emails/closed")
    assert row.attachments == []
    assert "annulé" not in row.body_text
    assert "cancelled_exchange" not in answer.events.get(kind="closed").data


def test_a_refused_move_cancels_nothing(owner, colleague, answer, planned):
    stale = Submission.objects.get(pk=answer.pk)
    services.orient(answer, colleague, orientation=Orientation.INFORMATION)
    OutgoingEmail.objects.all().delete()
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(stale, Status.CLOSED, by=owner)
    assert not OutgoingEmail.objects.exists()
    assert Exchange.objects.get(pk=planned.pk).sequence == 1  # the orientation's cancel only


def test_current_exchange_is_never_a_cancelled_one():
    submission = SubmissionFactory(status=Status.EXCHANGE_PLANNED)
    exchange = ExchangeFactory(submission=submission)
    assert submission.current_exchange == exchange
    exchange.cancel()
    assert submission.current_exchange is None


def test_cancellation_is_the_invitation_with_another_method(answer):
    exchange = ExchangeFactory(submission=answer)
    attendees = [("Anne Le Goff", "anne@example.org")]
    invitation = exchange_calendar(exchange, answer, attendees)
    cancellation = exchange_calendar(exchange, answer, attendees, Method.CANCEL)

    def without(text: str, *names: str) -> list[str]:
        return [line for line in text.split("\r\n") if not line.startswith(names)]

    # Only the method, the status and the time stamp differ.
    varying = ("METHOD:", "STATUS:", "DTSTAMP:")
    assert without(invitation, *varying) == without(cancellation, *varying)


def test_staff_page_warns_that_a_status_change_cancels_the_exchange(
    as_user, owner, answer, planned
):
    page = as_user(owner).get(reverse("staff:submission", args=[answer.pk])).content.decode()
    assert "Un changement de statut avant cette date l’annule" in page
