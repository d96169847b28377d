"""The JSON endpoint of the commune autocomplete: results, limits, caching, query count."""

import pytest
from django.test import Client
from django.urls import reverse

from territories.models import Commune
from territories.search import resolve_commune
from tests.territories.test_territories_search import load_module_geography

pytestmark = pytest.mark.django_db

geography = pytest.fixture(scope="module")(load_module_geography)


def search(client: Client, query: str) -> list[dict]:
    response = client.get(reverse("territories:commune_search"), {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_endpoint_lives_under_territoires():
    assert reverse("territories:commune_search") == "/territoires/communes/recherche/"


def test_endpoint_describes_each_commune(client, geography):
    results = search(client, "quimper")

    assert results[0] == {
        "insee": "29232",
        "name": "Quimper",
        "postal_codes": ["29000"],
        "departement": "29",
        "departement_name": "Finistère",
        "epci": "200068120",
        "epci_name": "CA Quimper Bretagne Occidentale",
        "population": 64385,
        "label": "Quimper (29) — 29000",
    }
    assert [result["insee"] for result in results] == ["29232", "29233"]


def test_endpoint_lists_every_postal_code_and_no_epci_for_island_communes(client, geography):
    (ajaccio,) = search(client, "2A004")
    (sein,) = search(client, "Île-de-Sein")

    assert ajaccio["postal_codes"] == ["20000", "20090", "20167"]
    assert ajaccio["label"] == "Ajaccio (2A) — 20000"
    assert sein["epci"] is None
    assert sein["epci_name"] is None


@pytest.mark.parametrize("query", ["", "q", " q ", "7"])
def test_query_shorter_than_two_characters_gets_no_results_and_no_query(
    client, geography, query, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert search(client, query) == []


def test_missing_query_gets_no_results(client, geography):
    response = client.get(reverse("territories:commune_search"))

    assert response.json() == {"results": []}


def test_endpoint_returns_at_most_20_results(client, geography):
    assert Commune.objects.filter(search_name__startswith="plou").count() > 20
    assert len(search(client, "plou")) == 20


@pytest.mark.parametrize(("query", "count"), [("29000", 1), ("saint", 20)])
def test_endpoint_costs_one_query_for_1_or_20_results(
    client, geography, query, count, django_assert_num_queries
):
    with django_assert_num_queries(1):
        results = search(client, query)

    assert len(results) == count


def test_endpoint_is_public_and_cacheable(geography):
    response = Client().get(reverse("territories:commune_search"), {"q": "brest"})

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=3600"}
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_endpoint_answers_get_only(client, method):
    response = getattr(client, method)(reverse("territories:commune_search"), {"q": "brest"})

    assert response.status_code == 405


@pytest.mark.parametrize(
    "query", ["plou", "saint", "ker", "la ", "st martin", "29", "29100", "20167"]
)
def test_every_label_from_the_endpoint_resolves_to_its_commune(client, geography, query):
    results = search(client, query)

    assert results
    for result in results:
        resolution = resolve_commune(result["label"])
        assert resolution.commune is not None, result["label"]
        assert resolution.commune.insee_code == result["insee"], result["label"]


def test_labels_of_every_finistere_commune_resolve_back(client, geography):
    # Each commune looked up by its own name, as a person would type it.
    names = Commune.objects.filter(departement__code="29").values_list("insee_code", "name")

    for insee_code, name in names:
        result = next(r for r in search(client, name) if r["insee"] == insee_code)
        assert resolve_commune(result["label"]).commune.insee_code == insee_code
