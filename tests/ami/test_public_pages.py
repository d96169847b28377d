"""The home page and the blank answer form are kept whole for anonymous visitors
(cpts_portal/public_pages.py): served without a query, each visitor with tokens of their
own, and rendered afresh as soon as what they show changes."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ami.models import Submission
from cpts_portal import fragments
from territories.models import RegionIdentity
from tests.ami.helpers import answer_data
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def campaign():
    return CampaignFactory(slug="bretagne-2022-04", edition="Avril 2022")


def answer_url(campaign) -> str:
    return reverse("ami:answer", kwargs={"slug": campaign.slug})


def test_home_is_served_again_without_a_query_nor_a_template(
    client, campaign, django_assert_num_queries
):
    first = client.get("/")

    with django_assert_num_queries(0):
        again = Client().get("/")

    assert again.status_code == 200
    assert not again.templates
    assert again.content == first.content
    assert "Avril 2022" in again.content.decode()
    assert "Set-Cookie" not in again.headers  # no CSRF cookie on a page without a form


def test_home_shows_a_changed_campaign_at_once(client, campaign):
    client.get("/")
    campaign.edition = "Septembre 2022"
    campaign.save()

    page = client.get("/").content.decode()

    assert "Septembre 2022" in page
    assert "Avril 2022" not in page


def test_home_follows_the_day_a_campaign_closes(client, monkeypatch):
    today = timezone.localdate()
    CampaignFactory(edition="Dernier jour", closes_on=today)
    assert "Dernier jour" in client.get("/").content.decode()

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1))

    assert "Dernier jour" not in client.get("/").content.decode()


def test_a_signed_in_user_never_gets_the_anonymous_page_nor_leaves_theirs(client, campaign):
    Client().get("/")
    client.force_login(UserFactory(first_name="Anne", last_name="Kervella", roles=["ARS"]))

    signed_in = client.get("/").content.decode()
    anonymous = Client().get("/").content.decode()

    assert "Anne Kervella" in signed_in
    assert "Se déconnecter" in signed_in
    assert "Anne Kervella" not in anonymous
    assert "Se déconnecter" not in anonymous


def test_a_message_waiting_is_shown_not_the_kept_page(client, campaign):
    client.get("/")
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Bienvenue !")])

    with_message = client.get("/").content.decode()
    after = client.get("/").content.decode()

    assert "Bienvenue !" in with_message
    assert "Bienvenue !" not in after  # shown once, as before


def test_nothing_is_kept_while_the_versions_cannot_be_read(client, campaign, monkeypatch):
    class Down:
        def get_many(self, keys):
            raise TimeoutError("frozen")

    monkeypatch.setattr(fragments, "cache", Down())

    first = client.get("/")
    second = client.get("/")

    assert "Avril 2022" in second.content.decode()
    assert first.templates and second.templates  # rendered each time, nothing kept


def test_kept_answer_form_gives_each_visitor_tokens_that_work(campaign, django_assert_num_queries):
    Client().get(answer_url(campaign))  # kept
    visitor = Client(enforce_csrf_checks=True)

    with django_assert_num_queries(0):
        page = visitor.get(answer_url(campaign))
    other = Client().get(answer_url(campaign))

    html = page.content.decode()
    assert not page.templates
    assert "csrftoken" in page.cookies  # set as {% csrf_token %} sets it
    assert CSRF_INPUT.search(html).group(1) != CSRF_INPUT.search(other.content.decode()).group(1)
    token = FORM_TOKEN.search(html).group(1)
    assert token != FORM_TOKEN.search(other.content.decode()).group(1)
    data = answer_data(form_token=token, csrfmiddlewaretoken=CSRF_INPUT.search(html).group(1))
    response = visitor.post(answer_url(campaign), data)

    assert response.status_code == 302
    assert str(Submission.objects.get().form_token) == token


def test_kept_answer_form_shows_a_changed_campaign_and_ars_at_once(client, campaign):
    client.get(answer_url(campaign))
    campaign.intro = "Un texte de l’appel revu."
    campaign.save()
    RegionIdentity.objects.create(
        region=campaign.region, ars_name="Agence régionale de santé Armorique", ars_short_name="A"
    )

    page = client.get(answer_url(campaign)).content.decode()

    assert "Un texte de l’appel revu." in page
    assert "Agence régionale de santé Armorique" in page


def test_each_campaign_has_its_own_kept_form(client, campaign):
    other = CampaignFactory(slug="occitanie-2026", edition="Janvier 2026")
    client.get(answer_url(campaign))

    page = client.get(answer_url(other)).content.decode()

    assert "Janvier 2026" in page
    assert "Avril 2022" not in page


def test_a_closed_campaign_is_not_served_its_kept_form(client, campaign, monkeypatch):
    client.get(answer_url(campaign))
    after = campaign.closes_on + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: after)

    page = client.get(answer_url(campaign)).content.decode()

    assert "Cet appel est clos" in page
    assert 'name="form_token"' not in page
