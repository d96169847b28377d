"""A territory row has one owner: an AMI answer or one project (issue #12, finding 3).

Before: the project form offered the answers' own « Territoire envisagé » rows; once the
ARS picked one, the référent's private link edited the project's territory in place (no
history, no overlap check), and emptying the communes gave a 500 (``ProtectedError``).
"""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from ami.models import Submission
from ami.services import save_territory
from projects import services
from projects.models import CptsProject
from territories.models import Territory
from tests.ami.test_private_link import edit_data
from tests.factories import CptsProjectFactory, SubmissionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def insee_codes(territory: Territory) -> list[str]:
    return sorted(territory.communes.values_list("insee_code", flat=True))


@pytest.fixture
def answer(communes) -> Submission:
    """An AMI answer whose référent chose Douarnenez and Pouldergat."""
    territory = TerritoryFactory(name="Territoire envisagé — AMI-1", communes=communes[:2])
    return SubmissionFactory(territory=territory)


@pytest.fixture
def sharing_project(answer, ars) -> CptsProject:
    """A project pointing at the answer's own row, as the old project form allowed."""
    project = CptsProjectFactory(name="CPTS de Douarnenez", by=ars)
    CptsProject.objects.filter(pk=project.pk).update(territory=answer.territory)
    project.refresh_from_db()
    return project


def private_edit(client, submission: Submission, **territory: str):
    url = reverse("ami:edit", kwargs={"token": submission.access_token})
    return client.post(url, edit_data(submission, **territory))


# --- (a) an answer's territory is never offered to a project -----------------------------


def test_project_form_does_not_offer_an_answers_territory(client, ars, answer, project):
    client.force_login(ars)
    form = client.get(reverse("projects:create")).context["form"]
    offered = set(form.fields["territory"].queryset)
    assert answer.territory not in offered
    # Another project's row is not offered either: one owner.
    assert project.territory not in offered


def test_project_form_refuses_an_answers_territory_posted_anyway(client, ars, answer, outsider):
    client.force_login(ars)
    data = {"name": "CPTS volée", "territory": answer.territory_id, "coordinators": [outsider.pk]}
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not CptsProject.objects.filter(name="CPTS volée").exists()


def test_project_edit_form_refuses_an_answers_territory(client, ars, answer, project):
    client.force_login(ars)
    url = reverse("projects:edit", kwargs={"pk": project.pk})
    data = {"name": project.name, "territory": answer.territory_id}
    offered = client.get(url).context["form"].fields["territory"].queryset
    assert offered.filter(pk=project.territory_id).exists(), "the project's own stays on offer"
    response = client.post(url, data)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.territory_id != answer.territory_id


def test_the_service_refuses_an_answers_or_another_projects_territory(
    ars, answer, project, other_project
):
    for territory in (answer.territory, other_project.territory):
        with pytest.raises(ValidationError):
            services.update_project(project, ars, {"territory": territory})
        with pytest.raises(ValidationError):
            services.change_project_territory(project, ars, territory=territory)
        with pytest.raises(ValidationError):
            services.create_project("CPTS bis", ars, territory=territory)
    project.refresh_from_db()
    assert insee_codes(project.territory) == ["29046", "29224"]


def test_a_project_created_from_an_answer_gets_a_copy(ars, answer):
    project = services.create_project_from_submission(answer, ars)
    assert project.territory_id != answer.territory_id
    assert insee_codes(project.territory) == insee_codes(answer.territory)


# --- (b) the référent's edits never touch a project --------------------------------------


def test_referent_changing_communes_leaves_the_projects_territory(client, answer, sharing_project):
    response = private_edit(
        client, answer, **{"territory-commune_codes": "29046 29224", "territory-remove": "29224"}
    )
    assert response.status_code == 302
    sharing_project.refresh_from_db()
    answer.refresh_from_db()
    assert insee_codes(sharing_project.territory) == ["29046", "29224"]
    assert answer.territory_id != sharing_project.territory_id
    assert insee_codes(answer.territory) == ["29046"]


def test_referent_emptying_communes_is_no_500_and_leaves_the_project(
    client, answer, sharing_project
):
    response = private_edit(
        client,
        answer,
        **{"territory-commune_codes": "29046 29224", "territory-remove": ["29046", "29224"]},
    )
    assert response.status_code == 302
    sharing_project.refresh_from_db()
    answer.refresh_from_db()
    assert answer.territory is None
    assert insee_codes(sharing_project.territory) == ["29046", "29224"]


def test_save_territory_never_changes_a_row_a_project_uses(answer, sharing_project):
    shared = sharing_project.territory
    save_territory(answer, ["29019"])
    answer.refresh_from_db()
    assert answer.territory_id != shared.pk
    assert insee_codes(answer.territory) == ["29019"]
    assert insee_codes(shared) == ["29046", "29224"]
    assert shared.name == "Territoire envisagé — AMI-1"

    save_territory(answer, [])
    answer.refresh_from_db()
    assert answer.territory is None
    assert Territory.objects.filter(pk=shared.pk).exists()


def test_save_territory_still_edits_and_deletes_the_answers_own_row(answer):
    own = answer.territory
    save_territory(answer, ["29019"])
    answer.refresh_from_db()
    assert answer.territory_id == own.pk
    assert insee_codes(own) == ["29019"]
    save_territory(answer, [])
    assert not Territory.objects.filter(pk=own.pk).exists()


# --- (d) the data migration repairs rows shared before ------------------------------------


def test_migration_gives_each_project_its_own_copy(answer, sharing_project, project, ars):
    """An answer's row: every project gets a copy. Two projects' row: the first keeps it."""
    later = CptsProjectFactory(name="CPTS doublon", by=ars)
    CptsProject.objects.filter(pk=later.pk).update(territory=project.territory)
    migration = importlib.import_module("projects.migrations.0005_one_owner_per_territory")

    migration.give_projects_their_own_territory(apps, None)

    sharing_project.refresh_from_db()
    later.refresh_from_db()
    project.refresh_from_db()
    answer.refresh_from_db()
    assert sharing_project.territory_id != answer.territory_id
    assert insee_codes(sharing_project.territory) == ["29046", "29224"]
    assert sharing_project.territory.name == "CPTS de Douarnenez"
    assert later.territory_id != project.territory_id
    assert insee_codes(later.territory) == insee_codes(project.territory)
    assert not services.territory_is_shared(project.territory, project)
    # Nothing left shared: running it again changes nothing.
    count = Territory.objects.count()
    migration.give_projects_their_own_territory(apps, None)
    assert Territory.objects.count() == count


def test_the_territories_editor_changes_no_project_or_answer_row(client, ars, answer, project):
    """The staff territory editor reads a row a project or an answer owns, never changes it:
    a project's territory changes on its page (history, overlap rule)."""
    client.force_login(ars)
    for territory in (project.territory, answer.territory):
        url = reverse("territories:territory_edit", args=[territory.pk])
        assert client.get(url).status_code == 200
        data = {"name": "Changé", "territory-commune_codes": "29019", "save": ""}
        assert client.post(url, data).status_code == 403
        territory.refresh_from_db()
        assert territory.name != "Changé"
        assert insee_codes(territory) == ["29046", "29224"]
