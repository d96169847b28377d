"""« Deux CPTS ne peuvent coexister sur un même territoire »: refused, unless the ARS decides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import selectors, workflow
from projects.models import CptsProject, Stage, TerritoryOverlapOverride
from projects.services import record_overlap_override
from tests.factories import CptsProjectFactory, TerritoryFactory

from .helpers import complete_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(project, communes, outsider, ars):
    """A later project whose territory takes Pouldergat from the Douarnenez project."""
    territory = TerritoryFactory(name="Pays de Pouldergat", communes=[communes[1]])
    return CptsProjectFactory(
        name="CPTS de Pouldergat", coordinators=[outsider], territory=territory, by=ars
    )


def test_later_project_is_blocked_and_sees_the_shared_communes(project, newcomer):
    [overlap] = selectors.overlaps_of(newcomer)
    assert overlap.other == project
    assert [c.name for c in overlap.communes] == ["Pouldergat"]
    assert overlap.blocking
    # The earlier project keeps its place: it shows the overlap but is not held.
    [seen_from_first] = selectors.overlaps_of(project)
    assert seen_from_first.other == newcomer and not seen_from_first.blocking


def test_overlap_refuses_the_deposit_then_an_ars_override_allows_it(newcomer, outsider, ars):
    complete_letter(newcomer, outsider)
    with pytest.raises(workflow.TransitionNotAllowed) as refusal:
        workflow.transition(newcomer, Stage.LETTER_DEPOSITED, by=outsider)
    assert refusal.value.missing == [
        "Une dérogation de l’ARS : le territoire partage 1 commune(s) avec le projet "
        "« CPTS du Pays de Douarnenez »"
    ]
    record_overlap_override(
        newcomer,
        CptsProject.objects.get(name="CPTS du Pays de Douarnenez"),
        "Bassins distincts",
        ars,
    )
    workflow.transition(newcomer, Stage.LETTER_DEPOSITED, by=outsider)
    assert newcomer.stage == Stage.LETTER_DEPOSITED
    assert newcomer.events.filter(kind="overlap_override", author=ars).exists()


def test_abandoned_project_no_longer_blocks(project, newcomer, owner, outsider):
    workflow.transition(project, Stage.ABANDONED, by=owner, comment="Fusion")
    complete_letter(newcomer, outsider)
    workflow.transition(newcomer, Stage.LETTER_DEPOSITED, by=outsider)
    assert newcomer.stage == Stage.LETTER_DEPOSITED


@pytest.mark.parametrize("who", ["urps", "am", "outsider"])
def test_only_the_ars_records_an_override(client, project, newcomer, who, request):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record_overlap_override(newcomer, project, "Motif", request.getfixturevalue(who))
    client.force_login(request.getfixturevalue(who))
    url = reverse("projects:overlap_override", kwargs={"pk": newcomer.pk, "other_pk": project.pk})
    assert client.post(url, {"reason": "Motif"}).status_code in (403, 404)
    assert not TerritoryOverlapOverride.objects.exists()


def test_ars_records_an_override_from_the_project_page(client, project, newcomer, ars):
    client.force_login(ars)
    page = client.get(newcomer.get_absolute_url()).content.decode()
    assert "1 commune partagée avec « CPTS du Pays de Douarnenez »" in page
    assert "Pouldergat (29224)" in page
    url = reverse("projects:overlap_override", kwargs={"pk": newcomer.pk, "other_pk": project.pk})
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "Deux bassins de vie distincts"})
    assert response.status_code == 302
    override = TerritoryOverlapOverride.objects.get()
    assert (override.project, override.other_project, override.by) == (newcomer, project, ars)
    assert not selectors.blocking_overlaps(newcomer)
    page = client.get(newcomer.get_absolute_url()).content.decode()
    assert "Dérogation accordée par l’ARS" in page


def test_ars_creation_form_refuses_an_overlapping_territory_without_a_reason(
    client, project, communes, ars, outsider
):
    territory = TerritoryFactory(name="Douarnenez seul", communes=[communes[0]])
    client.force_login(ars)
    url = reverse("projects:create")
    data = {"name": "CPTS bis", "territory": territory.pk, "coordinators": [outsider.pk]}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ce territoire partage des communes avec « CPTS du Pays de Douarnenez »" in (
        response.content.decode()
    )
    assert not CptsProject.objects.filter(name="CPTS bis").exists()

    response = client.post(url, {**data, "override_reason": "Décision du comité"})
    assert response.status_code == 302
    created = CptsProject.objects.get(name="CPTS bis")
    assert list(created.coordinators.all()) == [outsider]
    override = TerritoryOverlapOverride.objects.get(project=created)
    assert (override.other_project, override.reason, override.by) == (
        project,
        "Décision du comité",
        ars,
    )
    assert not selectors.blocking_overlaps(created)


def test_ars_edits_the_project_and_the_change_is_recorded(client, project, ars, outsider):
    client.force_login(ars)
    url = reverse("projects:edit", kwargs={"pk": project.pk})
    data = {
        "name": "CPTS Douarnenez et Pouldergat",
        "territory": project.territory_id,
        "coordinators": [outsider.pk],
    }
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.name == "CPTS Douarnenez et Pouldergat"
    assert list(project.coordinators.all()) == [outsider]
    event = project.events.get(kind="edited")
    assert event.comment == "Modifié : nom, coordinateurs"


def test_the_shared_communes_of_every_overlap_come_in_one_query(
    client, project, communes, outsider, ars, django_assert_num_queries
):
    """Each overlap lists its own shared communes; the project page makes the same number
    of queries with one overlapping project as with four (one query per overlap before)."""
    url = reverse("projects:detail", args=[project.pk])
    client.force_login(ars)

    def later(name: str, shared) -> CptsProject:
        return CptsProjectFactory(
            name=name, territory=TerritoryFactory(name=name, communes=shared), by=ars
        )

    later("CPTS Une", [communes[1]])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    queries = len(one)  # before the next request clears the connection's log
    later("CPTS Deux", communes[:2])
    later("CPTS Trois", [communes[0], communes[2]])
    later("CPTS Quatre", [communes[2]])  # shares nothing with the project
    client.get(url)
    with django_assert_num_queries(queries):
        page = client.get(url).content.decode()
    shared = {o.other.name: [c.name for c in o.communes] for o in selectors.overlaps_of(project)}
    assert shared == {
        "CPTS Une": ["Pouldergat"],
        "CPTS Deux": ["Douarnenez", "Pouldergat"],
        "CPTS Trois": ["Douarnenez"],
    }
    assert "Douarnenez (29046), Pouldergat (29224)" in page
