"""« Trouver la CPTS de ma commune », the coverage page and the publication page."""

import re

import pytest
from django.urls import reverse

from projects.models import Stage
from publication.models import Publication
from publication.selectors import coverage
from tests.factories import CampaignFactory

from .conftest import make_project, publish

pytestmark = pytest.mark.django_db
FIND = reverse("publication:find_commune")


def test_covered_commune_lists_its_published_cpts(client, published):
    response = client.get(FIND, {"commune": "Douarnenez"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "CPTS du pays de Douarnenez" in page
    assert "En projet : les professionnels préparent leur lettre d’intention" in page
    assert "2 communes, 15 200 habitants" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert "contact@cpts-douarnenez.fr" in page
    assert "Coordinatrice de la CPTS" in page


def test_uncovered_commune_invites_to_the_open_ami(client, published):
    campaign = CampaignFactory()
    response = client.get(FIND, {"commune": "Quimper"})
    page = response.content.decode()
    assert "Aucune CPTS publiée ne couvre encore votre commune" in page
    assert campaign.get_absolute_url() in page
    assert "CPTS du pays de Douarnenez" not in page


def test_project_without_ars_validation_stays_hidden(client, geography, people):
    from publication import services

    from .conftest import CONTACT

    project = make_project("CPTS secrète", [geography.quimper], coordinators=[people.owner])
    services.give_consent(project, people.owner, CONTACT)
    page = client.get(FIND, {"commune": "Quimper"}).content.decode()
    assert "CPTS secrète" not in page


def test_project_without_consent_stays_hidden(client, geography):
    make_project("CPTS discrète", [geography.quimper])
    assert "CPTS discrète" not in client.get(FIND, {"commune": "29000"}).content.decode()


def test_unknown_commune_is_an_error_next_to_the_field(client, geography):
    response = client.get(FIND, {"commune": "Zzzzville"})
    page = response.content.decode()
    assert "<title>Erreur — " in page
    assert "Aucune commune ne correspond à « Zzzzville »" in page
    assert 'value="Zzzzville"' in page


def test_empty_page_has_no_error(client, geography):
    page = client.get(FIND).content.decode()
    assert "Erreur" not in page and 'name="commune"' in page


def test_commune_page_query_count_does_not_grow_with_projects(
    client, geography, people, django_assert_max_num_queries
):
    for index in range(5):
        project = make_project(f"CPTS {index}", [geography.lannion], coordinators=[people.owner])
        publish(project, people.owner, people.ars)
    with django_assert_max_num_queries(6):
        page = client.get(FIND, {"commune": "Lannion"}).content.decode()
    assert page.count('class="fr-card__title"') == 5


# --- Coverage ------------------------------------------------------------------------------


@pytest.fixture
def coverage_case(geography):
    """ACI signed on Douarnenez; a letter-stage project on Douarnenez + Pouldergat (shared
    commune counted once); an abandoned project on Quimper (not counted); Lannion by a
    running CPTS."""
    make_project("ACI", [geography.douarnenez], stage=Stage.CONTRACT_SIGNED)
    make_project("Lettre", [geography.douarnenez, geography.pouldergat])
    make_project("Abandonné", [geography.quimper], stage=Stage.ABANDONED)
    make_project("Trégor", [geography.lannion], stage=Stage.RUNNING)


def test_coverage_figures_by_hand(coverage_case, django_assert_num_queries):
    with django_assert_num_queries(1):
        (bretagne,) = coverage(["53"])
    finistere, armor = sorted(bretagne.departements, key=lambda d: d.code, reverse=True)
    # Finistère: 14 000 + 1 200 of 78 200 by any project; 14 000 with a signed ACI.
    assert (finistere.population, finistere.covered_any, finistere.covered_aci) == (
        78_200,
        15_200,
        14_000,
    )
    assert finistere.share_any == 19.4 and finistere.share_aci == 17.9
    # Côtes-d'Armor: Lannion 20 000 of 27 000, running (ACI signed).
    assert (armor.population, armor.covered_any, armor.covered_aci) == (27_000, 20_000, 20_000)
    assert armor.share_any == 74.1
    # Bretagne: 35 200 of 105 200 by any project, 34 000 with a signed ACI.
    assert (bretagne.population, bretagne.covered_any, bretagne.covered_aci) == (
        105_200,
        35_200,
        34_000,
    )
    assert (finistere.bucket, armor.bucket) == (1, 3)


def test_coverage_page_has_map_and_table(client, coverage_case):
    response = client.get(reverse("publication:coverage"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    # The map: 96 départements, Finistère and Côtes-d'Armor coloured, the others out.
    paths = re.findall(r'<path class="([\w-]+)"', page)
    assert len(paths) == 96
    assert paths.count("coverage-out") == 94
    assert {"coverage-1", "coverage-3"} <= set(paths)
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    # The table: each département's figures, readable without the map.
    assert re.search(r"Finistère \(29\)</th>\s*<td>78\D200</td>\s*<td>19,4 %", page)
    assert "74,1 %" in page
    assert "CC BY 4.0" in page


# --- The publication page of a project -----------------------------------------------------


def manage_url(project) -> str:
    return reverse("publication:manage", kwargs={"pk": project.pk})


@pytest.fixture
def project(geography, people):
    return make_project("CPTS du Cap", [geography.douarnenez], coordinators=[people.owner])


def test_coordinator_consents_on_the_publication_page(client, project, people):
    client.force_login(people.owner)
    response = client.post(
        manage_url(project),
        {
            "action": "consent",
            "contact_name": "Coordinatrice",
            "contact_email": "contact@cpts-cap.fr",
            "agreement": "on",
        },
    )
    assert response.status_code == 302
    publication = Publication.objects.get(project=project)
    assert publication.consented_by == people.owner and not publication.validated_at


def test_consent_without_any_contact_shows_the_error_next_to_the_field(client, project, people):
    client.force_login(people.owner)
    response = client.post(
        manage_url(project),
        {"action": "consent", "contact_name": "Coordinatrice", "agreement": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez au moins une adresse électronique ou un téléphone." in page
    assert 'value="Coordinatrice"' in page
    assert not Publication.objects.filter(project=project).exists()


def test_ars_validates_on_the_publication_page(client, project, people):
    from publication import services

    from .conftest import CONTACT

    services.give_consent(project, people.owner, CONTACT)
    client.force_login(people.ars)
    assert client.post(manage_url(project), {"action": "validate"}).status_code == 302
    assert Publication.objects.get(project=project).is_published


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("colleague", None, 404),
        ("outsider", None, 404),
        ("urps", "validate", 403),
        ("am", "validate", 403),
        ("owner", "validate", 403),
        ("ars", "consent", 403),
    ],
)
def test_publication_page_permissions(client, project, people, who, action, status):
    client.force_login(getattr(people, who))
    if action is None:
        assert client.get(manage_url(project)).status_code == status
    else:
        assert client.post(manage_url(project), {"action": action}).status_code == status


def test_anonymous_is_sent_to_login(client, project):
    response = client.get(manage_url(project))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_project_page_shows_the_publication_panel(client, published, people):
    client.force_login(people.owner)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Publication sur le portail" in page
    assert manage_url(published) in page
