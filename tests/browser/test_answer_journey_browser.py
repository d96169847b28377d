"""The professional's journey on the answer form, in chromium (issue 13, items 1, 2, 6):
a draft saved while typing, the tab abandoned and the answer resumed from the emailed link;
the draft button without JavaScript; the territory updated without reloading the page; the
error summary in the page's order, naming the rows. axe-core checks each new page state."""

import re
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from ami.models import AnswerDraft, Submission
from notifications.models import OutgoingEmail
from tests.factories import CampaignFactory, CommuneFactory

pytestmark = pytest.mark.browser

AXE = Axe()
LINK = re.compile(r"https?://\S+/suivi/[A-Za-z0-9_-]+/reprendre/")
SAVED = re.compile(r"Brouillon enregistré à \d{1,2} h \d{2}")


def assert_accessible(page) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [
        (v["id"], [node["target"] for node in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not blocking, blocking


def fill_first_rows(page) -> None:
    page.locator("#id_actors-0-name").fill("Dr Anne Le Goff")
    page.locator("#id_actors-0-profession").select_option(label="Médecin généraliste")
    page.locator("#id_actors-0-practice_place").fill("Douarnenez")
    page.locator("#id_actors-0-practice_setting").select_option(
        label="Maison de santé pluriprofessionnelle (MSP)"
    )
    page.locator("#id_referents-0-name").fill("Anne Le Goff")
    page.locator("#id_referents-0-email").fill("anne.legoff@example.org")


def wait_until(condition, timeout: float = 15) -> None:
    """The server receives the page's last save (a beacon) after the tab is gone."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{condition.__name__} still false"
        time.sleep(0.1)


def resume_link() -> str:
    bodies = [message.body for message in mail.outbox] or list(
        OutgoingEmail.objects.values_list("body_text", flat=True)
    )
    links = [match[0] for body in bodies if (match := LINK.search(body))]
    assert links, bodies
    return links[-1]


def test_draft_autosaved_abandoned_and_resumed_from_the_emailed_link(page, chromium, live_server):
    campaign = CampaignFactory()
    page.goto(f"/ami/{campaign.slug}/")
    fill_first_rows(page)

    # « Reprendre plus tard »: the link goes by email, the page comes back as typed.
    page.get_by_label("Adresse électronique où recevoir le lien").fill("anne.legoff@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Reprendre plus tard").click()
    assert page.get_by_text("Un lien pour reprendre votre réponse a été envoyé").is_visible()
    assert page.locator("#id_actors-0-name").input_value() == "Dr Anne Le Goff"
    assert_accessible(page)
    link = resume_link()

    # Typing goes on: the draft is saved by itself, and says so in its live region.
    page.locator("#id_referents-0-phone").fill("02 98 92 12 34")
    page.get_by_text("Réflexion en cours autour d’un projet de CPTS", exact=True).click()
    page.locator("#id_context").fill("Nous réfléchissons à une CPTS sur le pays de Douarnenez.")
    page.locator("#id_meeting_wish").fill("En septembre, plutôt en soirée")
    status = page.locator("[data-draft-status]")
    assert status.get_attribute("role") == "status"
    status.filter(has_text=SAVED).wait_for()
    # The last keystrokes are saved when the tab is left, whatever the timer.
    page.locator("#id_referents-0-function").fill("Coordinatrice de la MSP")
    assert_accessible(page)
    page.close(run_before_unload=True)  # the tab is abandoned: the page sends a last save

    def last_keystrokes_saved() -> bool:
        return AnswerDraft.objects.get().data.get("referents-0-function") == [
            "Coordinatrice de la MSP"
        ]

    wait_until(last_keystrokes_saved)
    assert Submission.objects.count() == 0

    # Another day, another browser: the emailed link brings every field back.
    context = chromium.new_context(locale="fr-FR", base_url=live_server.url)
    resumed = context.new_page()
    try:
        # The email's address is SITE_URL's; the path is the link.
        resumed.goto(urlsplit(link).path)
        assert resumed.get_by_text("Vous reprenez votre brouillon").is_visible()
        expected = {
            "#id_actors-0-name": "Dr Anne Le Goff",
            "#id_actors-0-profession": "medecin_generaliste",
            "#id_actors-0-practice_place": "Douarnenez",
            "#id_actors-0-practice_setting": "msp",
            "#id_referents-0-name": "Anne Le Goff",
            "#id_referents-0-email": "anne.legoff@example.org",
            "#id_referents-0-phone": "02 98 92 12 34",
            "#id_referents-0-function": "Coordinatrice de la MSP",
            "#id_context": "Nous réfléchissons à une CPTS sur le pays de Douarnenez.",
            "#id_meeting_wish": "En septembre, plutôt en soirée",
        }
        for selector, value in expected.items():
            assert resumed.locator(selector).input_value() == value, selector
        assert resumed.get_by_label("Réflexion en cours autour d’un projet de CPTS").is_checked()
        assert_accessible(resumed)

        # Sending turns the draft into the answer.
        resumed.get_by_text("J’accepte que les données saisies", exact=False).click()
        resumed.get_by_role("button", name="Envoyer ma réponse").click()
        resumed.wait_for_url("**/confirmation/**")
        assert Submission.objects.get().actors.get().name == "Dr Anne Le Goff"
        assert not AnswerDraft.objects.exists()
    finally:
        context.close()


def test_draft_button_works_without_javascript(chromium, live_server):
    campaign = CampaignFactory()
    context = chromium.new_context(
        locale="fr-FR", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(f"/ami/{campaign.slug}/")
        fill_first_rows(page)
        page.locator("#id_context").fill("Un contexte commencé sans JavaScript")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer le brouillon").click()
        assert page.get_by_text(SAVED).first.is_visible()
        assert page.locator("#id_context").input_value() == "Un contexte commencé sans JavaScript"
        assert page.locator("#erreurs").count() == 0
        draft = AnswerDraft.objects.get()
        assert draft.data["context"] == ["Un contexte commencé sans JavaScript"]
    finally:
        context.close()


def test_draft_button_state_is_accessible(page):
    campaign = CampaignFactory()
    page.goto(f"/ami/{campaign.slug}/")
    page.locator("#id_context").fill("Un contexte")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_text(SAVED).first.is_visible()
    assert_accessible(page)


def test_territory_is_updated_without_reloading_the_page(page):
    CommuneFactory(name="Douarnenez", insee_code="29046", population=14_000)
    CommuneFactory(name="Pouldergat", insee_code="29224", population=1_200)
    campaign = CampaignFactory()
    page.goto(f"/ami/{campaign.slug}/")
    page.locator("#id_context").fill("Gardé sans rechargement")
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Ajouter des communes").fill("Douarnenez, Pouldergat")
    page.get_by_role("button", name="Mettre à jour le territoire").click()
    summary = page.locator("#territory-summary")
    summary.wait_for()

    assert page.evaluate("window.notReloaded") is True
    assert "2 communes" in summary.inner_text()
    assert "15 200 habitants" in summary.inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert page.evaluate("document.activeElement.id") == "territory-builder"
    assert page.locator("#id_context").input_value() == "Gardé sans rechargement"
    assert page.locator("input[name='territory-commune_codes']").input_value() == "29046 29224"
    assert_accessible(page)

    # And once more, removing one: the new builder's button works the same.
    page.get_by_text("Pouldergat", exact=False).first.click()
    page.get_by_role("button", name="Mettre à jour le territoire").click()
    page.locator("#territory-summary", has_text="1 commune").wait_for()
    assert page.evaluate("window.notReloaded") is True


def test_error_summary_follows_the_page_and_names_the_rows(page):
    campaign = CampaignFactory()
    page.goto(f"/ami/{campaign.slug}/")
    fill_first_rows(page)
    page.get_by_role("button", name="Ajouter un acteur").click()
    page.locator("#id_actors-1-name").fill("Yann Kerbrat")
    page.locator("#id_actors-1-practice_place").fill("Douarnenez")
    page.locator("#id_actors-1-practice_setting").select_option(label="Exercice isolé")
    page.locator("#id_referents-0-email").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()

    summary = page.locator("#erreurs")
    assert page.evaluate("document.activeElement.id") == "erreurs"
    items = [text.split(" : ", 1)[0] for text in summary.locator("li").all_inner_texts()]
    assert items[:2] == ["Acteur 2 — Profession", "Référent 1 — Adresse électronique"], items
    assert items.index("Objectifs attendus") < items.index("Contexte")
    assert items.index("Contexte") < items.index("Date souhaitée pour un temps d’échange")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_actors-1-profession"
    assert_accessible(page)
