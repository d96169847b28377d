"""The commune search endpoint answers a repeated query from memory, until the geography
changes (an edited commune, or ``load_geography`` bumping the version)."""

import pytest
from django.urls import reverse

from cpts_portal.fragments import bump
from territories.models import GEOGRAPHY_VERSION, Commune
from tests.territories.test_territories_search import load_module_geography

pytestmark = pytest.mark.django_db

geography = pytest.fixture(scope="module")(load_module_geography)


def names(client, query: str) -> list[str]:
    response = client.get(reverse("territories:commune_search"), {"q": query})
    assert response.status_code == 200
    return [result["name"] for result in response.json()["results"]]


def test_a_repeated_search_costs_no_query(client, geography, django_assert_num_queries):
    first = names(client, "quimper")

    with django_assert_num_queries(0):
        again = names(client, "QUIMPER ")  # the same query once parsed

    assert again == first
    assert first[0] == "Quimper"


def test_an_edited_commune_is_found_at_once(client, geography):
    assert names(client, "quimper")[0] == "Quimper"
    commune = Commune.objects.get(insee_code="29232")
    commune.name = "Quimper-Corentin"
    commune.save()

    assert names(client, "quimper")[0] == "Quimper-Corentin"


def test_bulk_changes_show_once_the_geography_version_is_bumped(client, geography):
    assert "Quimper" in names(client, "quimper")
    Commune.objects.filter(insee_code="29232").update(name="Kemper")  # no signal
    assert "Kemper" not in names(client, "quimper")  # still the cached answer

    bump(GEOGRAPHY_VERSION)  # what load_geography does after loading

    assert names(client, "quimper")[0] == "Kemper"


def test_another_process_bump_shows_within_the_versions_max_age(client, geography, monkeypatch):
    """The version is read from the shared cache at most every few seconds per process: the
    answers are public for an hour (Cache-Control), far longer."""
    from django.core.cache import cache

    from cpts_portal import fragments
    from territories.search import GEOGRAPHY_VERSION_MAX_AGE

    now = [1000.0]
    monkeypatch.setattr(fragments.time, "monotonic", lambda: now[0])
    assert names(client, "quimper")[0] == "Quimper"
    Commune.objects.filter(insee_code="29232").update(name="Kemper")  # no signal
    # What bump() does in another process: only the shared cache changes.
    cache.set(fragments.PREFIX + GEOGRAPHY_VERSION, "bumped-by-another-process", None)
    response = client.get(reverse("territories:commune_search"), {"q": "quimper"})
    assert response["Cache-Control"] == "public, max-age=3600"  # browsers keep it longer

    now[0] += GEOGRAPHY_VERSION_MAX_AGE

    assert names(client, "quimper")[0] == "Kemper"


def test_a_repeated_search_does_not_read_the_shared_cache_each_time(client, geography, monkeypatch):
    from cpts_portal import fragments

    names(client, "quimper")
    reads = []
    monkeypatch.setattr(fragments, "versions", lambda *names: reads.append(names) or "v")

    names(client, "quimper")
    names(client, "brest")

    assert reads == []
