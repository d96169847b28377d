"""« Mettre en relation des acteurs d’un même territoire »: answers sharing communes or EPCI."""

import pytest

from ami.selectors import same_territory_projects, same_territory_submissions
from territories.models import Commune, Departement, Epci, Region, Territory
from tests.factories import (
    ActorFactory,
    CptsProjectFactory,
    SubmissionFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    bretagne = Region.objects.create(code="53", name="Bretagne")
    finistere = Departement.objects.create(code="29", name="Finistère", region=bretagne)
    douarnenez_epci = Epci.objects.create(
        code="242900645", name="CC Douarnenez Communauté", kind="CC"
    )
    quimper_epci = Epci.objects.create(
        code="200068120", name="CA Quimper Bretagne Occidentale", kind="CA"
    )

    def commune(insee, name, epci):
        return Commune.objects.create(
            insee_code=insee, name=name, population=10_000, departement=finistere, epci=epci
        )

    return {
        "douarnenez": commune("29046", "Douarnenez", douarnenez_epci),
        "pouldergat": commune("29224", "Pouldergat", douarnenez_epci),
        "quimper": commune("29232", "Quimper", quimper_epci),
    }


def with_territory(submission, *communes):
    territory = Territory.objects.create(
        name=f"Territoire {submission.reference}", region=submission.campaign.region
    )
    territory.communes.set(communes)
    submission.territory = territory
    submission.save()
    return submission


def test_answers_sharing_a_commune_or_an_epci_are_related(places):
    mine = with_territory(SubmissionFactory(), places["douarnenez"])
    same_commune = with_territory(SubmissionFactory(), places["douarnenez"], places["quimper"])
    same_epci = SubmissionFactory()
    ActorFactory(submission=same_epci, practice_commune=places["pouldergat"])
    elsewhere = with_territory(SubmissionFactory(), places["quimper"])
    related = set(same_territory_submissions(mine))
    assert related == {same_commune, same_epci}
    assert elsewhere not in related


def test_answer_without_located_commune_has_no_relation(places):
    with_territory(SubmissionFactory(), places["douarnenez"])
    assert list(same_territory_submissions(SubmissionFactory())) == []


def test_projects_of_the_same_epci_are_related(places):
    mine = with_territory(SubmissionFactory(), places["douarnenez"])
    neighbour_territory = TerritoryFactory(name="CPTS voisine")
    neighbour_territory.communes.set([places["pouldergat"]])
    neighbour = CptsProjectFactory(territory=neighbour_territory)
    far_territory = TerritoryFactory(name="CPTS de Quimper")
    far_territory.communes.set([places["quimper"]])
    CptsProjectFactory(territory=far_territory)
    assert list(same_territory_projects(mine)) == [neighbour]
