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

    page.get_by_role("button", name="Prendre en analyse").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le statut est modifié.").is_visible()
    assert "En cours d'analyse" in page.get_by_role("heading", level=1).text_content()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW

    day = timezone.localdate() + timedelta(days=14)
    page.locator("summary", has_text="Planifier l’échange").click()  # the form opens on demand
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
    timeline = page.locator("#historique ~ ol").inner_text()
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


# The DSFR draws its checkboxes and radios over the input with the label: Playwright's
# ``check(force=True)`` clicks where the person clicks, on that label.


def assert_no_blocking_axe_violation(page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert blocking == [], (page.url, [(v["id"], v["nodes"][0]["target"]) for v in blocking])


def long_answers(count: int = 3) -> list[Submission]:
    """Answers with the longest texts the table shows: names, places, territory, status."""
    agent = UserFactory(
        roles=[Role.ARS], first_name="Marie-Christine", last_name="Le Guern-Kerjean"
    )
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
        submission.referents.update(
            function="Directrice des soins et de la coordination territoriale",
            email="marie-christine.le-guern-kerjean@ch-fougeres-vitre.example.org",
        )
        answers.append(submission)
    return answers


def page_fits(page) -> dict:
    """Widths of the document and of the table's scroll box: nothing wider than its box."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement;
          const box = document.querySelector('.fr-table__container') || doc;
          return {
            doc: [doc.scrollWidth, doc.clientWidth],
            table: [box.scrollWidth, box.clientWidth],
          };
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
    assert_no_blocking_axe_violation(page)


def test_columns_chosen_are_shown_at_once_and_remembered_across_reloads(page, live_server):
    SubmissionFactory()
    agent = UserFactory(roles=[Role.ARS])
    sign_in(page, live_server, agent)
    page.goto("/tableau-de-bord/")
    campaign = page.locator("thead th[data-column=campagne]")
    agent_column = page.locator("thead th[data-column=agent]")
    assert campaign.is_hidden() and agent_column.is_visible()
    page.get_by_text("Choisir les colonnes").click()
    assert_no_blocking_axe_violation(page)  # the columns' choice opened
    with page.expect_response("**/tableau-de-bord/colonnes/") as saved:
        page.get_by_label("Campagne", exact=True).check(force=True)
    assert saved.value.status == 204
    with page.expect_response("**/tableau-de-bord/colonnes/"):
        page.get_by_label("Agent", exact=True).uncheck(force=True)
    assert campaign.is_visible() and agent_column.is_hidden()  # at once, no reload
    page.reload()
    assert page.locator("thead th[data-column=campagne]").is_visible()
    assert page.locator("thead th[data-column=agent]").is_hidden()
    page.context.clear_cookies()  # another session: the choice is the agent's, on the server
    sign_in(page, live_server, agent)
    page.goto("/tableau-de-bord/")
    assert page.locator("thead th[data-column=campagne]").is_visible()
    assert page.locator("thead th[data-column=agent]").is_hidden()


def test_bulk_assign_and_bulk_status_change_from_the_table(page, live_server):
    agent = UserFactory(roles=[Role.ARS], first_name="Anne", last_name="Kervella")
    UserFactory(roles=[Role.ARS], first_name="Yves", last_name="Le Bihan")
    received = [SubmissionFactory(), SubmissionFactory()]
    oriented = SubmissionFactory(status=Submission.Status.ORIENTED)
    sign_in(page, live_server, agent)
    page.goto("/tableau-de-bord/")

    page.get_by_label("Sélectionner toutes les réponses de la page").check(force=True)
    assert page.get_by_text("(3 cochées)").is_visible()
    assert_no_blocking_axe_violation(page)  # every row ticked
    page.get_by_label("Attribuer à").select_option(label="Yves Le Bihan")
    page.get_by_role("button", name="Attribuer", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Attribution enregistrée pour 3 réponse(s).").is_visible()
    assert Submission.objects.filter(assignee__last_name="Le Bihan").count() == 3

    for submission in (*received, oriented):
        page.get_by_label(f"Sélectionner {submission.reference}").check(force=True)
    page.get_by_label("Nouveau statut").select_option(label="En cours d'analyse")
    page.get_by_role("button", name="Changer le statut").click()
    page.wait_for_load_state()
    assert page.get_by_text("Statut modifié pour 2 réponse(s).").is_visible()
    refusal = page.get_by_text(f"{oriented.reference} non modifiée")
    assert refusal.is_visible() and "ne peut pas passer" in refusal.inner_text()
    assert_no_blocking_axe_violation(page)  # successes and refusals reported
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == {Submission.Status.IN_REVIEW, Submission.Status.ORIENTED}


def test_the_bulk_form_works_without_javascript(chromium, live_server):
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory()
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    try:
        page = context.new_page()
        sign_in(page, live_server, agent)
        page.goto("/tableau-de-bord/")
        page.get_by_label(f"Sélectionner {submission.reference}").check(force=True)
        page.get_by_role("button", name="Changer le statut").click()
        page.wait_for_load_state()
        assert page.get_by_text("Statut modifié pour 1 réponse(s).").is_visible()
    finally:
        context.close()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW


def test_header_shows_the_signed_in_person_and_institution(page, live_server):
    sign_in(
        page, live_server, UserFactory(roles=[Role.URPS], first_name="Marie", last_name="Guivarc’h")
    )
    page.goto("/tableau-de-bord/")
    # The DSFR copies the header's tools into the mobile menu: the first one is on screen.
    header = page.get_by_role("banner")
    assert header.get_by_text("Marie Guivarc’h").first.is_visible()
    assert header.get_by_text("URPS", exact=True).first.is_visible()
    assert_no_blocking_axe_violation(page)


# --- Answer page ---------------------------------------------------------------------------


def test_answer_page_sections_and_one_action_panel(page, live_server):
    agent = UserFactory(roles=[Role.ARS])
    submission = long_answers(1)[0]
    sign_in(page, live_server, agent)
    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    summary = page.get_by_role("navigation", name="Sur cette page")
    for name in ("Réponse", "Territoire", "Échanges", "Historique", "Actions"):
        summary.get_by_role("link", name=name, exact=True).click()
        heading = page.get_by_role("heading", name=name, exact=True)
        assert heading.is_visible()
    panel = page.get_by_role("complementary", name="Actions")
    assert panel.get_by_role("textbox", name="Commentaire interne").count() == 1
    assert page.get_by_role("textbox", name="Commentaire interne").count() == 1
    echanges = page.locator("section[aria-labelledby=echanges]")
    assert echanges.get_by_role("button", name="Renvoyer un nouveau lien").is_visible()
    assert echanges.get_by_role("table", name="Référents").is_visible()
    widths = page_fits(page)
    assert widths["doc"][0] <= widths["doc"][1], widths
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.fr-table__container')]
             .filter((box) => box.scrollWidth > box.clientWidth).length"""
    )
    assert clipped == 0  # the actors' and référents' tables are not clipped
    assert_no_blocking_axe_violation(page)
    page.locator("summary", has_text="Orienter").click()
    page.locator("summary", has_text="Clore").click()
    assert_no_blocking_axe_violation(page)  # forms opened


