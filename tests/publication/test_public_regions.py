"""The public output with several regions: the coverage page lists every served region,
« ma commune » invites to the AMI of the commune's own region, and a project's publication
page is its region's (and the national level's, read-only)."""

import pytest
from django.urls import reverse

from cpts_portal.roles import Role
from publication.selectors import public_regions
from territories.models import RegionIdentity
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    DepartementFactory,
    RegionFactory,
    UserFactory,
)

from .conftest import CONTACT, make_project

pytestmark = pytest.mark.django_db
FIND = reverse("publication:find_commune")


def serve(code: str, name: str, **identity) -> RegionIdentity:
    region = RegionFactory(code=code, name=name)
    return RegionIdentity.objects.create(
        region=region, ars_name=f"Agence régionale de santé {name}", **identity
    )


@pytest.fixture
def occitanie(geography):
    serve("53", "Bretagne", ars_short_name="ARS Bretagne")
    identity = serve(
        "76", "Occitanie", ars_short_name="ARS Occitanie", ami_contact_email="cpts@ars-oc.fr"
    )
    haute_garonne = DepartementFactory(code="31", name="Haute-Garonne", region=identity.region)
    return CommuneFactory(
        name="Toulouse", insee_code="31555", population=500_000, departement=haute_garonne
    )


def test_public_regions_are_the_served_ones_and_the_setting(settings, occitanie):
    settings.PUBLIC_REGIONS = ["84"]
    assert public_regions() == ("53", "76", "84")


def test_the_commune_page_invites_to_the_ami_of_the_communes_region(client, occitanie):
    bretagne_ami = CampaignFactory(region=RegionFactory(code="53"))
    occitanie_ami = CampaignFactory(region=occitanie.departement.region)
    page = client.get(FIND, {"commune": "Toulouse"}).content.decode()
    assert occitanie_ami.get_absolute_url() in page
    assert bretagne_ami.get_absolute_url() not in page
    page = client.get(FIND, {"commune": "Quimper"}).content.decode()
    assert bretagne_ami.get_absolute_url() in page
    assert occitanie_ami.get_absolute_url() not in page


def test_without_an_open_ami_the_page_names_the_regions_ars(client, occitanie):
    CampaignFactory(region=RegionFactory(code="53"))  # open, but in another region
    page = client.get(FIND, {"commune": "Toulouse"}).content.decode()
    assert "Aucun appel à manifestation d’intérêt n’est ouvert en ce moment" in page
    assert "ARS Occitanie" in page and "mailto:cpts@ars-oc.fr" in page
    assert "Répondre à l’appel" not in page


def test_coverage_lists_every_served_region(client, settings, occitanie):
    settings.PUBLIC_REGIONS = []
    serve("84", "Auvergne-Rhône-Alpes", ars_short_name="ARS ARA")  # no commune loaded
    normandie = DepartementFactory(code="14", region=RegionFactory(code="28", name="Normandie"))
    CommuneFactory(name="Caen", insee_code="14118", departement=normandie)  # not served
    page = client.get(reverse("publication:coverage")).content.decode()
    for code in ("53", "76", "84"):
        assert f'id="couverture-{code}"' in page
    assert 'id="couverture-28"' not in page and "Caen" not in page
    assert "Haute-Garonne (31)" in page
    assert "Aucune donnée de population n’est encore chargée pour cette région." in page


# --- The publication page of a project, by region ------------------------------------------


@pytest.fixture
def project(geography, people):
    return make_project("CPTS du Cap", [geography.douarnenez], coordinators=[people.owner])


def manage_url(project) -> str:
    return reverse("publication:manage", kwargs={"pk": project.pk})


@pytest.mark.parametrize("kind", [Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE])
def test_agents_of_another_region_do_not_see_the_publication(client, project, kind):
    client.force_login(UserFactory(roles=[kind], region=RegionFactory(code="76")))
    assert client.get(manage_url(project)).status_code == 404


def test_the_ars_of_another_region_cannot_validate(client, project, people):
    from publication import services

    services.give_consent(project, people.owner, CONTACT)
    client.force_login(UserFactory(roles=[Role.ARS], region=RegionFactory(code="76")))
    response = client.post(manage_url(project), {"action": "validate"})
    assert response.status_code == 404
    assert project.publication.validated_at is None


def test_the_national_level_reads_the_publication_and_changes_nothing(client, project, people):
    from publication import services

    services.give_consent(project, people.owner, CONTACT)
    client.force_login(UserFactory(roles=[Role.NATIONAL]))
    assert client.get(manage_url(project)).status_code == 200
    assert client.post(manage_url(project), {"action": "validate"}).status_code == 403
    project.publication.refresh_from_db()
    assert project.publication.validated_at is None
