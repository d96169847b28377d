"""Actors' places of practice become reference communes, free text kept as a fallback."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from ami.models import Actor, Submission
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    # Finistère and Côtes-d'Armor both have a Saint-Servais and a Tréméven.
    call_command("load_geography", "--departements", "29,22", verbosity=0)
    return CampaignFactory()


def answer(client, campaign, **overrides):
    return client.post(
        reverse("ami:answer", kwargs={"slug": campaign.slug}), answer_data(**overrides)
    )


def test_known_place_is_linked_to_its_commune(client, campaign):
    answer(client, campaign, **{"actors-0-practice_place": "douarnenez"})
    actor = Actor.objects.get()
    assert actor.practice_commune.insee_code == "29046"
    assert actor.practice_place == "Douarnenez"


def test_homonym_asks_to_choose_then_the_choice_is_kept(client, campaign):
    response = answer(client, campaign, **{"actors-0-practice_place": "Saint-Servais"})
    page = response.content.decode()
    assert Submission.objects.count() == 0
    assert "Plusieurs communes correspondent à « Saint-Servais »" in page
    assert 'name="actors-0-practice_place_insee"' in page
    candidates = re.findall(r'name="actors-0-practice_place_insee" value="(\w+)"', page)
    assert len(candidates) == 2
    chosen = candidates[1]
    answer(
        client,
        campaign,
        **{"actors-0-practice_place": "Saint-Servais", "actors-0-practice_place_insee": chosen},
    )
    assert Actor.objects.get().practice_commune.insee_code == chosen


def test_unknown_place_is_kept_as_typed(client, campaign):
    answer(client, campaign, **{"actors-0-practice_place": "Jersey (Royaume-Uni)"})
    actor = Actor.objects.get()
    assert actor.practice_commune is None
    assert actor.practice_place == "Jersey (Royaume-Uni)"
