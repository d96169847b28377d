"""Coordinators and accounts in a real browser (issue 14, items 8 and 9): uploading on the
lettre d'intention without losing text, a refused file, the deposit's confirmation, an
invitation by email that ends with a sign-in, a password reset. axe-core checks each new
page state (no « serious » or « critical » violation)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from cpts_portal.roles import Role
from notifications.models import OutgoingEmail
from projects.models import CptsProject, Document, LegalHolder, Stage
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import LETTER_CONTENT, PDF_BYTES

pytestmark = pytest.mark.browser

AXE = Axe()
LINK = re.compile(r"https?://\S+(/mot-de-passe/nouveau/[^/\s]+/)")
PASSWORD = "Kerlouan-Plouguerneau-29!"


def assert_accessible(page) -> None:
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not blocking, f"axe, {page.url}: " + "; ".join(
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in blocking
    )


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


@pytest.fixture
def project(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    return CptsProjectFactory(
        name="CPTS du Pays de Douarnenez", coordinators=[owner], territory=territory
    )


def letter_page(page, live_server, project):
    sign_in(page, live_server, project.coordinators.get())
    page.goto(reverse("projects:letter", args=[project.pk]))


def test_a_coordinator_uploads_a_document_without_losing_the_letters_text(
    page, live_server, project, tmp_path
):
    letter_page(page, live_server, project)
    # Typed, not saved yet.
    page.locator("#id_identified_needs").fill(LETTER_CONTENT["identified_needs"])
    page.locator("#id_means").fill(LETTER_CONTENT["means"])
    pdf = tmp_path / "lettre-signee.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.get_by_label("Type de document").select_option(label="Lettre d’intention signée")
    page.get_by_label("Fichier").set_input_files(str(pdf))
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer le document").click()

    assert page.url.endswith(f"/projets/{project.pk}/lettre-intention/#pieces")
    assert "lettre-signee.pdf" in page.content()
    assert page.locator("#id_identified_needs").input_value() == LETTER_CONTENT["identified_needs"]
    assert page.locator("#id_means").input_value() == LETTER_CONTENT["means"]
    assert Document.objects.filter(project=project).count() == 1
    assert_accessible(page)


def test_a_refused_file_keeps_the_coordinator_on_the_letter_with_the_error(
    page, live_server, project, tmp_path
):
    letter_page(page, live_server, project)
    page.locator("#id_objectives").fill(LETTER_CONTENT["objectives"])
    fake = tmp_path / "lettre.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is not a PDF")
    page.get_by_label("Type de document").select_option(label="Lettre d’intention signée")
    page.get_by_label("Fichier").set_input_files(str(fake))
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer le document").click()

    assert page.url.endswith(f"/projets/{project.pk}/lettre-intention/")
    assert page.title().startswith("Erreur")
    # The error next to the file field, linked to it.
    error = page.locator("#id_file-message-error")
    assert error.is_visible() and error.inner_text()
    described = page.locator("#id_file").get_attribute("aria-describedby") or ""
    assert "id_file-messages" in described.split()
    assert page.locator("#id_file-messages #id_file-message-error").count() == 1
    assert page.locator("#id_objectives").input_value() == LETTER_CONTENT["objectives"]
    assert "seul le fichier a été refusé" in page.content()
    assert not Document.objects.exists()
    assert_accessible(page)


def test_the_deposit_asks_for_confirmation_with_the_checklist(page, live_server, project, tmp_path):
    from tests.projects.helpers import complete_letter

    owner = project.coordinators.get()
    complete_letter(project, owner)
    LegalHolder.objects.filter(project=project).delete()
    letter_page(page, live_server, project)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et déposer la lettre d’intention").click()
    # Refused while the association is missing: the error says what is missing.
    assert "L’association porteuse (nom et numéro RNA)" in page.locator("#refus").inner_text()
    assert_accessible(page)

    LegalHolder.objects.create(
        project=project, name="Association CPTS de Douarnenez", rna_number="W291000123"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et déposer la lettre d’intention").click()
    assert page.url.endswith(f"/projets/{project.pk}/lettre-intention/depot/")
    table = page.get_by_role("table").inner_text()
    assert "Association CPTS de Douarnenez — RNA W291000123" in table
    assert "Manquant" not in table
    assert CptsProject.objects.get(pk=project.pk).stage == Stage.DRAFT
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le dépôt").click()
    assert page.locator("#etape").text_content() == "Lettre d’intention déposée"
    assert CptsProject.objects.get(pk=project.pk).stage == Stage.LETTER_DEPOSITED


def test_a_coordinator_invited_by_email_sets_a_password_and_signs_in(
    page, chromium, live_server, project, settings
):
    ars = UserFactory(username="ars", roles=[Role.ARS], first_name="Anne", last_name="Agent")
    sign_in(page, live_server, ars)
    page.goto(project.get_absolute_url())
    page.get_by_role("link", name="Inviter un coordinateur ou un agent partenaire").click()
    page.wait_for_url(f"**/projets/{project.pk}/inviter/")
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("gwen.riou@example.org")
    page.get_by_label("Prénom").fill("Gwen")
    page.get_by_label("Nom", exact=True).fill("Riou")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer l’invitation").click()
    assert "Invitation envoyée à gwen.riou@example.org" in page.content()

    link = LINK.search(OutgoingEmail.objects.get(recipient="gwen.riou@example.org").body_text)
    invited = chromium.new_context(locale="fr-FR", base_url=live_server.url)
    try:
        guest = invited.new_page()
        guest.goto(link.group(1))
        assert guest.get_by_role("heading", level=1).inner_text() == "Choisir votre mot de passe"
        assert_accessible(guest)
        guest.locator("#id_new_password1").fill(PASSWORD)
        guest.locator("#id_new_password2").fill(PASSWORD)
        with guest.expect_navigation():
            guest.get_by_role("button", name="Enregistrer le mot de passe").click()
        assert guest.get_by_role("heading", level=1).inner_text() == "Mot de passe enregistré"
        assert_accessible(guest)
        guest.get_by_role("link", name="Se connecter").click()
        guest.locator("#id_username").fill("gwen.riou@example.org")
        guest.locator("#id_password").fill(PASSWORD)
        with guest.expect_navigation():
            guest.get_by_role("button", name="Se connecter").click()
        guest.goto(project.get_absolute_url())
        assert guest.get_by_role("heading", level=1).inner_text() == "CPTS du Pays de Douarnenez"
        # The link served once.
        guest.goto(link.group(1))
        assert guest.get_by_role("heading", level=1).inner_text() == "Lien invalide ou expiré"
        assert_accessible(guest)
    finally:
        invited.close()


def test_a_password_reset_from_the_sign_in_page(page, live_server, project):
    owner = project.coordinators.get()
    page.goto(reverse("login"))
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.wait_for_url("**/mot-de-passe/oubli/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Recevoir le lien").click()
    assert page.title().startswith("Erreur")  # no address: the error next to the field
    assert_accessible(page)
    page.get_by_label("Adresse électronique de votre compte").fill(owner.email)
    with page.expect_navigation():
        page.get_by_role("button", name="Recevoir le lien").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Vérifiez votre messagerie"
    assert_accessible(page)

    link = LINK.search(OutgoingEmail.objects.get(recipient=owner.email).body_text)
    page.goto(link.group(1))
    page.locator("#id_new_password1").fill("court")
    page.locator("#id_new_password2").fill("court")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le mot de passe").click()
    assert page.title().startswith("Erreur")
    assert_accessible(page)
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("link", name="Se connecter").click()
    page.locator("#id_username").fill(owner.username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert "/connexion/" not in page.url
