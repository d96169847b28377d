"""Two regions side by side in a real browser (issue #16): each ARS sees its own answers and
projects and names itself, another region's answer is a 404, and in Occitanie the Guichet
CPTS gathers one avis per URPS then sends the consolidated avis to the ARS."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cpts_portal.roles import Role
from projects import workflow
from projects.models import Stage, UrpsOpinion
from territories.models import Institution, InstitutionKind, RegionIdentity, StaffMembership
from tests.browser.test_staff_workspace_browser import sign_in
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CoordinatorFactory,
    CptsProjectFactory,
    RegionFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.projects.helpers import complete_letter

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-regions")]


@pytest.fixture
def two_regions(db):
    occitanie = RegionFactory(code="76", name="Occitanie")
    RegionIdentity.objects.create(
        region=occitanie,
        ars_name="Agence régionale de santé Occitanie",
        ars_short_name="ARS Occitanie",
        uses_guichet=True,
    )
    doctors, _nurses = (
        Institution.objects.create(
            region=occitanie, kind=InstitutionKind.URPS, name=name, profession=profession
        )
        for name, profession in (
            ("URPS Médecins libéraux d’Occitanie", "medecins"),
            ("URPS Infirmiers d’Occitanie", "infirmiers"),
        )
    )
    doctor = UserFactory(username="urps.med.oc", roles=[Role.URPS], region=False)
    StaffMembership.objects.create(user=doctor, institution=doctors)
    ars_occitanie = UserFactory(username="ars.oc", roles=[Role.ARS], region=occitanie)
    owner = CoordinatorFactory(username="coord.figeac")
    project = CptsProjectFactory(
        name="CPTS du Grand Figeac",
        coordinators=[owner],
        territory=TerritoryFactory(region=occitanie, communes=[CommuneFactory()]),
        by=ars_occitanie,
    )
    complete_letter(project, owner)
    workflow.transition(project, Stage.LETTER_DEPOSITED, by=owner)
    return {
        "bretonne": SubmissionFactory(context="Réponse bretonne"),
        "occitane": SubmissionFactory(
            campaign=CampaignFactory(region=occitanie, edition="Occitanie 2026")
        ),
        "ars_bretagne": UserFactory(username="ars.bzh", roles=[Role.ARS]),
        "ars_occitanie": ars_occitanie,
        "doctor": doctor,
        "project": project,
    }


def test_each_ars_sees_its_region_and_the_guichet_sends_the_urps_avis(
    page, live_server, two_regions
):
    world = two_regions
    bretonne, occitane = world["bretonne"], world["occitane"]

    sign_in(page, live_server, world["ars_occitanie"])
    page.goto("/tableau-de-bord/")
    table = page.locator("table").first.inner_text()
    assert occitane.reference in table and bretonne.reference not in table
    assert "Occitanie" in page.locator(".portal-operator").inner_text()
    response = page.goto(f"/tableau-de-bord/reponses/{bretonne.pk}/")
    assert response.status == 404

    page.context.clear_cookies()
    sign_in(page, live_server, world["doctor"])
    project = world["project"]
    page.goto(f"/projets/{project.pk}/avis-urps/")
    for criterion in ("objectives", "mobilisation", "territory"):
        page.locator(f"label[for=id_{criterion}_verdict_0]").click()  # the DSFR radio: its label
    page.get_by_role("button", name="Enregistrer l’avis").click()
    page.wait_for_load_state()
    assert UrpsOpinion.objects.get().institution.name == "URPS Médecins libéraux d’Occitanie"

    page.context.clear_cookies()
    sign_in(page, live_server, world["ars_occitanie"])
    page.goto(f"/projets/{project.pk}/")
    guichet = page.locator("table", has_text="URPS Infirmiers d’Occitanie").inner_text()
    assert "URPS Médecins libéraux d’Occitanie" in guichet
    assert Axe().run(page).violations_count == 0
    page.get_by_role("link", name="Transmettre l’avis consolidé à l’ARS").first.click()
    page.get_by_role("button", name="Transmettre l’avis consolidé à l’ARS").click()
    page.wait_for_load_state()
    project.refresh_from_db()
    assert project.stage == Stage.URPS_OPINION

    page.context.clear_cookies()
    sign_in(page, live_server, world["ars_bretagne"])
    page.goto("/projets/")
    assert "Grand Figeac" not in page.locator("main").inner_text()
    page.goto("/tableau-de-bord/")
    table = page.locator("table").first.inner_text()
    assert bretonne.reference in table and occitane.reference not in table
