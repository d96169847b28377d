"""A professional answers the AMI in a real browser (Debian's chromium through Playwright)."""

import pytest

from ami.models import Submission
from tests.factories import CampaignFactory

pytestmark = pytest.mark.browser


def test_professional_fills_and_submits_the_form(page, tmp_path):
    campaign = CampaignFactory(slug="bretagne-2022-04", edition="Avril 2022")
    page.goto(f"/ami/{campaign.slug}/")
    assert (
        "Fiche de renseignements" in page.title()
        or page.get_by_role("heading", level=1).is_visible()
    )

    page.get_by_label("Nom et prénom, ou nom de la structure").fill("Dr Anne Le Goff")
    page.get_by_label("Profession", exact=True).select_option(label="Médecin généraliste")
    page.get_by_label("Lieu d’exercice (commune)").fill("Douarnenez")
    page.get_by_label("Mode d’exercice").select_option(
        label="Maison de santé pluriprofessionnelle (MSP)"
    )

    page.locator("#id_referents-0-name").fill("Anne Le Goff")
    page.locator("#id_referents-0-email").fill("anne.legoff@example.org")
    page.locator("#id_referents-0-phone").fill("02 98 92 12 34")

    # A second référent, added in place by JavaScript (no reload).
    page.get_by_role("button", name="Ajouter un référent").click()
    page.locator("#id_referents-1-name").fill("Yann Kerbrat")
    page.locator("#id_referents-1-phone").fill("06 12 34 56 78")

    # DSFR draws the box on the label: people click the label, so does the test.
    page.get_by_text("Réflexion en cours autour d’un projet de CPTS", exact=True).click()
    assert page.get_by_label("Réflexion en cours autour d’un projet de CPTS").is_checked()
    page.locator("#id_context").fill("Nous réfléchissons à une CPTS sur le pays de Douarnenez.")
    page.get_by_label("Précisions sur la période ou vos disponibilités").fill("En septembre")
    page.get_by_text("J’accepte que les données saisies", exact=False).click()
    page.get_by_role("button", name="Envoyer ma réponse").click()

    page.wait_for_url("**/confirmation/**")
    submission = Submission.objects.get()
    heading = page.get_by_role("heading", level=1)
    assert f"Votre réponse {submission.reference} a bien été reçue" in heading.inner_text()
    assert sorted(submission.referents.values_list("name", flat=True)) == [
        "Anne Le Goff",
        "Yann Kerbrat",
    ]
    screenshot = tmp_path / "confirmation.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


def test_errors_are_shown_next_to_fields_and_focus_moves_to_the_summary(page):
    campaign = CampaignFactory()
    page.goto(f"/ami/{campaign.slug}/")
    page.locator("#id_context").fill("Un contexte à garder")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_load_state()
    summary = page.locator("#erreurs")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert page.locator("#id_context").input_value() == "Un contexte à garder"
    assert "Cochez au moins un objectif." in page.content()
    assert Submission.objects.count() == 0
