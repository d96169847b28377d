"""The envisaged territory of an answer, built from real communes without JavaScript."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from ami.models import Submission
from tests.ami.helpers import answer_data
from tests.ami.test_private_link import edit_data
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    call_command("load_geography", "--departements", "29", verbosity=0)
    return CampaignFactory()


def url(campaign) -> str:
    return reverse("ami:answer", kwargs={"slug": campaign.slug})


def test_territory_step_shows_population_and_tier_and_keeps_the_answer(client, campaign):
    response = client.post(
        url(campaign),
        answer_data(territory_step="1", **{"territory-add_communes": "Douarnenez, Quimper"}),
    )
    page = response.content.decode()
    assert Submission.objects.count() == 0
    assert 'name="territory-commune_codes" value="29046 29232"' in page
    assert "2 communes" in page
    assert "Taille 2" in page
    assert "Nous réfléchissons à une CPTS" in page


def test_submitted_territory_includes_pending_additions(client, campaign):
    client.post(
        url(campaign),
        answer_data(**{"territory-commune_codes": "29046", "territory-add_communes": "Pouldergat"}),
    )
    submission = Submission.objects.get()
    assert sorted(submission.territory.communes.values_list("insee_code", flat=True)) == [
        "29046",
        "29224",
    ]
    assert submission.territory.summary().tier.number == 1


def test_unknown_commune_blocks_the_answer_with_an_error_next_to_the_field(client, campaign):
    response = client.post(url(campaign), answer_data(**{"territory-add_communes": "Atlantide"}))
    assert Submission.objects.count() == 0
    assert "Aucune commune ne correspond à « Atlantide »" in response.content.decode()


def test_answer_without_communes_has_no_territory(client, campaign):
    client.post(url(campaign), answer_data())
    assert Submission.objects.get().territory is None


def test_referent_changes_the_communes_and_history_says_so(client, campaign):
    client.post(url(campaign), answer_data(**{"territory-add_communes": "Douarnenez"}))
    submission = Submission.objects.get()
    data = edit_data(
        submission, **{"territory-commune_codes": "29046", "territory-remove": "29046"}
    )
    client.post(reverse("ami:edit", kwargs={"token": submission.access_token}), data)
    submission.refresh_from_db()
    assert submission.territory is None
    assert "Communes du territoire modifiées" in submission.events.get(kind="edited").changes


def test_territory_step_asked_as_a_fragment_returns_the_builder_only(client, campaign):
    response = client.post(
        url(campaign),
        answer_data(territory_step="1", **{"territory-add_communes": "Douarnenez, Quimper"}),
        headers={"X-Portal-Fragment": "territory"},
    )
    page = response.content.decode().strip()
    assert response.status_code == 200
    assert page.startswith('<fieldset class="fr-fieldset fr-mb-4w" id="territory-builder"')
    assert page.endswith("</fieldset>")
    assert "<html" not in page and "Nous réfléchissons à une CPTS" not in page
    assert 'name="territory-commune_codes" value="29046 29232"' in page
    assert "2 communes" in page and "data-focus-on-load" in page
    assert Submission.objects.count() == 0


def test_territory_step_without_the_header_still_returns_the_whole_page(client, campaign):
    response = client.post(
        url(campaign),
        answer_data(territory_step="1", **{"territory-add_communes": "Douarnenez"}),
        headers={"X-Portal-Fragment": "autre"},
    )
    page = response.content.decode()
    assert "<html" in page and "Nous réfléchissons à une CPTS" in page
