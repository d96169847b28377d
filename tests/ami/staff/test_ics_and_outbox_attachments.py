"""The .ics invitation (RFC 5545) and the outbox's text attachments."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from ami.ics import escape_text, exchange_calendar, fold
from notifications import tasks
from notifications.models import OutgoingEmail
from notifications.services import Attachment, queue_email
from tests.factories import CampaignFactory, ExchangeFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def test_text_values_are_escaped():
    assert escape_text("Salle 2; bâtiment A, 1er\\étage\nRennes") == (
        "Salle 2\\; bâtiment A\\, 1er\\\\étage\\nRennes"
    )


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(parts) == line


def test_invitation_has_the_fields_calendars_need():
    campaign = CampaignFactory(contact_email="ars-bretagne@ars.sante.fr")
    submission = SubmissionFactory(campaign=campaign)
    exchange = ExchangeFactory(
        submission=submission,
        starts_at=datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 14, 30, tzinfo=UTC),
        place="Mairie, place de l’Enfer; Douarnenez",
        video_url="https://webconf.numerique.gouv.fr/cpts-douarnenez",
        participants="ARS, CPAM, URPS",
    )
    text = exchange_calendar(exchange, submission, [("Anne Le Goff", "anne@example.org")])
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    for expected in (
        "METHOD:REQUEST",
        f"UID:{exchange.ical_uid}",
        "SEQUENCE:0",
        "DTSTART:20261203T130000Z",
        "DTEND:20261203T143000Z",
        f"SUMMARY:Échange CPTS — réponse {submission.reference}",
        "LOCATION:Mairie\\, place de l’Enfer\\; Douarnenez",
        "URL:https://webconf.numerique.gouv.fr/cpts-douarnenez",
        'ORGANIZER;CN="Agence régionale de santé Bretagne":mailto:ars-bretagne@ars.sante.fr',
        'ATTENDEE;CN="Anne Le Goff";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:'
        "mailto:anne@example.org",
    ):
        assert expected in lines, expected
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_outbox_row_keeps_its_attachment_and_the_sent_email_carries_it(
    django_capture_on_commit_callbacks,
):
    submission = SubmissionFactory()
    attachment = Attachment("echange.ics", "text/calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue_email(
            ["a@example.org"],
            "ami/emails/in_review",
            {"submission": submission, "campaign": submission.campaign, "private_url": "u"},
            related=submission,
            attachments=[attachment],
        )
    row.refresh_from_db()
    assert row.attachments == [
        {"filename": "echange.ics", "mimetype": "text/calendar",
         "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}
    ]  # fmt: skip
    assert row.status == OutgoingEmail.Status.SENT
    [message] = mail.outbox
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("echange.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content
    assert "text/calendar" in message.message().as_string()


def test_email_without_attachment_is_unchanged():
    email = OutgoingEmail.objects.create(
        recipient="a@example.org", template="t", subject="Objet", body_text="Corps"
    )
    assert email.attachments == []
    assert tasks.send_email.delay(email.pk).get() == "sent"
    assert mail.outbox[0].attachments == []


@pytest.mark.parametrize(
    ("filename", "mimetype"), [("a.pdf", "application/pdf"), ("../x.ics", "text/calendar")]
)
def test_only_named_text_attachments_are_accepted(filename, mimetype):
    with pytest.raises(ValueError):
        Attachment(filename, mimetype, "x")
