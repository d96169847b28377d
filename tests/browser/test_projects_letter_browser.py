"""A coordinator deposits a complete lettre d'intention in a real browser."""

import pytest
from django.conf import settings as django_settings

from notifications.models import OutgoingEmail
from projects.models import CptsProject, Document, LegalHolder, Stage
from tests.factories import (
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_coordinator_deposits_a_complete_letter(
    transactional_db, page, live_server, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")
    urps = UserFactory(username="urps", roles=["URPS"])
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez", coordinators=[owner], territory=territory
    )
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    pdf = tmp_path / "lettre-signee.pdf"
    pdf.write_bytes(PDF)
    LegalHolder.objects.create(
        project=project, name="Association CPTS du Pays de Douarnenez", rna_number="W291000123"
    )

    page.goto(f"/projets/{project.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "CPTS du Pays de Douarnenez"
    page.get_by_role("link", name="Rédiger la lettre d’intention").first.click()
    page.wait_for_url(f"**/projets/{project.pk}/lettre-intention/")

    # The attachments first: the signed letter, then the CERFA n° 12156.
    for label in ("Lettre d’intention signée", "Demande de subvention (CERFA n° 12156)"):
        page.get_by_label("Type de document").select_option(label=label)
        page.get_by_label("Fichier").set_input_files(str(pdf))
        page.get_by_role("button", name="Déposer le document").click()
        page.wait_for_load_state()
    assert Document.objects.filter(project=project).count() == 2

    page.locator("#id_action_territory").fill("Les communes de Douarnenez Communauté.")
    page.locator("#id_identified_needs").fill("Accès difficile à un médecin traitant.")
    page.locator("#id_mobilisation").fill("15 médecins, 20 infirmiers, 3 pharmacies.")
    page.locator("#id_project_description").fill("Une CPTS conforme à l’ACI et au PRS.")
    page.locator("#id_objectives").fill("Faciliter l’accès au médecin traitant.")
    page.locator("#id_planned_actions").fill("Régulation des soins non programmés.")
    page.locator("#id_means").fill("Un coordinateur à mi-temps.")
    page.get_by_text("Les porteurs s'engagent", exact=False).click()
    assert page.locator("#id_commits_to_core_missions").is_checked()
    page.get_by_role("button", name="Enregistrer et déposer la lettre d’intention").click()
    page.wait_for_url(f"**/projets/{project.pk}/lettre-intention/depot/")
    page.get_by_role("button", name="Confirmer le dépôt").click()

    page.wait_for_url(f"**/projets/{project.pk}/")
    assert page.locator("#etape").text_content() == "Lettre d’intention déposée"
    assert "déposée auprès du Guichet CPTS" in page.content()
    project = CptsProject.objects.get(pk=project.pk)
    assert project.stage == Stage.LETTER_DEPOSITED
    assert project.events.filter(to_state=Stage.LETTER_DEPOSITED, author=owner).exists()
    assert urps.email in set(OutgoingEmail.objects.values_list("recipient", flat=True))


def browser_session(context, client, user, live_server) -> None:
    """Log ``user`` in with the test client and give its session cookie to ``context``."""
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_letter_deposited_then_urps_opinion_then_ars_validation(
    transactional_db, page, chromium, live_server, settings, tmp_path
):
    """Three people, three browsers: the coordinator deposits the lettre d'intention, the
    URPS give their avis on the three criteria, the ARS validates it with the FIR funding."""
    from django.test import Client

    from tests.projects.helpers import complete_letter

    settings.MEDIA_ROOT = tmp_path / "media"
    owner = CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")
    urps = UserFactory(username="urps", roles=["URPS"])
    ars = UserFactory(username="ars", roles=["ARS"])
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez", coordinators=[owner], territory=territory, by=ars
    )
    complete_letter(project, owner)
    detail = f"/projets/{project.pk}/"

    # The coordinator deposits the complete letter.
    browser_session(page.context, Client(), owner, live_server)
    page.goto(f"{detail}lettre-intention/")
    page.get_by_role("button", name="Enregistrer et déposer la lettre d’intention").click()
    page.get_by_role("button", name="Confirmer le dépôt").click()
    page.wait_for_url(f"**{detail}")
    assert page.locator("#etape").text_content() == "Lettre d’intention déposée"

    contexts = []
    try:
        # The URPS (Guichet CPTS) give their avis on the three criteria.
        urps_context = chromium.new_context(locale="fr-FR", base_url=live_server.url)
        contexts.append(urps_context)
        browser_session(urps_context, Client(), urps, live_server)
        urps_page = urps_context.new_page()
        urps_page.goto(detail)
        urps_page.get_by_role("link", name="Rendre l’avis des URPS").click()
        urps_page.wait_for_url(f"**{detail}avis-urps/")
        for criterion, choice in (("objectives", 0), ("mobilisation", 1), ("territory", 0)):
            urps_page.locator(f"label[for=id_{criterion}_verdict_{choice}]").click()
        urps_page.locator("#id_mobilisation_comment").fill("Peu de pharmaciens pour l’instant.")
        urps_page.get_by_role("button", name="Enregistrer l’avis").click()
        urps_page.wait_for_url(f"**{detail}")
        assert urps_page.locator("#etape").text_content() == "Avis URPS rendu"
        assert "Peu de pharmaciens pour l’instant." in urps_page.content()

        # The ARS validates the letter and grants the FIR funding.
        ars_context = chromium.new_context(locale="fr-FR", base_url=live_server.url)
        contexts.append(ars_context)
        browser_session(ars_context, Client(), ars, live_server)
        ars_page = ars_context.new_page()
        ars_page.goto(detail)
        ars_page.get_by_role("link", name="Passer à « Lettre d’intention validée »").click()
        ars_page.get_by_label("Montant du financement FIR (€)").fill("25000")
        ars_page.get_by_label("Date du financement FIR").fill("2024-05-02")
        ars_page.get_by_role("button", name="Confirmer").click()
        ars_page.wait_for_url(f"**{detail}")
        assert ars_page.locator("#etape").text_content() == "Lettre d’intention validée"
    finally:
        for context in contexts:
            context.close()

    # The coordinator sees the decision and the funding.
    page.reload()
    assert page.locator("#etape").text_content() == "Lettre d’intention validée"
    assert "financement FIR de 25" in page.content()
    project = CptsProject.objects.get(pk=project.pk)
    assert project.stage == Stage.LETTER_VALIDATED
    assert [event.author for event in project.events.filter(kind="stage_changed")] == [
        owner,
        urps,
        ars,
    ]
    assert project.urps_opinions.get().mobilisation_verdict == "reserved"
