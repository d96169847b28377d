"""A coordinator deposits a complete lettre d'intention in a real browser."""

import pytest
from django.conf import settings as django_settings

from notifications.models import OutgoingEmail
from projects.models import CptsProject, Document, Stage
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
    alice = CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")
    urps = UserFactory(username="urps", roles=["URPS"])
    territory = TerritoryFactory(communes=[CommuneFactory(name="Douarnenez", population=14_000)])
    project = CptsProjectFactory(
        name="CPTS du Pays de Douarnenez", coordinators=[alice], territory=territory
    )
    client.force_login(alice)
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

    page.wait_for_url(f"**/projets/{project.pk}/")
    assert page.locator("#etape").text_content() == "Lettre d’intention déposée"
    assert "déposée auprès du Guichet CPTS" in page.content()
    project = CptsProject.objects.get(pk=project.pk)
    assert project.stage == Stage.LETTER_DEPOSITED
    assert project.events.filter(to_stage=Stage.LETTER_DEPOSITED, author=alice).exists()
    assert urps.email in set(OutgoingEmail.objects.values_list("recipient", flat=True))