@pytest.mark.parametrize("role", [Role.URPS, Role.ASSURANCE_MALADIE])
def test_partners_read_what_their_role_allows(page, live_server, role):
    submission = SubmissionFactory(status=Submission.Status.IN_REVIEW)
    sign_in(page, live_server, UserFactory(roles=[role]))
    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    assert page.get_by_text("Votre rôle permet :").is_visible()
    assert page.get_by_text("Lien de suivi des référents").count() == 0
    assert_no_blocking_axe_violation(page)


@pytest.mark.parametrize("choice", ["keep", "cancel"])
def test_orienting_keeps_or_cancels_the_planned_exchange(page, live_server, choice):
    agent = UserFactory(roles=[Role.ARS])
    submission = SubmissionFactory(status=Submission.Status.IN_REVIEW)
    starts_at = timezone.now() + timedelta(days=10)
    services.plan_exchange(
        submission, agent, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), place="ARS"
    )
    sign_in(page, live_server, agent)
    page.goto(f"/tableau-de-bord/reponses/{submission.pk}/")
    page.locator("summary", has_text="Orienter").click()
    form = page.locator("form[action$='/orientation/']")
    keep = form.get_by_label("Maintenir l’échange", exact=False)
    cancel = form.get_by_label("Annuler l’échange", exact=False)
    assert keep.is_checked() and not cancel.is_checked()  # keep by default
    assert "l’échange reste dans leur agenda" in form.inner_text()
    assert "l’annulation de l’échange" in form.inner_text()
    assert_no_blocking_axe_violation(page)  # the choice next to the button
    form.get_by_label("Information seule").check(force=True)
    if choice == "cancel":
        cancel.check(force=True)
    form.get_by_role("button", name="Enregistrer l’orientation").click()
    page.wait_for_load_state()
    assert page.get_by_text("L’orientation est enregistrée").is_visible()
    exchange = Exchange.objects.get(submission=submission)
    email = OutgoingEmail.objects.filter(template="ami/emails/oriented").first()
    if choice == "keep":
        assert exchange.cancelled_at is None and "est maintenu" in email.body_text
        assert page.get_by_role("heading", name="Échange maintenu après l’orientation").is_visible()
    else:
        assert exchange.cancelled_at is not None and "est annulé" in email.body_text
    assert_no_blocking_axe_violation(page)
