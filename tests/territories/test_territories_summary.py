"""The shared territory summary (``territory_overview``): names with postal codes, EPCI,
population, tier and warnings, in a fixed number of queries."""

import pytest
from django.template.loader import render_to_string

from territories.models import Epci, Territory
from territories.selectors import territory_overview
from tests.factories import (
    CommuneFactory,
    DepartementFactory,
    RegionFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ille_et_vilaine():
    return DepartementFactory(code="35", name="Ille-et-Vilaine", region=RegionFactory())


def fougeres(departement, **kwargs):
    epci = Epci.objects.create(code="243500634", name="Fougères Agglomération", kind="CA")
    return CommuneFactory(
        insee_code="35115",
        name="Fougères",
        postal_codes="35300",
        population=20_418,
        departement=departement,
        epci=epci,
        **kwargs,
    )


def test_a_commune_shows_its_postal_code_never_its_insee_code_in_brackets(ille_et_vilaine):
    territory = TerritoryFactory(communes=[fougeres(ille_et_vilaine)])
    summary = territory_overview(territory)
    assert summary.communes[0].label == "Fougères (35300)"
    html = render_to_string("territories/_summary.html", {"summary": summary})
    assert "Fougères (35300)" in html
    assert "Fougères (35115)" not in html
    assert "Fougères Agglomération" in html
    assert "20 418" in html.replace("\u202f", " ").replace("\xa0", " ")
    assert "Taille 1 : moins de 40 000 habitants" in html


def test_the_summary_costs_two_queries_whatever_the_number_of_communes(
    ille_et_vilaine, django_assert_num_queries
):
    one = TerritoryFactory(communes=[CommuneFactory(departement=ille_et_vilaine)])
    many = TerritoryFactory(
        communes=[CommuneFactory(departement=ille_et_vilaine) for _ in range(12)]
    )
    TerritoryFactory(communes=list(many.communes.all()[:3]))  # an overlap
    for territory in (one, many):
        with django_assert_num_queries(2):
            summary = territory_overview(territory, region="Bretagne")
            render_to_string("territories/_summary.html", {"summary": summary})
    assert summary.commune_count == 12


def test_overlaps_are_warned_with_the_shared_communes_on_staff_pages_only(ille_et_vilaine):
    shared = CommuneFactory(name="Lécousse", departement=ille_et_vilaine)
    territory = TerritoryFactory(communes=[shared, CommuneFactory(departement=ille_et_vilaine)])
    TerritoryFactory(name="CPTS du Coglais", communes=[shared])
    staff = territory_overview(territory)
    assert [(o.name, o.shared) for o in staff.overlaps] == [("CPTS du Coglais", ["Lécousse"])]
    assert "overlap" in [warning.code for warning in staff.warnings]
    public = territory_overview(territory, with_overlaps=False)
    assert public.overlaps == []
    assert "overlap" not in [warning.code for warning in public.warnings]


def test_communes_outside_the_campaigns_region_are_warned(ille_et_vilaine):
    normandie = RegionFactory(code="28", name="Normandie")
    manche = DepartementFactory(code="50", name="Manche", region=normandie)
    territory = TerritoryFactory(
        communes=[
            CommuneFactory(name="Pontorson", departement=manche),
            CommuneFactory(departement=ille_et_vilaine),
        ]
    )
    warnings = {
        w.code: w.message for w in territory_overview(territory, region="Bretagne").warnings
    }
    assert "Pontorson" in warnings["outside_region"]
    normandy = {
        w.code: w.message for w in territory_overview(territory, region="Normandie").warnings
    }
    assert "Pontorson" not in normandy["outside_region"]
    assert "outside_region" not in {w.code for w in territory_overview(territory).warnings}


def test_places_kept_as_typed_are_warned_and_not_counted(ille_et_vilaine):
    territory = TerritoryFactory(communes=[fougeres(ille_et_vilaine)])
    territory.other_places = "Fougèrs\nLa Bazouge"
    territory.save()
    summary = territory_overview(territory)
    assert summary.other_places == ["Fougèrs", "La Bazouge"]
    assert summary.population == 20_418
    message = {w.code: w.message for w in summary.warnings}["other_places"]
    assert "« Fougèrs »" in message


def test_no_territory_renders_nothing():
    assert territory_overview(None) is None
    assert render_to_string("territories/_summary.html", {"summary": None}).strip() == ""


def test_an_unsaved_territory_has_no_summary_yet():
    """A partner opening the empty builder (/territoires/nouveau/) crashed on the M2M read."""
    assert territory_overview(Territory(name="")) is None
