"""Every API object is read in the token's region only (as on the pages): an object of
another region is absent from the lists and a 404 on its own; national tokens read every
region; the communes (reference geography) are every region's."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse

from ami.models import Submission
from cpts_portal.roles import Role
from projects.models import AciContract, CptsProject
from publication import services
from territories.models import Institution
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CptsProjectFactory,
    DepartementFactory,
    RegionFactory,
    SubmissionFactory,
    TerritoryFactory,
    UserFactory,
    attach_to_region,
)

pytestmark = pytest.mark.django_db

SCOPED = ("project", "territory", "submission", "contract")
KINDS = (Role.ARS, Role.URPS, Role.ASSURANCE_MALADIE)


@dataclass
class RegionRows:
    project: CptsProject
    territory: object
    submission: Submission
    contract: AciContract

    def pk_of(self, endpoint: str) -> int:
        return getattr(self, endpoint).pk

    def ids_of(self, endpoint: str) -> set[int]:
        """What a list of ``endpoint`` shows of this region (its project's territory too)."""
        if endpoint == "territory":
            return {self.territory.pk, self.project.territory_id}
        return {self.pk_of(endpoint)}


def rows_of(region, departement_code: str) -> RegionRows:
    departement = DepartementFactory(code=departement_code, region=region)
    author = UserFactory(roles=[Role.ARS], region=region)
    project = CptsProjectFactory(
        name=f"CPTS de {region.name}",
        territory=TerritoryFactory(
            region=region, communes=[CommuneFactory(departement=departement)]
        ),
        by=author,
    )
    assert project.region == region
    return RegionRows(
        project=project,
        territory=TerritoryFactory(region=region, name=f"Territoire de {region.name}"),
        submission=SubmissionFactory(campaign=CampaignFactory(region=region)),
        contract=AciContract.objects.create(
            project=project, signed_on=date(2024, 3, 1), missions=[]
        ),
    )


@pytest.fixture
def regions(db):
    bretagne = RegionFactory(code="53", name="Bretagne")
    occitanie = RegionFactory(code="76", name="Occitanie")
    return {"bretagne": rows_of(bretagne, "29"), "occitanie": rows_of(occitanie, "31")}


def institution(region_code: str, kind: str) -> Institution:
    user = UserFactory(roles=[kind], region=False)
    return attach_to_region(user, RegionFactory(code=region_code), kind)


def header(**holder) -> dict:
    _token, key = services.create_api_token("SI", **holder)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def listed_ids(client, endpoint: str, headers: dict) -> set[int]:
    response = client.get(reverse(f"publication:api:{endpoint}-list"), **headers)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def detail_status(client, endpoint: str, pk: int, headers: dict) -> int:
    return client.get(
        reverse(f"publication:api:{endpoint}-detail", args=[pk]), **headers
    ).status_code


@pytest.mark.parametrize("endpoint", SCOPED)
@pytest.mark.parametrize("kind", KINDS)
def test_a_regional_token_reads_its_region_only(client, regions, endpoint, kind):
    headers = header(institution=institution("76", kind))
    own, other = regions["occitanie"], regions["bretagne"]
    assert listed_ids(client, endpoint, headers) == own.ids_of(endpoint)
    assert detail_status(client, endpoint, own.pk_of(endpoint), headers) == 200
    assert detail_status(client, endpoint, other.pk_of(endpoint), headers) == 404


@pytest.mark.parametrize("endpoint", SCOPED)
def test_a_national_token_reads_every_region(client, regions, endpoint):
    headers = header(national=True)
    expected = regions["bretagne"].ids_of(endpoint) | regions["occitanie"].ids_of(endpoint)
    assert listed_ids(client, endpoint, headers) == expected
    for rows in regions.values():
        assert detail_status(client, endpoint, rows.pk_of(endpoint), headers) == 200


@pytest.mark.parametrize("endpoint", SCOPED)
def test_an_agent_session_reads_the_agents_region_only(client, regions, endpoint):
    client.force_login(UserFactory(roles=[Role.URPS], region=RegionFactory(code="53")))
    own, other = regions["bretagne"], regions["occitanie"]
    assert listed_ids(client, endpoint, {}) == own.ids_of(endpoint)
    assert detail_status(client, endpoint, other.pk_of(endpoint), {}) == 404


def test_the_communes_are_every_regions(client, regions):
    headers = header(institution=institution("76", Role.ARS))
    response = client.get(reverse("publication:api:commune-list"), **headers)
    assert {row["region"] for row in response.json()["results"]} == {"53", "76"}


def test_a_revoked_institution_token_reads_nothing(client, regions):
    token, key = services.create_api_token("SI", institution=institution("53", Role.ARS))
    services.revoke_api_token(token)
    response = client.get(
        reverse("publication:api:project-list"), HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 401


# --- Personal data: to the roles that read it on the pages ---------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_partner_tokens_read_the_answers_people(client, regions, kind):
    headers = header(institution=institution("53", kind))
    pk = regions["bretagne"].submission.pk
    row = client.get(reverse("publication:api:submission-detail", args=[pk]), **headers).json()
    assert len(row["actors"]) == 1 and row["referents"][0]["email"].endswith("@example.org")


def test_the_national_level_reads_answers_people_as_on_its_pages(client, regions):
    """The national level reads the answer pages of every region (read-only), actors and
    référents included: its token gets what its agents see on the pages, no more."""
    headers = header(national=True)
    pk = regions["bretagne"].submission.pk
    row = client.get(reverse("publication:api:submission-detail", args=[pk]), **headers).json()
    listed = client.get(reverse("publication:api:submission-list"), **headers).json()["results"]
    referent = regions["bretagne"].submission.referents.get()
    for answer in (row, *listed):
        assert "actors" in answer and "referents" in answer
    assert referent.email in str(listed) and referent.name in str(row)
    assert row["reference"] == regions["bretagne"].submission.reference
