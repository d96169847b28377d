"""A file refused from the project page's documents section: the project page again, the
error next to the file field, accessible (axe)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings

from projects.models import Document
from tests.factories import CommuneFactory, CoordinatorFactory, CptsProjectFactory, TerritoryFactory

pytestmark = pytest.mark.browser


def test_refused_file_stays_on_the_project_page(
    transactional_db, page, live_server, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = CoordinatorFactory(username="alice", first_name="Alice", last_name="Le Goff")
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
    fake = tmp_path / "lettre.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")

    page.goto(f"/projets/{project.pk}/")
    documents = page.locator("#documents ~ form")
    documents.get_by_label("Type de document").select_option(index=1)
    documents.get_by_label("Fichier").set_input_files(str(fake))
    with page.expect_navigation():
        documents.get_by_role("button", name="Déposer le document").click()

    assert page.get_by_role("heading", level=1).inner_text() == "CPTS du Pays de Douarnenez"
    assert page.title().startswith("Erreur — ")
    error = page.locator("#id_file_error, [id^='id_file'][id$='error'], .fr-error-text").first
    assert "n’est pas un document PDF, ODT ou DOCX valide" in error.inner_text()
    assert not Document.objects.exists()
    blocking = [
        v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not blocking, blocking
