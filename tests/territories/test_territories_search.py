"""Commune search and resolution (territories.search) on real communes of a few départements."""

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db.models import Q

from territories.models import Commune, Departement, Epci, Region
from territories.search import (
    city_of_arrondissement,
    commune_choice_label,
    commune_label,
    parse_commune_query,
    resolve_commune,
    search_communes,
)

pytestmark = pytest.mark.django_db

QUIMPER = "29232"
QUIMPERLE = "29233"
SAINT_MALO = "35288"
SAINTE_ANNE_D_AURAY = "56263"
AJACCIO = "2A004"
PLOUHINEC_29 = "29197"
PLOUHINEC_56 = "56169"
SAINT_MARTIN_32 = "32389"
SAINT_MARTIN_65 = "65392"


# Real communes with real homonyms: Plouhinec (Finistère, Morbihan), Saint-Martin (Gers,
# Hautes-Pyrénées, which also have many "Saint-Martin-…"), and Corsican INSEE codes.
DEPARTEMENTS = "29,35,56,2A,32,65"


def load_module_geography(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Load ``DEPARTEMENTS`` once for a test module, and remove them after it.

    Committed outside the tests' transactions, like ``setUpTestData``: each test still runs
    in a transaction rolled back after it, so changes made by a test do not leak.
    """
    with django_db_blocker.unblock():
        call_command("load_geography", "--departements", DEPARTEMENTS, verbosity=0)
    yield
    with django_db_blocker.unblock():
        for model in (Commune, Epci, Departement, Region):
            model.objects.all().delete()


geography = pytest.fixture(scope="module")(load_module_geography)


def codes(communes: list[Commune]) -> list[str]:
    return [commune.insee_code for commune in communes]


# --- search_communes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Saint-Malo", "saint-malo", "SAINT MALO", "st malo", "St-Malo", "  saint   malo "]
)
def test_name_search_ignores_case_hyphens_spaces_and_saint_abbreviation(geography, query):
    assert codes(search_communes(query))[0] == SAINT_MALO


@pytest.mark.parametrize(
    "query", ["ste anne d auray", "Ste-Anne-d'Auray", "SAINTE ANNE D’AURAY", "sainte-anne"]
)
def test_sainte_abbreviation_and_apostrophes_find_sainte_anne_d_auray(geography, query):
    assert SAINTE_ANNE_D_AURAY in codes(search_communes(query))


@pytest.mark.parametrize("query", ["quimperle", "QUIMPERLÉ", "Quimperlé", "quimperlé"])
def test_name_search_ignores_accents(geography, query):
    assert codes(search_communes(query)) == [QUIMPERLE]


def test_name_search_matches_the_start_of_names(geography):
    found = search_communes("plou")

    assert len(found) == 20
    assert all(commune.search_name.startswith("plou") for commune in found)


def test_exact_name_comes_first_then_largest_population(geography):
    found = search_communes("saint malo")

    assert found[0].insee_code == SAINT_MALO
    populations = [commune.population or 0 for commune in found[1:]]
    assert populations == sorted(populations, reverse=True)
    # The exact name wins even over a larger commune.
    assert codes(search_communes("quimper"))[:2] == [QUIMPER, QUIMPERLE]


def test_only_current_communes_are_found(geography):
    Commune.objects.filter(insee_code=QUIMPERLE).update(is_current=False)

    assert codes(search_communes("quimper")) == [QUIMPER]
    assert QUIMPERLE not in codes(search_communes("29300"))


def test_postal_code_finds_its_commune(geography):
    assert codes(search_communes("29000")) == [QUIMPER]


def test_postal_code_shared_by_several_communes_returns_them_all(geography):
    found = codes(search_communes("29100"))

    # Douarnenez and its neighbours share 29100; 29100 is also Lanarvily's INSEE code.
    sharing = {"29046", "29087", "29090", "29224", "29226"}
    assert set(found) == sharing | {"29100"}
    assert found[0] == "29046"  # Douarnenez, the largest


def test_any_postal_code_of_a_commune_finds_it(geography):
    # Ajaccio has "20000 20090 20167": its second code is not the indexed first one.
    assert AJACCIO in codes(search_communes("20090"))
    assert AJACCIO in codes(search_communes("20167"))


def test_insee_code_finds_its_commune(geography):
    assert codes(search_communes(QUIMPER)) == [QUIMPER]


@pytest.mark.parametrize("query", ["2A004", "2a004"])
def test_corsican_insee_code_finds_its_commune(geography, query):
    assert codes(search_communes(query)) == [AJACCIO]


def test_start_of_a_postal_code_finds_communes_by_population(geography):
    found = search_communes("2930")

    assert found
    assert all(
        any(code.startswith("2930") for code in commune.postal_code_list) for commune in found
    )


@pytest.mark.parametrize(
    "query",
    [
        "Quimper (29)",
        "Quimper (29000)",
        "Quimper 29000",
        "Quimper (29) — 29000",
        "Quimper (Finistère, 29) — 29000",
        "quimper - 29000",
    ],
)
def test_label_forms_find_the_commune_first(geography, query):
    assert codes(search_communes(query))[0] == QUIMPER


def test_departement_in_brackets_restricts_the_search(geography):
    assert codes(search_communes("Plouhinec (56)")) == [PLOUHINEC_56]
    assert codes(search_communes("Plouhinec (29780)")) == [PLOUHINEC_29]


def test_brackets_that_are_part_of_a_name_are_kept():
    # Official names such as "Château-Chinon (Ville)" end with brackets that are no code.
    query = parse_commune_query("Château-Chinon (Ville) (58) — 58120")

    assert (query.name, query.departement, query.postal_code) == (
        "chateau chinon ville",
        "58",
        "58120",
    )


@pytest.mark.parametrize("query", ["", "   ", "-", "()", "1"])
def test_empty_or_meaningless_query_finds_nothing(geography, query):
    assert search_communes(query) == []


def test_limit_caps_the_results(geography):
    assert len(search_communes("saint", limit=5)) == 5


def test_results_come_with_departement_and_epci_in_one_query(geography, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = search_communes("plou")
        labels = [(commune_choice_label(c), c.epci and c.epci.name) for c in found]

    assert len(labels) == 20


# --- resolve_commune --------------------------------------------------------------------


def test_unique_name_resolves_to_its_commune(geography):
    resolution = resolve_commune("Saint-Malo")

    assert resolution.commune.insee_code == SAINT_MALO
    assert resolution.candidates == []
    assert resolution.message == ""


def test_exact_name_resolves_even_when_longer_names_start_with_it(geography):
    assert resolve_commune("quimper").commune.insee_code == QUIMPER


def test_name_start_matching_a_single_commune_resolves(geography):
    assert resolve_commune("Sainte-Anne-d").commune.insee_code == SAINTE_ANNE_D_AURAY


def test_homonyms_are_candidates(geography):
    resolution = resolve_commune("Plouhinec")

    assert resolution.commune is None
    assert resolution.is_ambiguous
    assert set(codes(resolution.candidates)) == {PLOUHINEC_29, PLOUHINEC_56}
    assert resolution.message == (
        "Plusieurs communes correspondent à « Plouhinec » : "
        "précisez le code postal ou choisissez dans la liste."
    )


def test_saint_martin_candidates_are_the_homonyms_only(geography):
    # Only the exact names are offered, not the "Saint-Martin-…" of the same départements.
    resolution = resolve_commune("st martin")

    assert set(codes(resolution.candidates)) == {SAINT_MARTIN_32, SAINT_MARTIN_65}


def test_postal_code_or_departement_settles_homonyms(geography):
    assert resolve_commune("Plouhinec 56680").commune.insee_code == PLOUHINEC_56
    assert resolve_commune("Saint-Martin (65)").commune.insee_code == SAINT_MARTIN_65


def test_start_of_several_names_gives_candidates(geography):
    resolution = resolve_commune("Quimp")

    assert codes(resolution.candidates) == [QUIMPER, QUIMPERLE]


def test_shared_postal_code_gives_candidates(geography):
    resolution = resolve_commune("20167")

    assert AJACCIO in codes(resolution.candidates)
    assert len(resolution.candidates) == 10


def test_unknown_name_explains_what_to_do(geography):
    resolution = resolve_commune("  Quimpr  ")

    assert resolution.commune is None
    assert resolution.candidates == []
    assert resolution.message == (
        "Aucune commune ne correspond à « Quimpr ». "
        "Vérifiez l’orthographe ou indiquez le code postal."
    )


def test_every_label_resolves_back_to_its_commune(geography):
    # Finistère and Corse-du-Sud whole, plus the homonyms (all of France passes too, in
    # about a minute and a half: too slow for every run).
    communes = Commune.objects.select_related("departement").filter(
        Q(departement__code__in=["29", "2A"]) | Q(search_name__in=["plouhinec", "saint martin"])
    )
    assert communes.count() > 400

    for commune in communes:
        for label in (commune_label(commune), commune_choice_label(commune)):
            assert resolve_commune(label).commune == commune, label


def test_labels_name_departement_and_postal_code(geography):
    quimper = Commune.objects.select_related("departement").get(insee_code=QUIMPER)

    assert commune_label(quimper) == "Quimper (29) — 29000"
    assert commune_choice_label(quimper) == "Quimper (Finistère, 29) — 29000"


@pytest.mark.parametrize(
    ("arrondissement", "city"),
    [("75112", "75056"), ("75120", "75056"), ("69381", "69123"), ("13216", "13055")],
)
def test_insee_code_of_an_arrondissement_municipal_finds_its_city(arrondissement, city):
    assert city_of_arrondissement(arrondissement) == city
    assert city_of_arrondissement("75121") == ""


def test_searching_a_paris_arrondissement_code_finds_paris():
    if not Commune.objects.filter(insee_code="75056").exists():
        call_command("load_geography", "--departements", "75", verbosity=0)
    assert [commune.insee_code for commune in search_communes("75112")] == ["75056"]
    assert resolve_commune("75112").commune.name == "Paris"
