"""Issue #13 item 3: the outcome reaches the référents — the follow-up page tells the state
in plain words with the decision and its message, the exchange planned or cancelled, what
happens next; each decision sends an email; the « courrier de décision » PDF."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ami.models import ClosureReason, Orientation, Submission
from ami.staff import services
from notifications.models import OutgoingEmail
from tests.factories import ExchangeFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status


def page_of(client, submission) -> str:
    return " ".join(client.get(submission.get_private_url()).content.decode().split())


def pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split()
    )


def test_orientation_is_told_in_plain_words_with_its_message(as_user, owner):
    submission = SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)
    services.orient(
        submission, owner, orientation=Orientation.SUPPORT, message="Rendez-vous en mars."
    )
    page = page_of(as_user(None), submission)
    assert "Votre réponse est orientée vers un accompagnement de projet de CPTS :" in page
    assert "Rendez-vous en mars." in page
    assert "La première étape est la lettre d’intention." in page  # what happens next
    assert "en cours de traitement par l’ARS" not in page
    email = OutgoingEmail.objects.get(template="ami/emails/oriented")
    assert "Votre réponse est orientée vers un accompagnement de projet de CPTS." in email.body_text
    assert "Rendez-vous en mars." in email.body_text
    assert reverse("ami:decision_letter", args=[submission.access_token]) in email.body_text


def test_orientation_cancelling_the_exchange_no_longer_shows_it_planned(as_user, owner):
    submission = SubmissionFactory(assignee=owner, status=Status.EXCHANGE_PLANNED)
    starts = timezone.localtime(timezone.now() + timedelta(days=7)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    ExchangeFactory(submission=submission, starts_at=starts, ends_at=starts + timedelta(hours=1))
    services.send_message(submission, owner, "L’échange est fixé au 12 mars.")
    services.orient(submission, owner, orientation=Orientation.INFORMATION)
    page = page_of(as_user(None), submission)
    assert "Votre réponse est orientée vers une information sur les CPTS." in page
    assert "est annulé." in page
    assert "de 14:00 à 15:00, est annulé" in page
    assert "Un temps d’échange avec l’ARS est prévu." not in page
    email = OutgoingEmail.objects.get(template="ami/emails/oriented")
    assert "est annulé" in email.body_text


def test_closing_tells_the_reason_and_message(as_user, owner):
    submission = SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)
    services.close(
        submission,
        owner,
        reason=ClosureReason.JOINED_OTHER_PROJECT,
        message="Voir la CPTS voisine.",
    )
    page = page_of(as_user(None), submission)
    assert "Le traitement de votre réponse est clos." in page
    assert "Motif : Rattachée à un autre projet de CPTS." in page
    assert "Voir la CPTS voisine." in page
    assert OutgoingEmail.objects.filter(template="ami/emails/closed").exists()


def test_decision_letter_pdf_tells_the_decision(as_user, owner):
    submission = SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)
    services.orient(
        submission, owner, orientation=Orientation.SUPPORT, message="Contactez Mme Kervella."
    )
    response = as_user(None).get(reverse("ami:decision_letter", args=[submission.access_token]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{submission.reference}-courrier-de-decision.pdf"'
    )
    text = pdf_text(response.content)
    assert "Courrier de décision" in text
    assert "Votre réponse est orientée vers un accompagnement de projet de CPTS." in text
    assert "Contactez Mme Kervella." in text
    assert "lettre d’intention" in text


def test_no_decision_letter_before_a_decision(as_user, owner):
    submission = SubmissionFactory(status=Status.IN_REVIEW)
    client = as_user(None)
    assert (
        client.get(reverse("ami:decision_letter", args=[submission.access_token])).status_code
        == 404
    )
    assert "courrier de décision" not in page_of(client, submission)


def test_decision_letter_for_staff_and_not_for_outsiders(as_user, owner, outsider):
    submission = SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)
    services.close(submission, owner, reason=ClosureReason.WITHDRAWN)
    url = reverse("staff:decision_letter", args=[submission.pk])
    assert as_user(owner).get(url).status_code == 200
    assert as_user(outsider).get(url).status_code == 403
    assert as_user(None).get(url).status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (Status.RECEIVED, "Votre réponse est bien reçue"),
        (Status.IN_REVIEW, "Votre réponse est en cours d’analyse"),
        (Status.CORRECTION_REQUESTED, "L’ARS vous demande de corriger ou de compléter"),
    ],
)
def test_every_state_has_its_plain_sentence_and_next_step(as_user, status, sentence):
    submission = SubmissionFactory(status=status)
    page = page_of(as_user(None), submission)
    assert sentence in page
    assert "Et ensuite ?" in page


def test_emails_name_the_campaign_once(owner):
    """« l’AMI « AMI Communauté… » » read twice the same word."""
    submission = SubmissionFactory(assignee=owner, status=Status.IN_REVIEW)
    services.close(submission, owner, reason=ClosureReason.WITHDRAWN)
    for email in OutgoingEmail.objects.all():
        assert "AMI « AMI" not in email.body_text
        assert "l’AMI «" not in email.body_text
        assert "intérêt « AMI" not in email.body_text
