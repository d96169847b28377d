"""Size tiers, warnings and overlaps of territories."""

import itertools

import pytest

from territories.models import Commune, Departement, Region, Territory
from territories.rules import SIZE_TIERS, size_tier
from tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("population", "tier"),
    [
        (0, 1),
        (20_000, 1),
        (39_999, 1),
        (40_000, 2),  # « entre 40 000 et 80 000 »: the shared bound opens tier 2
        (79_999, 2),
        (80_000, 3),
        (175_000, 3),  # taille 4 is « plus de 175 000 »
        (175_001, 4),
        (2_000_000, 4),
    ],
)
def test_size_tier_boundaries(population, tier):
    assert size_tier(population).number == tier


def test_size_tiers_cover_every_population_once():
    for previous, following in itertools.pairwise(SIZE_TIERS):
        assert following.lowest == previous.highest + 1
    assert SIZE_TIERS[0].lowest == 0 and SIZE_TIERS[-1].highest is None


def test_negative_population_is_refused():
    with pytest.raises(ValueError):
        size_tier(-1)


def make_commune(insee: str, name: str, population: int, departement: Departement) -> Commune:
    return Commune.objects.create(
        insee_code=insee, name=name, population=population, departement=departement
    )


@pytest.fixture
def geography():
    bretagne = Region.objects.create(code="53", name="Bretagne")
    normandie = Region.objects.create(code="28", name="Normandie")
    finistere = Departement.objects.create(code="29", name="Finistère", region=bretagne)
    morbihan = Departement.objects.create(code="56", name="Morbihan", region=bretagne)
    manche = Departement.objects.create(code="50", name="Manche", region=normandie)
    return {
        "quimper": make_commune("29232", "Quimper", 64_385, finistere),
        "douarnenez": make_commune("29046", "Douarnenez", 13_800, finistere),
        "lorient": make_commune("56121", "Lorient", 57_000, morbihan),
        "cherbourg": make_commune("50129", "Cherbourg-en-Cotentin", 78_000, manche),
    }


def territory(name: str, *communes: Commune) -> Territory:
    created = TerritoryFactory(name=name)
    created.communes.set(communes)
    return created


def test_summary_sums_population_and_gives_tier(geography, django_assert_num_queries):
    quimper_area = territory("Quimper", geography["quimper"], geography["douarnenez"])
    with django_assert_num_queries(2):
        summary = quimper_area.summary()
    assert summary.population == 64_385 + 13_800
    assert summary.tier.number == 2
    assert summary.commune_count == 2
    assert summary.warnings == []


def test_small_territory_warns_under_20000(geography):
    summary = territory("Douarnenez", geography["douarnenez"]).summary()
    assert [warning.code for warning in summary.warnings] == ["small"]
    assert "20 000" in summary.warnings[0].message


def test_territory_across_departements_and_regions_warns(geography):
    two_departements = territory("Sud Bretagne", geography["quimper"], geography["lorient"])
    assert [w.code for w in two_departements.summary().warnings] == ["several_departements"]
    two_regions = territory("Ouest", geography["quimper"], geography["cherbourg"])
    summary = two_regions.summary()
    assert [w.code for w in summary.warnings] == ["several_regions"]
    assert summary.regions == ["Bretagne", "Normandie"]


def test_empty_territory_has_no_warning(geography):
    summary = territory("Vide").summary()
    assert (summary.population, summary.tier.number, summary.warnings) == (0, 1, [])


def test_overlapping_finds_territories_sharing_communes(geography):
    first = territory("A", geography["quimper"], geography["douarnenez"])
    second = territory("B", geography["douarnenez"], geography["lorient"])
    third = territory("C", geography["cherbourg"])
    assert list(first.overlapping()) == [second]
    assert list(third.overlapping()) == []
    assert list(first.shared_communes(second)) == [geography["douarnenez"]]
