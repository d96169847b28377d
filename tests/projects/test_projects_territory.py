"""The project's territory, built with the territories app's builder; fiches-actions rows."""

import pytest
from django.urls import reverse

from projects.models import ActionSheet, ProjectEvent, Stage, TerritoryOverlapOverride
from tests.factories import SubmissionFactory

from .helpers import advance_to

pytestmark = pytest.mark.django_db


def territory_url(project) -> str:
    return reverse("projects:territory", kwargs={"pk": project.pk})


def codes(project) -> list[str]:
    project.refresh_from_db()
    return sorted(project.territory.communes.values_list("insee_code", flat=True))


def test_creating_a_project_without_territory_leads_to_the_builder(client, ars, owner):
    client.force_login(ars)
    response = client.post(
        reverse("projects:create"), {"name": "CPTS du Porzay", "coordinators": [owner.pk]}
    )
    from projects.models import CptsProject

    project = CptsProject.objects.get(name="CPTS du Porzay")
    assert response.status_code == 302
    assert response.url == territory_url(project)
    page = client.get(territory_url(project)).content.decode()
    assert "Communes du territoire" in page
    assert "Aucune commune choisie pour le moment." in page


def test_the_builder_steps_without_saving_then_saves(client, ars, communes, outsider):
    from tests.factories import CptsProjectFactory

    project = CptsProjectFactory(name="CPTS du Porzay", by=ars)
    client.force_login(ars)
    step = client.post(
        territory_url(project),
        {"territory-commune_codes": "", "territory-add_communes": "29046", "territory_step": "1"},
    )
    assert step.status_code == 200
    page = step.content.decode()
    assert 'name="territory-commune_codes" value="29046"' in page
    assert "14\u202f000 habitants" in page or "14\xa0000 habitants" in page
    project.refresh_from_db()
    assert project.territory is None
    saved = client.post(
        territory_url(project),
        {
            "territory-commune_codes": "29046",
            "territory-add_communes": "Pouldergat",
            "save": "",
        },
    )
    assert saved.status_code == 302
    assert codes(project) == ["29046", "29224"]
    assert project.territory.name == "CPTS du Porzay"
    assert project.events.filter(
        kind=ProjectEvent.Kind.EDITED, comment="Territoire : 2 commune(s)"
    ).exists()


def test_the_projects_own_territory_is_updated_in_place(client, ars, project):
    territory = project.territory
    client.force_login(ars)
    response = client.post(
        territory_url(project),
        {"territory-commune_codes": "29046 29224", "territory-remove": ["29224"], "save": ""},
    )
    assert response.status_code == 302
    assert codes(project) == ["29046"]
    assert project.territory == territory


def test_a_territory_shared_with_an_ami_answer_is_copied_not_changed(client, ars, project):
    submission = SubmissionFactory(territory=project.territory)
    client.force_login(ars)
    client.post(territory_url(project), {"territory-commune_codes": "29046", "save": ""})
    project.refresh_from_db()
    submission.refresh_from_db()
    assert project.territory != submission.territory
    assert codes(project) == ["29046"]
    assert sorted(submission.territory.communes.values_list("insee_code", flat=True)) == [
        "29046",
        "29224",
    ]


def test_an_overlap_needs_the_reason_of_an_override(client, ars, project, other_project):
    client.force_login(ars)
    url = territory_url(other_project)
    data = {"territory-commune_codes": "29019 29046", "save": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ces communes appartiennent déjà à un autre projet" in page
    assert "CPTS du Pays de Douarnenez" in page
    assert codes(other_project) == ["29019"]
    response = client.post(url, {**data, "override_reason": "Bassin de vie partagé"})
    assert response.status_code == 302
    assert codes(other_project) == ["29019", "29046"]
    override = TerritoryOverlapOverride.objects.get()
    assert (override.project, override.other_project, override.reason) == (
        other_project,
        project,
        "Bassin de vie partagé",
    )


def test_an_empty_territory_is_refused(client, ars, project):
    client.force_login(ars)
    response = client.post(
        territory_url(project),
        {
            "territory-commune_codes": "29046 29224",
            "territory-remove": ["29046", "29224"],
            "save": "",
        },
    )
    assert response.status_code == 200
    assert "Choisissez au moins une commune." in response.content.decode()
    assert codes(project) == ["29046", "29224"]


def test_project_pages_link_to_the_builder_for_the_ars_only(client, ars, owner, project):
    client.force_login(ars)
    assert territory_url(project) in client.get(project.get_absolute_url()).content.decode()
    edit = client.get(reverse("projects:edit", kwargs={"pk": project.pk})).content.decode()
    assert "Construire le territoire du projet" in edit
    client.force_login(owner)
    assert territory_url(project) not in client.get(project.get_absolute_url()).content.decode()


# --- Fiches-actions: « Ajouter une fiche-action » without JavaScript ----------------------


def test_add_a_row_button_adds_a_blank_fiche_action_and_saves_nothing(
    client, project, owner, ars, urps, am
):
    advance_to(project, Stage.LETTER_VALIDATED, coordinator=owner, ars=ars, urps=urps, am=am)
    client.force_login(owner)
    url = reverse("projects:health_project", kwargs={"pk": project.pk})
    page = client.get(url).content.decode()
    assert 'name="add_row" value="actions"' in page
    assert page.count("Fiche-action 1") == 1 and "Fiche-action 2" not in page
    data = {
        "diagnostic": "Population âgée",
        "governance": "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-title": "Accès au médecin traitant",
        "actions-0-mission": "acces_medecin_traitant",
        "add_row": "actions",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="actions-TOTAL_FORMS" value="2"' in page
    assert "Fiche-action 2" in page
    assert 'value="Accès au médecin traitant"' in page
    assert "Population âgée" in page
    assert "fr-input-group--error" not in page  # the half-filled row is not judged yet
    assert not ActionSheet.objects.exists()
    project.refresh_from_db()
    assert project.stage == Stage.LETTER_VALIDATED
