"""The référent's side, through the private link: reading and answering the ARS's messages,
seeing the planned exchange; each side is told by email."""

import pytest
from django.urls import reverse

from ami.models import Submission, SubmissionEvent
from ami.staff import services
from notifications.models import OutgoingEmail
from tests.factories import CampaignFactory, ExchangeFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
Kind = SubmissionEvent.Kind


def reply_url(submission: Submission) -> str:
    return reverse("ami:referent_message", args=[submission.access_token])


def test_referent_reads_the_thread_and_answers(as_user, owner, settings):
    submission = SubmissionFactory(assignee=owner)
    services.send_message(submission, owner, "Pouvez-vous nous dire qui porte le projet ?")
    client = as_user(None)
    page = client.get(submission.get_private_url()).content.decode()
    assert "Pouvez-vous nous dire qui porte le projet ?" in page
    assert reply_url(submission) in page
    response = client.post(reply_url(submission), {"reponse-text": "La MSP du Port-Rhu."})
    assert response.status_code == 302
    assert response["Location"] == submission.get_private_url() + "#messages"
    page = client.get(response["Location"]).content.decode()
    assert "Votre message a été transmis à l’ARS." in page
    assert page.index("qui porte le projet") < page.index("La MSP du Port-Rhu.")
    event = submission.events.filter(kind=Kind.MESSAGE).last()
    assert (event.author, event.data, event.comment) == (
        None,
        {"from": "referent"},
        "La MSP du Port-Rhu.",
    )
    email = OutgoingEmail.objects.get(template="ami/emails/message_from_referent")
    assert email.recipient == owner.email  # the agent in charge
    assert email.subject == f"Message des référents de la réponse {submission.reference}"
    assert "La MSP du Port-Rhu." in email.body_text
    staff_url = settings.SITE_URL + reverse("staff:submission", args=[submission.pk])
    assert staff_url in email.body_text


def test_unassigned_answer_message_goes_to_the_campaign_address(as_user):
    campaign = CampaignFactory(contact_email="ars-bretagne-secretariat-daspf@ars.sante.fr")
    submission = SubmissionFactory(campaign=campaign)
    as_user(None).post(reply_url(submission), {"reponse-text": "Bonjour"})
    email = OutgoingEmail.objects.get(template="ami/emails/message_from_referent")
    assert email.recipient == "ars-bretagne-secretariat-daspf@ars.sante.fr"


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_empty_or_too_long_message_is_refused_next_to_its_field(as_user, text):
    submission = SubmissionFactory()
    client = as_user(None)
    response = client.post(reply_url(submission), {"reponse-text": text})
    page = response.content.decode()
    assert "<title>Erreur" in page
    assert 'href="#id_reponse-text"' in page  # the error summary links to the field
    assert not submission.events.filter(kind=Kind.MESSAGE).exists()
    assert not OutgoingEmail.objects.exists()


def test_wrong_token_cannot_post_nor_read(as_user):
    submission = SubmissionFactory()
    client = as_user(None)
    wrong = submission.access_token[:-2] + "xx"
    response = client.post(reverse("ami:referent_message", args=[wrong]), {"reponse-text": "x"})
    assert response.status_code == 404
    assert client.get(reverse("ami:referent_pdf", args=[wrong])).status_code == 404
    assert client.get(reply_url(submission)).status_code == 405


def test_another_answers_token_shows_only_that_answer(as_user, owner):
    mine, other = SubmissionFactory(), SubmissionFactory()
    services.send_message(other, owner, "Message pour l’autre équipe")
    page = as_user(None).get(mine.get_private_url()).content.decode()
    assert "Message pour l’autre équipe" not in page


def test_planned_exchange_is_shown_on_the_private_page(as_user):
    submission = SubmissionFactory(status=Submission.Status.EXCHANGE_PLANNED)
    ExchangeFactory(submission=submission, place="Mairie de Douarnenez")
    page = as_user(None).get(submission.get_private_url()).content.decode()
    assert "Un temps d’échange avec l’ARS est prévu." in page
    assert "Mairie de Douarnenez" in page


def test_private_notes_never_reach_the_private_page_nor_its_history(as_user, owner):
    submission = SubmissionFactory()
    services.add_note(submission, owner, "Note interne très confidentielle")
    services.give_opinion(submission, owner, "unfavorable", "Avis très confidentiel")
    page = as_user(None).get(submission.get_private_url()).content.decode()
    assert "confidentiel" not in page
    assert "Défavorable" not in page
    assert "Note interne" not in page
    assert list(SubmissionEvent.objects.visible_to_referent().filter(kind=Kind.NOTE)) == []
