"""An ARS agent triages an answer in a real browser (Debian's chromium through Playwright)."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ami.models import Exchange, Submission
from ami.staff import services
from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from tests.factories import SubmissionFactory, UserFactory

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user) -> None:
    """Reuse a Django session in the browser: the login form is tested elsewhere."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_ars_agent_takes_an_answer_into_analysis_then_plans_the_exchange(page, live_server):
    agent = UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")
    submission = SubmissionFactory(context="Nous réfléchissons à une CPTS.")
    sign_in(page, live_server, agent)

    page.goto("/tableau-de-bord/")
    page.get_by_role("link", name=submission.reference).click()
    page.wait_for_url(f"**/tableau-de-bord/reponses/{submission.pk}/")
    heading = page.get_by_role("heading", level=1)
    assert f"Réponse {submission.reference}" in heading.inner_text()
    assert "Reçue" in heading.text_content()  # the DSFR badge is upper-cased by CSS

    page.get_by_label("Commentaire interne").first.fill("Dossier complet")
    page.get_by_role("button", name="Prendre en analyse").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le statut est modifié.").is_visible()
    assert "En cours d'analyse" in page.get_by_role("heading", level=1).text_content()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW

    day = timezone.localdate() + timedelta(days=14)
    exchange = page.locator("form[action$='/echange/']")
    exchange.get_by_label("Date", exact=True).fill(day.isoformat())
    exchange.get_by_label("Heure de début").fill("18:30")
    exchange.get_by_label("Heure de fin").fill("20:00")
    exchange.get_by_label("Lieu").fill("Maison de santé du Port-Rhu, Douarnenez")
    exchange.get_by_role("button", name="Planifier et inviter").click()
    page.wait_for_load_state()
    assert page.get_by_text("L’échange est planifié").is_visible()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.EXCHANGE_PLANNED
    assert Exchange.objects.get(submission=submission).place.startswith("Maison de santé")
    invitation = OutgoingEmail.objects.get(template="ami/emails/exchange_planned")
    assert invitation.attachments[0]["filename"].endswith(".ics")
    timeline = page.locator("#historique + p + ol").inner_text()
    assert "Échange planifié" in timeline and "Statut : Reçue → En cours d'analyse" in timeline


def test_staff_pages_and_the_referent_block_pass_axe(page, live_server):
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory()
    services.change_status(submission, Submission.Status.IN_REVIEW, by=agent)
    services.send_message(submission, agent, "Bonjour, quelles sont vos disponibilités ?")
    sign_in(page, live_server, agent)
    axe = Axe()
    for url in (
        "/tableau-de-bord/",
        f"/tableau-de-bord/reponses/{submission.pk}/",
        "/tableau-de-bord/statistiques/",
        submission.get_private_url(),
    ):
        page.goto(url)
        violations = axe.run(page).response["violations"]
        assert violations == [], (url, [(v["id"], v["nodes"][0]["target"]) for v in violations])
