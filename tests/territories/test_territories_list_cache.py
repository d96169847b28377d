"""What the territory list keeps between requests (each page's figures and overlaps, the
départements its filter offers: ``territories.selectors._kept``) follows every change of a
territory, of its communes and of the geography, and never mixes two regions' views."""

import pytest
from django.test import Client
from django.urls import reverse

from cpts_portal import fragments
from cpts_portal.roles import Role
from tests.factories import (
    CommuneFactory,
    DepartementFactory,
    RegionFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("territories:territory_list")
NEIGHBOUR = "un projet existe dans la région voisine"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner():
    return client_of(UserFactory(roles=[Role.ARS]))


def rows(client: Client, **query) -> dict[str, object]:
    return {row.territory.name: row for row in client.get(LIST, query).context["rows"]}


def offered(client: Client) -> list[str]:
    return [code for code, _label in client.get(LIST).context["form"].fields["departement"].choices]


def test_a_renamed_or_deleted_territory_leaves_the_overlaps(owner):
    shared = CommuneFactory()
    TerritoryFactory(name="Grand territoire", communes=[shared])
    small = TerritoryFactory(name="Petit territoire", communes=[shared])
    assert rows(owner)["Grand territoire"].overlaps == [(small.pk, "Petit territoire")]
    small.name = "Territoire renommé"
    small.save()
    assert rows(owner)["Grand territoire"].overlaps == [(small.pk, "Territoire renommé")]
    small.delete()
    assert rows(owner)["Grand territoire"].overlaps == []


def test_communes_added_or_removed_change_the_figures_overlaps_and_departements(owner):
    territory = TerritoryFactory(name="Pays", communes=[CommuneFactory(population=500)])
    other = TerritoryFactory(name="Voisin", communes=[CommuneFactory()])
    row = rows(owner)["Pays"]
    assert (row.commune_count, row.population, row.tier.number) == (1, 500, 1)
    assert (row.departements, row.overlaps) == (["29"], [])
    assert offered(owner) == ["", "29"]

    ille_et_vilaine = DepartementFactory(code="35", name="Ille-et-Vilaine")
    rennes = CommuneFactory(population=60_000, departement=ille_et_vilaine)
    territory.communes.add(rennes)
    other.communes.add(rennes)
    row = rows(owner)["Pays"]
    assert (row.commune_count, row.population, row.tier.number) == (2, 60_500, 2)
    assert (row.departements, row.overlaps) == (["29", "35"], [(other.pk, "Voisin")])
    assert offered(owner) == ["", "29", "35"]

    territory.communes.remove(rennes)
    row = rows(owner)["Pays"]
    assert (row.commune_count, row.population, row.overlaps) == (1, 500, [])


def test_a_new_population_from_the_geography_shows(owner):
    commune = CommuneFactory(population=500)
    TerritoryFactory(name="Pays", communes=[commune])
    assert rows(owner)["Pays"].population == 500
    commune.population = 45_000
    commune.save()  # the admin; load_geography bumps the geography's version itself
    assert rows(owner)["Pays"].population == 45_000


def test_the_same_kept_figures_are_masked_for_each_viewer():
    """A national agent and Occitanie's see the same page (same ids, same kept overlaps):
    each gets the names their region scope allows."""
    occitanie = RegionFactory(code="76", name="Occitanie")
    haute_garonne = DepartementFactory(code="31", name="Haute-Garonne", region=occitanie)
    lecousse = CommuneFactory(name="Lécousse")
    TerritoryFactory(name="Pays de Fougères", communes=[lecousse])
    rennes = CommuneFactory(departement=DepartementFactory(code="35", name="Ille-et-Vilaine"))
    TerritoryFactory(name="Rennes", communes=[rennes])
    TerritoryFactory(
        name="Frontière",
        region=occitanie,
        communes=[lecousse, CommuneFactory(departement=haute_garonne)],
    )
    national = client_of(UserFactory(roles=[Role.NATIONAL]))
    regional = client_of(UserFactory(roles=[Role.ARS], region=occitanie))
    for _round in range(2):  # computed, then kept
        assert [name for _pk, name in rows(national, q="Frontière")["Frontière"].overlaps] == [
            "Pays de Fougères"
        ]
        assert rows(regional, q="Frontière")["Frontière"].overlaps == [(None, NEIGHBOUR)]
    # The département filter: each region's own.
    assert offered(national) == ["", "29", "31", "35"]
    assert offered(regional) == ["", "29", "31"]  # Frontière crosses into Finistère


def test_without_the_versions_cache_a_change_still_shows(owner, monkeypatch):
    """The versions' cache (Redis) fails: the list is computed afresh, never served from
    what it cannot check (``cpts_portal.fragments``)."""
    shared = CommuneFactory()
    TerritoryFactory(name="Grand territoire", communes=[shared])
    small = TerritoryFactory(name="Petit territoire", communes=[shared])
    rows(owner)

    class Frozen:
        def __getattr__(self, name):
            def frozen(*args, **kwargs):
                raise TimeoutError("frozen")

            return frozen

    monkeypatch.setattr(fragments, "cache", Frozen())
    small.name = "Territoire renommé"
    small.save()  # its bump fails too
    assert rows(owner)["Grand territoire"].overlaps == [(small.pk, "Territoire renommé")]
    assert fragments._missed  # the bump is owed, made when the cache answers again


def test_the_kept_filter_form_follows_the_filters_and_the_departements(owner):
    territory = TerritoryFactory(name="Pays", communes=[CommuneFactory()])
    page = owner.get(LIST, {"q": "grand"}).content.decode()
    assert 'value="grand"' in page and '<option value="35"' not in page
    assert 'value="petit"' in owner.get(LIST, {"q": "petit"}).content.decode()
    territory.communes.add(
        CommuneFactory(departement=DepartementFactory(code="35", name="Ille-et-Vilaine"))
    )
    page = owner.get(LIST, {"q": "grand"}).content.decode()
    assert '<option value="35">Ille-et-Vilaine (35)</option>' in page
    chosen = owner.get(LIST, {"departement": "35"}).content.decode()
    assert '<option value="35" selected>' in chosen
