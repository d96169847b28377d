"""Private links: unguessable, expiring after PRIVATE_LINK_DAYS, revoked and re-sent by staff."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import Submission, SubmissionEvent
from ami.staff import services as staff_services
from ami.workflow import ActionNotAllowed
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, ReferentFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_VIEWS = ["ami:follow", "ami:edit", "ami:referent_message", "ami:referent_pdf"]


def private_url(name: str, submission: Submission) -> str:
    return reverse(name, kwargs={"token": submission.access_token})


def request(client: Client, name: str, submission: Submission):
    """GET, or POST for the messages view (POST-only)."""
    url = private_url(name, submission)
    if name == "ami:referent_message":
        return client.post(url, {"reponse-text": "Bonjour"})
    return client.get(url)


def expire(submission: Submission) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(
        access_expires_at=timezone.now() - timedelta(minutes=1)
    )
    submission.refresh_from_db()
    return submission


def test_a_new_answer_gets_a_link_valid_for_the_configured_number_of_days(client, settings):
    settings.PRIVATE_LINK_DAYS = 30
    campaign = CampaignFactory()
    before = timezone.now()
    client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())
    submission = Submission.objects.get()
    assert before + timedelta(days=30) <= submission.access_expires_at
    assert submission.access_expires_at <= timezone.now() + timedelta(days=30)


def test_the_acknowledgement_tells_until_when_the_link_works(client):
    campaign = CampaignFactory()
    client.post(reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data())
    acknowledgement = OutgoingEmail.objects.get(template="ami/emails/acknowledgement")
    assert "Il est valable jusqu’au" in acknowledgement.body_text


@pytest.mark.parametrize("name", PRIVATE_VIEWS)
def test_an_expired_link_gets_the_410_page_that_says_how_to_get_a_new_one(client, name):
    submission = expire(SubmissionFactory(campaign=CampaignFactory(contact_email="cpts@ars.fr")))
    response = request(client, name, submission)
    assert response.status_code == 410
    page = response.content.decode()
    assert "Ce lien de suivi a expiré" in page
    assert "cpts@ars.fr" in page and submission.reference in page
    assert "no-store" in response["Cache-Control"]
    # Nothing of the answer itself is shown.
    assert submission.context not in page
    assert submission.referents.get().email not in page


def test_an_expired_link_accepts_no_message_nor_correction(client):
    submission = expire(SubmissionFactory())
    client.post(private_url("ami:referent_message", submission), {"reponse-text": "Bonjour"})
    client.post(private_url("ami:edit", submission), answer_data(context="Changé"))
    submission.refresh_from_db()
    assert submission.context != "Changé"
    assert not submission.events.filter(kind=SubmissionEvent.Kind.MESSAGE).exists()


@pytest.mark.parametrize("name", PRIVATE_VIEWS)
def test_a_link_still_valid_works(client, name):
    submission = SubmissionFactory()
    submission.access_expires_at = timezone.now() + timedelta(minutes=5)
    submission.save()
    response = request(client, name, submission)
    assert response.status_code in {200, 302}


def test_the_referents_activity_does_not_extend_the_link(client):
    submission = SubmissionFactory()
    expiry = submission.access_expires_at
    client.get(submission.get_private_url())
    client.post(private_url("ami:referent_message", submission), {"reponse-text": "Bonjour"})
    client.get(private_url("ami:referent_pdf", submission))
    submission.refresh_from_db()
    assert submission.events.filter(kind=SubmissionEvent.Kind.MESSAGE).exists()
    assert submission.access_expires_at == expiry


def test_private_pages_are_not_kept_by_caches(client):
    response = client.get(SubmissionFactory().get_private_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- Re-sent by staff --------------------------------------------------------------------


@pytest.fixture
def ars_agent(db):
    return UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")


def resend_url(submission: Submission) -> str:
    return reverse("staff:resend_link", args=[submission.pk])


def test_ars_resends_a_new_link_the_old_one_404s_the_new_one_works(client, ars_agent):
    submission = expire(SubmissionFactory())
    old_url = submission.get_private_url()
    client.force_login(ars_agent)
    response = client.post(resend_url(submission), {"lien-comment": "Demande par téléphone"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.get_private_url() != old_url
    assert submission.access_expires_at > timezone.now() + timedelta(days=364)
    anonymous = Client()
    assert anonymous.get(old_url).status_code == 404
    assert anonymous.get(submission.get_private_url()).status_code == 200


def test_the_new_link_is_emailed_to_each_referent_with_an_address(client, ars_agent):
    submission = SubmissionFactory()
    ReferentFactory(submission=submission, email="second@example.org")
    ReferentFactory(submission=submission, email="", phone="+33298000000")
    client.force_login(ars_agent)
    client.post(resend_url(submission), {})
    submission.refresh_from_db()
    emails = OutgoingEmail.objects.filter(template="ami/emails/new_private_link")
    assert sorted(emails.values_list("recipient", flat=True)) == sorted(
        submission.referents.exclude(email="").values_list("email", flat=True)
    )
    assert all(submission.access_token in email.body_text for email in emails)
    assert all(email.subject.startswith("Nouveau lien de suivi") for email in emails)


def test_resending_is_recorded_in_the_history_with_who_and_until_when(client, ars_agent):
    submission = SubmissionFactory()
    client.force_login(ars_agent)
    client.post(resend_url(submission), {})
    event = submission.events.get(kind=SubmissionEvent.Kind.LINK_RESENT)
    assert event.author == ars_agent
    assert event.comment == ""  # a comment is the page's one note form
    submission.refresh_from_db()
    assert event.data["expires_at"] == submission.access_expires_at.isoformat()
    page = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert "Nouveau lien de suivi envoyé" in page and "Envoyé à 1 référent" in page


@pytest.mark.parametrize("role", [Role.URPS, Role.ASSURANCE_MALADIE, Role.COORDINATOR])
def test_only_the_ars_may_resend_a_link(client, role):
    submission = SubmissionFactory()
    token = submission.access_token
    client.force_login(UserFactory(roles=[role]))
    assert client.post(resend_url(submission), {}).status_code == 403
    submission.refresh_from_db()
    assert submission.access_token == token
    assert not OutgoingEmail.objects.filter(template="ami/emails/new_private_link").exists()


def test_resending_by_get_is_refused_and_changes_nothing(client, ars_agent):
    submission = SubmissionFactory()
    token = submission.access_token
    client.force_login(ars_agent)
    assert client.get(resend_url(submission)).status_code == 405
    submission.refresh_from_db()
    assert submission.access_token == token


def test_no_link_is_sent_when_no_referent_gave_an_address(ars_agent):
    submission = SubmissionFactory()
    submission.referents.update(email="")
    token = submission.access_token
    with pytest.raises(ActionNotAllowed):
        staff_services.resend_private_link(submission, ars_agent)
    submission.refresh_from_db()
    assert submission.access_token == token
    assert not submission.events.filter(kind=SubmissionEvent.Kind.LINK_RESENT).exists()


def test_the_staff_page_shows_the_expiry_and_the_resend_form_to_the_ars_only(client, ars_agent):
    submission = expire(SubmissionFactory())
    client.force_login(ars_agent)
    page = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert "Lien de suivi des référents" in page and "Expiré" in page
    assert resend_url(submission) in page
    client.force_login(UserFactory(roles=[Role.URPS]))
    page = client.get(reverse("staff:submission", args=[submission.pk])).content.decode()
    assert "Expiré" in page
    assert resend_url(submission) not in page


# --- The migration's fill of existing rows -------------------------------------------------


def test_existing_links_get_an_expiry_counted_from_their_answer_with_a_grace_period(settings):
    migration = importlib.import_module("ami.migrations.0004_private_links_audit")
    settings.PRIVATE_LINK_DAYS = 365
    old, recent = SubmissionFactory(), SubmissionFactory()
    now = timezone.now()
    Submission.objects.filter(pk=old.pk).update(submitted_at=now - timedelta(days=700))
    Submission.objects.filter(pk=recent.pk).update(submitted_at=now - timedelta(days=10))
    migration.fill_link_expiry(apps, None)
    old.refresh_from_db()
    recent.refresh_from_db()
    # Old: not cut at once, the ARS has the grace period to send new links.
    assert old.access_expires_at - now >= migration.GRACE_AFTER_UPGRADE - timedelta(minutes=1)
    assert old.access_expires_at - now <= migration.GRACE_AFTER_UPGRADE + timedelta(minutes=1)
    assert recent.access_expires_at == recent.submitted_at + timedelta(days=365)
