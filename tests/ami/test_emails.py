"""Acknowledgement and ARS notification: outbox rows written with the answer, then sent."""

import pytest
from django.core import mail
from django.urls import reverse

from ami.models import Submission
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(contact_email="ars-bretagne-secretariat-daspf@ars.sante.fr")
    # A commune of the reference data: the ARS subject names no place typed as free text.
    CommuneFactory(name="Douarnenez", insee_code="29046", postal_codes="29100")
    data = answer_data(
        **{
            "referents-TOTAL_FORMS": "2",
            "referents-1-name": "Yann Kerbrat",
            "referents-1-email": "yann.kerbrat@example.org",
            "context": 'Contexte <b onmouseover="x()">gras</b>',
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), data)
    return Submission.objects.get()


def test_one_outbox_row_per_referent_and_one_for_the_ars(submitted):
    rows = OutgoingEmail.objects.order_by("recipient")
    assert [(row.recipient, row.template) for row in rows] == [
        ("anne.legoff@example.org", "ami/emails/acknowledgement"),
        ("ars-bretagne-secretariat-daspf@ars.sante.fr", "ami/emails/ars_notification"),
        ("yann.kerbrat@example.org", "ami/emails/acknowledgement"),
    ]
    assert all(row.related == submitted for row in rows)


def test_emails_are_sent_in_process_without_broker(submitted):
    # No REDIS_URL in this configuration: tasks run eagerly once the transaction commits.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anne.legoff@example.org",
        "ars-bretagne-secretariat-daspf@ars.sante.fr",
        "yann.kerbrat@example.org",
    ]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_acknowledgement_is_french_with_private_link_in_text_and_html(submitted, settings):
    message = next(m for m in mail.outbox if m.to == ["anne.legoff@example.org"])
    private_url = settings.SITE_URL + submitted.get_private_url()
    assert message.subject.startswith(f"Accusé de réception de votre réponse {submitted.reference}")
    assert private_url in message.body
    assert "Réflexion en cours autour d’un projet de CPTS" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{private_url}"' in html


def test_ars_notification_lists_actors_and_referents_and_links_to_admin(submitted, settings):
    message = next(
        m for m in mail.outbox if m.to == ["ars-bretagne-secretariat-daspf@ars.sante.fr"]
    )
    assert "Douarnenez" in message.subject
    assert "Dr Anne Le Goff, Médecin généraliste, Douarnenez" in message.body
    assert "02 98 92 12 34" in message.body
    assert settings.SITE_URL + reverse("staff:submission", args=[submitted.pk]) in message.body


def test_user_text_is_escaped_in_html_emails(client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ami:answer", kwargs={"slug": campaign.slug}),
            answer_data(**{"actors-0-name": '<img src=x onerror="alert(1)">'}),
        )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "<img src=x" not in html
        assert "&lt;img src=x" in html


def test_smtp_outage_keeps_the_answer_and_leaves_emails_pending(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    campaign = CampaignFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())
    assert response.status_code == 302
    assert Submission.objects.count() == 1
    rows = OutgoingEmail.objects.all()
    assert rows.count() == 2
    assert {row.status for row in rows} == {"pending"}
    assert all("SMTPServerDisconnected" in row.last_error for row in rows)
