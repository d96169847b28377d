"""The territory builder: add by name or code, a whole EPCI or département, remove."""

import pytest
from django.core.management import call_command

from territories.builder import TerritoryBuilderForm, split_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def finistere():
    call_command("load_geography", "--departements", "29", verbosity=0)


def step(data: dict, **kwargs) -> TerritoryBuilderForm:
    form = TerritoryBuilderForm(
        {f"t-{key}": value for key, value in data.items()}, prefix="t", **kwargs
    )
    form.is_valid()
    return form


def test_split_entries_keeps_label_commas():
    assert split_entries("Quimper, Brest\nSaint-Martin (Hautes-Pyrénées, 65) — 65360; 29000") == [
        "Quimper",
        "Brest",
        "Saint-Martin (Hautes-Pyrénées, 65) — 65360",
        "29000",
    ]


def test_adding_communes_by_name_and_code_gives_population_and_tier(finistere):
    form = step({"add_communes": "Douarnenez, 29224\nquimper"})
    assert form.errors == {}
    assert form.codes() == ["29046", "29224", "29232"]
    summary = form.summary()
    assert summary.commune_count == 3
    assert summary.tier.number == 2  # Quimper alone has 64,385 inhabitants
    assert summary.departements == ["Finistère (29)"]


def test_adding_an_epci_adds_all_its_communes(finistere):
    form = step({"add_epci": "Douarnenez Communauté"})
    assert form.errors == {}
    assert "29046" in form.codes()
    assert len(form.codes()) == 5


def test_unknown_commune_and_epci_are_reported_next_to_their_field(finistere):
    form = step({"add_communes": "Atlantide", "add_epci": "Communauté imaginaire"})
    assert "Aucune commune ne correspond à « Atlantide »" in form.errors["add_communes"][0]
    assert "Aucune intercommunalité" in form.errors["add_epci"][0]


def test_next_step_carries_the_set_and_removal_works(finistere):
    first = step({"add_communes": "Douarnenez, Pouldergat"}).next_step()
    assert first.initial["commune_codes"] == "29046 29224"
    assert [value for value, _label in first.fields["remove"].choices] == ["29046", "29224"]
    second = step({"commune_codes": "29046 29224", "remove": ["29224"]})
    assert second.codes() == ["29046"]


def test_departement_is_only_offered_to_staff(finistere):
    assert "add_departement" not in TerritoryBuilderForm(prefix="t").fields
    form = step({"add_departement": "29"}, allow_departement=True)
    assert len(form.codes()) == 277
    assert form.summary().warnings == []


def test_small_territory_shows_the_20000_warning(finistere):
    form = step({"add_communes": "Pouldergat"})
    assert [warning.code for warning in form.summary().warnings] == ["small"]
