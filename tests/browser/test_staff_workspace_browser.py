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


# --- Dashboard: width, columns, selection, header --------------------------------------------


def assert_no_blocking_axe_violation(page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert blocking == [], (page.url, [(v["id"], v["nodes"][0]["target"]) for v in blocking])


def long_answers(count: int = 3) -> list[Submission]:
    """Answers with the longest texts the table shows: names, places, territory, status."""
    agent = UserFactory(roles=[Role.ARS], first_name="Marie-Christine", last_name="Le Guern-Kerjean")
    answers = []
    for index in range(count):
        submission = SubmissionFactory(
            assignee=agent,
            wants_information=True,
            has_initiative=True,
            territory_text="CPTS Pays de Fougères : Fougères Agglomération, éventuellement "
            "Couesnon Marches de Bretagne et les communes limitrophes de la Mayenne.",
            status=Submission.Status.EXCHANGE_PLANNED if index % 2 else Submission.Status.IN_REVIEW,
        )
        submission.actors.update(
            name="Centre hospitalier intercommunal de Fougères-Vitré-La Guerche",
            practice_place="Saint-Aubin-du-Cormier-en-Pays-de-Fougères",
        )
        answers.append(submission)
    return answers


def page_fits(page) -> dict:
    """Widths of the document and of the table's scroll box: nothing wider than its box."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement;
          const box = document.querySelector('.fr-table__container') || doc;
          return {doc: [doc.scrollWidth, doc.clientWidth], table: [box.scrollWidth, box.clientWidth]};
        }"""
    )


@pytest.mark.parametrize("width", [1280, 1024])
def test_dashboard_fits_the_screen_without_horizontal_scroll(page, live_server, width):
    long_answers()
    agent = UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")
    sign_in(page, live_server, agent)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/tableau-de-bord/")
    widths = page_fits(page)
    assert widths["doc"][0] <= widths["doc"][1], widths
    assert widths["table"][0] <= widths["table"][1], widths
    for column in ("statut", "agent"):  # the columns that sat behind a scroll
        header = page.locator(f"thead th[data-column={column}]")
        assert header.is_visible() and header.bounding_box()["x"] + 10 < width
    page.screenshot(path=f"/tmp/sw-dashboard-{width}.png", full_page=True)
    assert_no_blocking_axe_violation(page)
