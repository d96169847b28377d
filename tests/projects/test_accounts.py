"""Invitations by email and password resets (issue 14, item 9)."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse

from cpts_portal.log_filters import mask_private_links
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from projects import services
from tests.factories import CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/mot-de-passe/nouveau/[^/\s]+/")
NEW_PASSWORD = "Lannion-Pontivy-2026!"


def invite_url(project) -> str:
    return reverse("projects:invite", kwargs={"pk": project.pk})


def link_in(email: OutgoingEmail) -> str:
    return LINK.search(email.body_text).group(0)


def path_of(url: str, settings) -> str:
    assert url.startswith(settings.SITE_URL + "/")
    return url[len(settings.SITE_URL) :]


def invite(client, project, ars, **data):
    client.force_login(ars)
    values = {
        "role": Role.COORDINATOR,
        "email": "Gwen.Riou@example.org",
        "first_name": "Gwen",
        "last_name": "Riou",
        **data,
    }
    return client.post(invite_url(project), values)


def test_the_ars_invites_a_coordinator_who_gets_an_account_and_a_link(
    client, project, ars, settings
):
    response = invite(client, project, ars)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="Gwen.Riou@example.org")
    assert user.username == "gwen.riou@example.org"
    assert not user.has_usable_password()
    assert user.groups.filter(name=Role.COORDINATOR).exists()
    assert user in project.coordinators.all()
    email = OutgoingEmail.objects.get(recipient="Gwen.Riou@example.org")
    assert "CPTS du Pays de Douarnenez" in email.subject
    assert link_in(email).startswith(settings.SITE_URL)
    assert "valable 72 heures" in email.body_text
    assert project.events.filter(
        comment__contains="Invitation envoyée à Gwen.Riou@example.org"
    ).exists()


def test_the_invited_coordinator_sets_a_password_once_and_signs_in(client, project, ars, settings):
    invite(client, project, ars)
    client.logout()
    link = path_of(link_in(OutgoingEmail.objects.get()), settings)
    response = client.get(link)
    assert response.status_code == 302  # Django hides the token from the Referer
    form_url = response.url
    assert "Choisir votre mot de passe" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("password_reset_complete")
    assert client.login(username="gwen.riou@example.org", password=NEW_PASSWORD)
    client.logout()
    # Single use: the same link is now refused.
    response = client.get(link, follow=True)
    assert "Lien invalide ou expiré" in response.content.decode()


@pytest.mark.parametrize(("hours", "valid"), [(71.9, True), (72.1, False)])
def test_the_link_is_valid_72_hours(client, project, ars, settings, monkeypatch, hours, valid):
    invite(client, project, ars)
    client.logout()
    link = path_of(link_in(OutgoingEmail.objects.get()), settings)
    later = datetime.now() + timedelta(hours=hours)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    page = client.get(link, follow=True).content.decode()
    assert ("Choisir votre mot de passe" in page) is valid
    assert ("Lien invalide ou expiré" in page) is not valid


def test_a_link_of_another_account_does_not_open_this_one(client, project, ars, settings):
    invite(client, project, ars)
    invite(client, project, ars, email="autre@example.org")
    client.logout()
    first, second = (link_in(e) for e in OutgoingEmail.objects.order_by("pk"))
    uid_first = first.rsplit("/", 2)[-2].split(".")[0]
    token_second = second.rsplit("/", 2)[-2].split(".")[1]
    forged = reverse("password_set", kwargs={"uidb64": uid_first, "token": token_second})
    assert "Lien invalide ou expiré" in client.get(forged, follow=True).content.decode()


def test_an_existing_coordinator_is_attached_without_a_new_password(client, project, ars):
    existing = CoordinatorFactory(username="yann", email="yann@example.org")
    existing.set_password("an-old-password-42")
    existing.save()
    response = invite(client, project, ars, email="YANN@example.org")
    assert response.status_code == 302
    assert existing in project.coordinators.all()
    email = OutgoingEmail.objects.get()
    assert not LINK.search(email.body_text)
    assert "mot de passe habituels" in email.body_text
    existing.refresh_from_db()
    assert existing.check_password("an-old-password-42")


def test_an_account_of_another_role_is_not_turned_into_a_coordinator(client, project, ars):
    agent = UserFactory(
        username="agent.urps", email="agent@urps.example.org", roles=[Role.URPS], is_staff=False
    )
    response = invite(client, project, ars, email="agent@urps.example.org")
    assert response.status_code == 422
    assert "un compte n’a qu’un rôle" in response.content.decode()
    assert agent not in project.coordinators.all()
    assert not agent.groups.filter(name=Role.COORDINATOR).exists()
    assert not OutgoingEmail.objects.exists()


def test_an_administrator_account_is_not_invited(client, project, ars):
    UserFactory(username="root", email="root@example.org", is_staff=True)
    assert invite(client, project, ars, email="root@example.org").status_code == 422


def test_the_ars_invites_a_partner_agent(client, project, ars):
    invite(client, project, ars, role=Role.ASSURANCE_MALADIE, email="agent@cpam.example.org")
    user = get_user_model().objects.get(email="agent@cpam.example.org")
    assert user.groups.filter(name=Role.ASSURANCE_MALADIE).exists()
    assert user not in project.coordinators.all()
    assert "Assurance Maladie" in OutgoingEmail.objects.get().subject


@pytest.mark.parametrize("who", ["urps", "am", "owner"])
def test_only_the_ars_invites(client, project, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(invite_url(project)).status_code == 403
    response = client.post(
        invite_url(project),
        {"role": Role.COORDINATOR, "email": "x@example.org", "first_name": "X", "last_name": "Y"},
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(email="x@example.org").exists()


def test_the_service_refuses_a_partner(project, urps):
    with pytest.raises(services.PermissionDenied):
        services.invite_to_project(
            project, urps, email="x@example.org", first_name="X", last_name="Y", role="URPS"
        )


# --- Password reset --------------------------------------------------------------------


def test_password_reset_sends_a_link_on_the_site_url(client, owner, settings):
    response = client.post(reverse("password_reset"), {"email": owner.email.upper()})
    assert response.url == reverse("password_reset_done")
    email = OutgoingEmail.objects.get()
    assert email.recipient == owner.email
    path = path_of(link_in(email), settings)
    form_url = client.get(path).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert client.login(username=owner.username, password=NEW_PASSWORD)


def test_a_forged_host_header_never_reaches_the_link(client, owner, settings):
    """Host-header poisoning: even with ALLOWED_HOSTS wide open, the emailed link is on
    SITE_URL, not on the host the attacker sent."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = True
    client.post(
        reverse("password_reset"),
        {"email": owner.email},
        HTTP_HOST="evil.example",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    email = OutgoingEmail.objects.get()
    assert "evil.example" not in email.body_text + email.body_html
    assert link_in(email).startswith(settings.SITE_URL + "/mot-de-passe/nouveau/")


def test_an_unknown_address_gets_the_same_page_and_no_email(client):
    response = client.post(
        reverse("password_reset"), {"email": "personne@example.org"}, follow=True
    )
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert not OutgoingEmail.objects.exists()


def test_an_invited_account_without_password_can_ask_for_a_new_link(client, project, ars):
    invite(client, project, ars)
    client.logout()
    client.post(reverse("password_reset"), {"email": "gwen.riou@example.org"})
    assert OutgoingEmail.objects.filter(template="registration/emails/password_reset").exists()


def test_one_address_gets_few_reset_emails(client, owner, settings):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    for _ in range(4):
        client.post(reverse("password_reset"), {"email": owner.email})
    assert OutgoingEmail.objects.filter(recipient=owner.email).count() == 2


def test_password_reset_requests_are_rate_limited_per_client(client, settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_RULES = {**settings.RATELIMIT_RULES, "password_reset": ("POST", 3, 3600)}
    statuses = [
        client.post(reverse("password_reset"), {"email": f"p{i}@example.org"}).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_the_password_links_are_masked_in_logs_and_the_outbox_admin():
    text = "GET http://127.0.0.1:8000/mot-de-passe/nouveau/MQ.cz1abc-0123456789abcdef/ 200"
    masked = mask_private_links(text)
    assert "cz1abc" not in masked and "MQ" not in masked
