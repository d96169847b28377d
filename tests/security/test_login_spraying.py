"""Password spraying and lockouts used against agents (#12, finding 9).

django-axes counts failures per username + address: a stranger cannot lock an agent out at
the agent's own address, but could try a few passwords on every username unhindered; both
sign-in pages now share a per-address budget of POSTs (RATELIMIT_LOGIN_PER_HOUR).
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Un mot de passe assez long 42"
STRANGER, AGENT_OFFICE = "198.51.100.7", "192.0.2.10"
SIGN_IN_PAGES = ("login", "admin:login")


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 0
    caches[settings.RATELIMIT_CACHE].clear()


@pytest.fixture
def agent():
    user = UserFactory(username="agent", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, page: str, username: str, password: str, address: str):
    return client.post(
        reverse(page), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_wrong_passwords_from_a_strangers_address_do_not_lock_the_agent_out(
    client, agent, page
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, page, "agent", "mauvais", STRANGER)
    assert sign_in(client, page, "agent", PASSWORD, STRANGER).status_code == 429

    response = sign_in(client, page, "agent", PASSWORD, AGENT_OFFICE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


@pytest.mark.parametrize("page", SIGN_IN_PAGES)
def test_spraying_many_usernames_from_one_address_is_stopped(client, limits, page):
    budget = settings.RATELIMIT_LOGIN_PER_HOUR
    assert budget == 30
    responses = [
        sign_in(client, page, f"agent{number}", "Printemps2026!", STRANGER)
        for number in range(budget + 1)
    ]
    assert [r.status_code for r in responses[:budget]] == [200] * budget  # the form again
    refused = responses[-1]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page_text = refused.content.decode()
    assert '<html lang="fr"' in page_text and "Trop de demandes" in page_text


def test_both_sign_in_pages_share_one_budget(client, limits):
    budget = settings.RATELIMIT_LOGIN_PER_HOUR
    for number in range(budget):
        page = SIGN_IN_PAGES[number % 2]
        assert sign_in(client, page, f"agent{number}", "x", STRANGER).status_code == 200
    for page in SIGN_IN_PAGES:
        assert sign_in(client, page, "agent-autre", "x", STRANGER).status_code == 429


def test_the_agent_at_another_address_still_signs_in_during_a_spray(client, limits, agent):
    for number in range(settings.RATELIMIT_LOGIN_PER_HOUR + 1):
        sign_in(client, "login", f"agent{number}", "x", STRANGER)
    assert sign_in(client, "login", "agent", PASSWORD, AGENT_OFFICE).status_code == 302


def test_reading_the_sign_in_page_is_not_limited(client, limits):
    for _ in range(settings.RATELIMIT_LOGIN_PER_HOUR + 1):
        assert client.get(reverse("login"), REMOTE_ADDR=STRANGER).status_code == 200
