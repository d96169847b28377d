"""A misspelt commune in the territory builder: suggestions, kept as typed only if confirmed."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ami.models import Submission
from cpts_portal.roles import Role
from territories.builder import TerritoryBuilderForm
from territories.models import Territory
from territories.search import search_epcis, suggest_communes
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ille_et_vilaine():
    call_command("load_geography", "--departements", "35", verbosity=0)


def builder(**data):
    return TerritoryBuilderForm({f"territory-{k}": v for k, v in data.items()}, prefix="territory")


def test_a_misspelt_commune_is_refused_with_suggestions():
    assert suggest_communes("Fougèrs")[0].insee_code == "35115"
    form = builder(add_communes="Fougèrs")
    assert not form.is_valid()
    error = form.errors["add_communes"][0]
    assert "Vouliez-vous dire Fougères (35300)" in error
    assert "35115" not in error
    assert form.unknown[0][0] == "Fougèrs"
    assert [text for text, _label in form.fields["keep_unknown"].choices] == ["Fougèrs"]


def test_the_suggestion_button_adds_the_commune():
    form = TerritoryBuilderForm(
        {"territory-add_communes": "Fougèrs", "territory_step": "commune:35115"},
        prefix="territory",
    )
    assert form.is_valid(), form.errors
    assert form.codes() == ["35115"]
    assert form.other_places() == []


def test_the_text_is_kept_as_typed_only_when_confirmed():
    form = builder(add_communes="Fougèrs", keep_unknown=["Fougèrs"])
    assert form.is_valid(), form.errors
    assert form.codes() == []
    assert form.other_places() == ["Fougèrs"]
    # The next step carries it, and it can be removed like a commune.
    following = form.next_step()
    assert following.current_other_places == ["Fougèrs"]
    removed = builder(kept_places="Fougèrs", remove=["texte:Fougèrs"])
    assert removed.is_valid()
    assert removed.other_places() == []


def test_a_confirmed_place_is_saved_with_the_territory_and_shown_as_a_warning(client):
    client.force_login(UserFactory(roles=[Role.ARS]))
    response = client.post(
        reverse("territories:territory_create"),
        {
            "name": "Pays de Fougères",
            "territory-add_communes": "Fougères, Fougèrs",
            "territory-keep_unknown": ["Fougèrs"],
        },
    )
    assert response.status_code == 302
    territory = Territory.objects.get()
    assert territory.other_place_list == ["Fougèrs"]
    page = client.get(reverse("territories:territory_detail", args=[territory.pk])).content
    assert "« Fougèrs »".encode() in page
    assert "Fougères (35300)".encode() in page


def test_a_professional_keeps_the_place_on_their_answer(client, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    data = answer_data(**{"actors-0-practice_place": "Rennes"})
    data.update({"territory-add_communes": "Fougèrs", "territory-keep_unknown": ["Fougèrs"]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ami:answer", args=[campaign.slug]), data)
    assert Submission.objects.get().territory.other_place_list == ["Fougèrs"]


def test_epci_search_matches_words_in_any_case_and_accent():
    names = [epci.name for epci in search_epcis("fougeres agglo")]
    assert names == ["CA Fougères Agglomération"]
    response = Client().get(reverse("territories:epci_search"), {"q": "Vitré"})
    assert "CA Vitré Communauté" in [result["name"] for result in response.json()["results"]]
